/**
 * `npx auth generate` (the `auth` package, Better Auth's CLI) writes MikroORM entities through
 * the adapter's createSchema; the file reproduces exactly the schema `betterAuthEntities` builds.
 * The CLI runs in its own process and loads the built packages: `pnpm build` first (turbo's test
 * task does).
 */
import { execFile } from 'node:child_process';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { betterAuthEntities } from '@mikro-auth/better-auth';
import type { EntitySchema } from '@mikro-orm/core';
import type { BetterAuthOptions } from 'better-auth';
import { username } from 'better-auth/plugins';
import { afterAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../harness/index.js';

const run = promisify(execFile);
const db = useTestDatabase();
const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const project = join(packageRoot, '.generated', `cli-${db.name}-${process.pid}`);
const cli = join(packageRoot, 'node_modules', '.bin', 'auth');

const options = {
  user: {
    modelName: 'users',
    fields: { emailVerified: 'email_verified' },
    additionalFields: { role: { type: 'string', required: false } },
  },
  plugins: [username()],
} satisfies BetterAuthOptions;

const config = `
import { MikroORM } from '@mikro-orm/sqlite';
import { betterAuth } from 'better-auth';
import { username } from 'better-auth/plugins';
import { mikroOrmAdapter } from '@mikro-auth/better-auth';

const orm = new MikroORM({ dbName: ':memory:', entities: [], discovery: { warnWhenNoEntities: false } });
export const auth = betterAuth({
  database: mikroOrmAdapter(orm, { schemaFile: 'src/auth-entities.ts' }),
  user: ${JSON.stringify(options.user)},
  plugins: [username()],
});
`;

async function generate(): Promise<string> {
  const { stdout, stderr } = await run(cli, ['generate', '--config', 'auth.ts', '--yes'], {
    cwd: project,
    env: { ...process.env, BETTER_AUTH_TELEMETRY: '0', NO_COLOR: '1' },
    timeout: 120_000,
  });
  return `${stdout}\n${stderr}`;
}

afterAll(() => rm(project, { recursive: true, force: true }));

describe(`npx auth generate (${db.name})`, () => {
  it('writes defineEntity entities equal to betterAuthEntities, and reports no change the second time', async () => {
    await mkdir(join(project, 'src'), { recursive: true });
    await writeFile(join(project, 'auth.ts'), config);
    await generate();
    const file = join(project, 'src', 'auth-entities.ts');
    const source = await readFile(file, 'utf8');
    expect(source).toContain("import { defineEntity, p } from '@mikro-orm/core';");
    expect(source).toContain('tableName: "users"');
    expect(source).toContain('fieldName("email_verified")');

    const written = (await stat(file)).mtimeMs;
    expect(await generate()).toMatch(/up to date/i);
    expect((await stat(file)).mtimeMs).toBe(written);

    const generated = Object.values((await import(file)) as Record<string, EntitySchema>);
    const fromFile = await db.init({ entities: generated });
    const ddl = await fromFile.schema.getCreateSchemaSQL();
    const fromBuilder = await db.init({ entities: betterAuthEntities(options) });
    expect(ddl).toBe(await fromBuilder.schema.getCreateSchemaSQL());
    expect(ddl).toMatch(/username/);
  }, 240_000);
});
