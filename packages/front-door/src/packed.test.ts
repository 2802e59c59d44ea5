/**
 * The packages as npm users get them: `pnpm pack` (which builds through `prepack`), then
 * `npm install` of the tarballs next to the peers the READMEs name, in an empty project. The app
 * in packed-app/ then signs a user up through Better Auth and creates one through Auth.js (ESM),
 * loads every package from CommonJS, and type-checks with nodenext and bundler resolution.
 *
 * SQLite comes from node:sqlite (`@mikro-orm/sql`'s NodeSqliteDialect), so the install builds no
 * native addon; peers are pinned to the versions this repository tests (the registry's newest
 * `@mikro-orm/postgresql` cannot install on these machines, see shared/ENVIRONMENT.md).
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, root, run } from './readme.ts';

const app = mkdtempSync(join(tmpdir(), 'mikro-auth-packed-'));
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');

/** The version of `name` the conformance suite tests with. */
function tested(name: string): string {
  const manifest = JSON.parse(
    readFileSync(join(root, 'packages', 'test-suite', 'package.json'), 'utf8'),
  ) as { dependencies: Record<string, string> };
  const version = manifest.dependencies[name];
  if (!version) throw new Error(`packages/test-suite does not depend on ${name}`);
  return `${name}@${version}`;
}

async function sh(line: string, cwd = app): Promise<string> {
  const { exitCode, output } = await run(line, cwd, cleanEnv());
  expect(exitCode, `${line}\n${output}`).toBe(0);
  return output;
}

beforeAll(async () => {
  for (const name of ['core', 'better-auth', 'authjs']) {
    await sh(`pnpm pack --pack-destination ${app}`, join('packages', name));
  }
  cpSync(join(root, 'packages', 'front-door', 'packed-app'), app, { recursive: true });
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify({ name: 'packed-app', private: true, type: 'module' }),
  );
  const tarballs = readdirSync(app).filter((file) => file.endsWith('.tgz'));
  expect(tarballs.sort()).toEqual([
    'mikro-auth-authjs-0.0.0.tgz',
    'mikro-auth-better-auth-0.0.0.tgz',
    'mikro-auth-core-0.0.0.tgz',
  ]);
  const peers = ['better-auth', '@auth/core', '@mikro-orm/core', '@mikro-orm/sql'].map(tested);
  await sh(
    `npm install --no-audit --no-fund --prefer-offline ${tarballs.map((t) => `./${t}`).join(' ')} ${peers.join(' ')}`,
  );
});

afterAll(() => rmSync(app, { recursive: true, force: true }));

describe('the packed packages installed with npm', () => {
  it('ship dist, LICENSE and README, and no tests', () => {
    for (const name of ['core', 'better-auth', 'authjs']) {
      const installed = join(app, 'node_modules', '@mikro-auth', name);
      const files = readdirSync(installed);
      expect(files).toEqual(expect.arrayContaining(['dist', 'LICENSE', 'README.md']));
      const sources = readdirSync(join(installed, 'src'), { recursive: true }).map(String);
      expect(sources.filter((file) => /\.test(-d)?\.ts$|fixture/.test(file))).toEqual([]);
    }
  });

  it('sign a user up through Better Auth and create one through Auth.js from ESM', async () => {
    const output = await sh('node app.mjs');
    const lines = output
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line));
    expect(lines).toEqual([
      { betterAuth: 'ada@example.com', rows: ['ada@example.com'] },
      { authjs: true },
    ]);
  });

  it('load from CommonJS', async () => {
    expect(JSON.parse((await sh('node app.cjs')).trim())).toEqual({
      cjs: ['function', 'function', 'function'],
    });
  });

  it('run the Auth.js migration command through npx, as its README says', async () => {
    const line = /^\s*(npx mikro-auth-authjs migration --dialect \w+) --out [^\s]+\.sql$/m.exec(
      readFileSync(join(root, 'packages', 'authjs', 'README.md'), 'utf8'),
    )?.[1];
    expect(line, 'packages/authjs/README.md names the migration command').toBeDefined();
    const sql = await sh(`${line} --out migration.sql && cat migration.sql`);
    expect(sql).toMatch(/ALTER TABLE|CREATE TABLE/i);
    expect(sql).toContain('verification_token');
  });

  it.each(['nodenext', 'bundler'])('type-check with %s module resolution', async (resolution) => {
    await sh(`node ${tsc} -p tsconfig.${resolution}.json`);
  });
});
