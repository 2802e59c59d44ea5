/**
 * `pnpm start` here, `pnpm demo:nextjs` at the repository root: builds the app with `next build`,
 * then serves it with `next start` on PORT (3002). BETTER_AUTH_URL defaults to the local address;
 * BETTER_AUTH_SECRET to a demo value, with a loud warning, because a production `next start`
 * answers 500 on every auth route without one.
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const next = createRequire(import.meta.url).resolve('next/dist/bin/next');
const port = process.env.PORT || '3002';
const env: NodeJS.ProcessEnv = {
  ...process.env,
  NEXT_TELEMETRY_DISABLED: process.env.NEXT_TELEMETRY_DISABLED ?? '1',
};
env.BETTER_AUTH_URL ||= `http://localhost:${port}`;
if (!env.BETTER_AUTH_SECRET) {
  env.BETTER_AUTH_SECRET = 'demo-secret-change-me-demo-secret-change-me';
  console.warn(
    '\n!!! BETTER_AUTH_SECRET is not set: using a PUBLIC DEMO SECRET. Anyone can forge sessions.\n' +
      '!!! Set BETTER_AUTH_SECRET (e.g. `openssl rand -base64 32`) anywhere but your own machine.\n',
  );
}

function run(args: string[]): void {
  const result = spawnSync(process.execPath, [next, ...args], { stdio: 'inherit', env });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

run(['build']);
console.log(`\nOpen ${env.BETTER_AUTH_URL} (Ctrl-C stops the server)\n`);
run(['start', '--port', port]);
