/**
 * The packages as npm users get them: `pnpm pack` of the built packages, then `npm install` of the
 * tarballs next to the peers the READMEs name, in an empty project (packed-app/ copied in).
 *
 * This is network work (a cold npm cache downloads a few dozen packages, minutes on a busy
 * machine), so it never runs inside a test's timeout: the front door's global setup
 * (packed-setup.ts) runs it once before the tests, and `.ci/run` runs it in its install step
 * (`pnpm --filter @mikro-auth/front-door prefetch`), so CI's test step finds the npm cache warm.
 *
 * SQLite comes from node:sqlite (`@mikro-orm/sql`'s NodeSqliteDialect), so the install builds no
 * native addon; peers are pinned to the versions this repository tests (the registry's newest
 * `@mikro-orm/postgresql` cannot install on these machines, see shared/ENVIRONMENT.md).
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanEnv, root, run } from './readme.ts';

/** The packages packed, in packages/. */
export const PACKED = ['core', 'better-auth', 'authjs'] as const;

/** The version of `name` the conformance suite tests with, as `name@version`. */
export function tested(name: string): string {
  const manifest = JSON.parse(
    readFileSync(join(root, 'packages', 'test-suite', 'package.json'), 'utf8'),
  ) as { dependencies: Record<string, string> };
  const version = manifest.dependencies[name];
  if (!version) throw new Error(`packages/test-suite does not depend on ${name}`);
  return `${name}@${version}`;
}

/** The peers installed next to the tarballs, pinned. */
export const PEERS = ['better-auth', '@auth/core', '@mikro-orm/core', '@mikro-orm/sql'];

async function sh(line: string, cwd: string, attempts = 1): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const { exitCode, output } = await run(line, cwd, cleanEnv());
    if (exitCode === 0) return;
    const failure = `\`${line}\` failed in ${cwd} (exit ${exitCode}, attempt ${attempt} of ${attempts})`;
    if (attempt >= attempts) throw new Error(`${failure}:\n${output}`);
    console.warn(
      `${failure}; trying again. It ended with:\n${output.split('\n').slice(-8).join('\n')}`,
    );
  }
}

/**
 * Packs the built packages into a new directory and installs them there with npm; returns the
 * directory. The packages must be built (turbo builds them before the front door's tests);
 * `ignore-scripts` keeps `prepack` from rebuilding dist/ while other test processes load it.
 * The install is tried `attempts` times, each registry request for at most 60 s (npm's own
 * default waits 5 minutes for a stalled one).
 */
export async function installPacked(attempts = 1): Promise<string> {
  const app = mkdtempSync(join(tmpdir(), 'mikro-auth-packed-'));
  for (const name of PACKED) {
    await sh(
      `pnpm pack --config.ignore-scripts=true --pack-destination ${app}`,
      join('packages', name),
    );
  }
  cpSync(join(root, 'packages', 'front-door', 'packed-app'), app, { recursive: true });
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify({ name: 'packed-app', private: true, type: 'module' }),
  );
  const tarballs = readdirSync(app)
    .filter((file) => file.endsWith('.tgz'))
    .sort();
  await sh(
    `npm install --no-audit --no-fund --prefer-offline --fetch-timeout=60000 ${tarballs.map((t) => `./${t}`).join(' ')} ${PEERS.map(tested).join(' ')}`,
    app,
    attempts,
  );
  return app;
}
