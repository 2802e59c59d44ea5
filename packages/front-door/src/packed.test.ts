/**
 * The packages as npm users get them, packed and installed with npm in an empty project by the
 * global setup (packed-install.ts: network work stays outside the test timeouts). The app in
 * packed-app/ then signs a user up through Better Auth, creates one through Auth.js and stores a
 * session through the express-session store (ESM), loads every package from CommonJS, and
 * type-checks with nodenext and bundler resolution.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { PACKED } from './packed-install.ts';
import { cleanEnv, root, run } from './readme.ts';

const app = inject('packedApp');
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');

async function sh(line: string, cwd = app): Promise<string> {
  const { exitCode, output } = await run(line, cwd, cleanEnv());
  expect(exitCode, `${line}\n${output}`).toBe(0);
  return output;
}

describe('the packed packages installed with npm', () => {
  it('are the four tarballs, shipping dist, LICENSE and README, and no tests', () => {
    expect(
      readdirSync(app)
        .filter((file) => file.endsWith('.tgz'))
        .sort(),
    ).toEqual([
      'mikro-auth-authjs-0.0.0.tgz',
      'mikro-auth-better-auth-0.0.0.tgz',
      'mikro-auth-core-0.0.0.tgz',
      'mikro-auth-express-session-0.0.0.tgz',
    ]);
    for (const name of PACKED) {
      const installed = join(app, 'node_modules', '@mikro-auth', name);
      const files = readdirSync(installed);
      expect(files).toEqual(expect.arrayContaining(['dist', 'LICENSE', 'README.md']));
      const sources = readdirSync(join(installed, 'src'), { recursive: true }).map(String);
      expect(sources.filter((file) => /\.test(-d)?\.ts$|fixture/.test(file))).toEqual([]);
    }
  });

  it('sign a user up through Better Auth, create one through Auth.js, store a session, from ESM', async () => {
    const output = await sh('node app.mjs');
    const lines = output
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line));
    expect(lines).toEqual([
      { betterAuth: 'ada@example.com', rows: ['ada@example.com'] },
      { authjs: true },
      { sessionStore: 3 },
    ]);
  });

  it('load from CommonJS', async () => {
    expect(JSON.parse((await sh('node app.cjs')).trim())).toEqual({
      cjs: ['function', 'function', 'function', 'function'],
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
