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
export const PACKED = ['core', 'better-auth', 'authjs', 'express-session'] as const;

/** The version of `name` the conformance suite tests with, as `name@version`. */
export function tested(name: string): string {
  const manifest = JSON.parse(
    readFileSync(join(root, 'packages', 'test-suite', 'package.json'), 'utf8'),
  ) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
  const version = manifest.dependencies[name] ?? manifest.devDependencies[name];
  if (!version) throw new Error(`packages/test-suite does not depend on ${name}`);
  return `${name}@${version}`;
}

/** The peers installed next to the tarballs, pinned. */
export const PEERS = [
  'better-auth',
  '@auth/core',
  '@mikro-orm/core',
  '@mikro-orm/sql',
  'express-session',
  '@types/express-session',
];

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
  const app = await packedProject('mikro-auth-packed-', PACKED, 'packed-app');
  await npmInstall(app, [...tarballsIn(app), ...PEERS.map(tested)], attempts);
  return app;
}

/**
 * The NextAuth.js releases the Auth.js adapter is installed next to: v4 (`latest` on npm, with
 * `peerOptional @auth/core@0.34.3`) and v5 (which depends on `@auth/core` 0.41), each with the
 * Next.js and React versions examples/nextjs runs.
 */
export const NEXT_AUTH = { v4: 'next-auth@4.24.15', v5: 'next-auth@5.0.0-beta.32' } as const;
export type NextAuthMajor = keyof typeof NEXT_AUTH;

/** `next`, `react`, `react-dom` at the versions examples/nextjs pins. */
function nextApp(): string[] {
  const manifest = JSON.parse(
    readFileSync(join(root, 'examples', 'nextjs', 'package.json'), 'utf8'),
  ) as { dependencies: Record<string, string> };
  return ['next', 'react', 'react-dom'].map((name) => `${name}@${manifest.dependencies[name]}`);
}

/**
 * A NextAuth.js app as its users install us: `npm install` of the packed core and Auth.js adapter
 * next to next-auth, Next.js, MikroORM, with no resolution flag (no `--legacy-peer-deps`, no
 * `--force`): an ERESOLVE fails it. The v4 app then adds `@auth/core@0.34.3`, the version next-auth
 * v4 names, as a dev dependency for the types (packages/authjs/README.md says so).
 */
export async function installNextAuth(major: NextAuthMajor, attempts = 1): Promise<string> {
  const app = await packedProject(
    `mikro-auth-nextauth-${major}-`,
    ['core', 'authjs'],
    'nextauth-shared',
    `nextauth-${major}-app`,
  );
  await npmInstall(
    app,
    [
      ...tarballsIn(app),
      NEXT_AUTH[major],
      ...nextApp(),
      tested('@mikro-orm/core'),
      tested('@mikro-orm/sql'),
    ],
    attempts,
  );
  if (major === 'v4') {
    await npmInstall(app, ['--save-dev', AUTH_CORE_FOR_V4, nodeTypes()], attempts);
  }
  return app;
}

/** The `@auth/core` next-auth v4 declares as its optional peer, for the types. */
export const AUTH_CORE_FOR_V4 = '@auth/core@0.34.3';

/** `@types/node` at the version this package builds with (a Next.js app has it). */
function nodeTypes(): string {
  const manifest = JSON.parse(
    readFileSync(join(root, 'packages', 'front-door', 'package.json'), 'utf8'),
  ) as { devDependencies: Record<string, string> };
  return `@types/node@${manifest.devDependencies['@types/node']}`;
}

/** A new directory with the packed `packages` and the files of each packages/front-door/`folders`. */
async function packedProject(
  prefix: string,
  packages: readonly (typeof PACKED)[number][],
  ...folders: string[]
): Promise<string> {
  const app = mkdtempSync(join(tmpdir(), prefix));
  for (const name of packages) {
    await sh(
      `pnpm pack --config.ignore-scripts=true --pack-destination ${app}`,
      join('packages', name),
    );
  }
  for (const folder of folders) {
    cpSync(join(root, 'packages', 'front-door', folder), app, { recursive: true });
  }
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify({ name: folders.at(-1), private: true, type: 'module' }),
  );
  return app;
}

const tarballsIn = (app: string) =>
  readdirSync(app)
    .filter((file) => file.endsWith('.tgz'))
    .sort()
    .map((file) => `./${file}`);

function npmInstall(app: string, specs: readonly string[], attempts: number): Promise<void> {
  return sh(
    `npm install --no-audit --no-fund --prefer-offline --fetch-timeout=60000 ${specs.join(' ')}`,
    app,
    attempts,
  );
}
