/**
 * The README's migration instructions, run as written in an ESM project (`"type": "module"`):
 * `npx auth generate --output src/auth-entities.ts --yes`, then its `mikro-orm.config.ts` and
 * `migrate.ts` blocks (read from packages/better-auth/README.md, not copied) with `node migrate.ts`.
 * The config block names `@mikro-orm/postgresql` and `clientUrl`; on the other legs only the driver
 * package is swapped (and SQLite takes the file as `dbName`). As a control, the same project with
 * `emit: 'js'` fails the way the README says. The CLI and the scripts run in their own processes
 * on the built packages: `pnpm build` first (turbo's test task does).
 */
import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { betterAuthEntities, mikroOrmAdapter } from '@mikro-auth/better-auth';
import { betterAuth } from 'better-auth';
import { afterAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../harness/index.js';

const run = promisify(execFile);
const db = useTestDatabase();
const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const readme = join(packageRoot, '..', 'better-auth', 'README.md');
const cli = join(packageRoot, 'node_modules', '.bin', 'auth');
const root = join(packageRoot, '.generated', `readme-migrations-${db.name}-${process.pid}`);

/** The fenced block of the README whose first line is `firstLine`. */
function block(markdown: string, language: string, firstLine: string): string {
  const fence = new RegExp(`\`\`\`${language}\\n(${escapeRegExp(firstLine)}[^]*?)\`\`\``);
  const found = fence.exec(markdown);
  if (!found) throw new Error(`README has no ${language} block starting with ${firstLine}`);
  return found[1]!;
}
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const driverPackage = {
  sqlite: '@mikro-orm/sqlite',
  postgres: '@mikro-orm/postgresql',
  mysql: '@mikro-orm/mysql',
  mariadb: '@mikro-orm/mariadb',
}[db.dialect];

/** The README's config block for this leg's driver. */
function configFor(source: string): string {
  const config = source.replace("from '@mikro-orm/postgresql'", `from '${driverPackage}'`);
  return db.dialect === 'sqlite'
    ? config.replace('clientUrl: process.env.DATABASE_URL', 'dbName: process.env.DATABASE_URL')
    : config;
}

const databaseUrl = () => (db.dialect === 'sqlite' ? db.url().replace(/^file:/, '') : db.url());

// The config `npx auth generate` loads: Better Auth with the adapter on an ORM without entities.
const authConfig = `
import { MikroORM } from '@mikro-orm/sqlite';
import { betterAuth } from 'better-auth';
import { mikroOrmAdapter } from '@mikro-auth/better-auth';

const orm = new MikroORM({ dbName: ':memory:', entities: [], discovery: { warnWhenNoEntities: false } });
export const auth = betterAuth({
  database: mikroOrmAdapter(orm),
  emailAndPassword: { enabled: true },
});
`;

async function shell(command: string, cwd: string): Promise<string> {
  const [program, ...args] = command.trim().split(/\s+/);
  const executable = program === 'npx' ? cli : program === 'node' ? process.execPath : program!;
  const argv = program === 'npx' ? args.slice(1) : args;
  const { stdout, stderr } = await run(executable, argv, {
    cwd,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl(),
      BETTER_AUTH_TELEMETRY: '0',
      NO_COLOR: '1',
    },
    timeout: 180_000,
  });
  return `${stdout}\n${stderr}`;
}

/** A fresh ESM project with the README's files; `emit` rewrites the migrations setting. */
async function project(name: string, emit?: string): Promise<string> {
  const markdown = await readFile(readme, 'utf8');
  const dir = join(root, name);
  await mkdir(join(dir, 'src'), { recursive: true });
  await writeFile(join(dir, 'package.json'), '{ "type": "module" }\n');
  await writeFile(join(dir, 'auth.ts'), authConfig);
  let config = configFor(block(markdown, 'ts', '// mikro-orm.config.ts'));
  if (emit) config = config.replace("emit: 'ts'", `emit: '${emit}'`);
  await writeFile(join(dir, 'mikro-orm.config.ts'), config);
  await writeFile(join(dir, 'migrate.ts'), block(markdown, 'ts', '// migrate.ts'));
  return dir;
}

/** The README's shell block that starts with `first`, one command a line. */
async function commands(first: string): Promise<string[]> {
  const markdown = await readFile(readme, 'utf8');
  return block(markdown, 'sh', first)
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
}

afterAll(() =>
  process.env.KEEP_README_PROJECT ? undefined : rm(root, { recursive: true, force: true }),
);

describe(`README migrations in an ESM project (${db.name})`, () => {
  it('generates the entities, writes a .ts migration, applies it, and Better Auth works on the tables', async () => {
    await db.reset();
    const dir = await project('ts');
    const [generate] = await commands('npx auth generate --output src/auth-entities.ts --yes');
    const [migrate] = await commands('node migrate.ts');
    expect(generate).toBe('npx auth generate --output src/auth-entities.ts --yes');
    expect(migrate).toBe('node migrate.ts');

    await shell(generate!, dir);
    expect(await readFile(join(dir, 'src', 'auth-entities.ts'), 'utf8')).toContain(
      'export const User = defineEntity(',
    );
    await shell(migrate!, dir);
    const written = await readdir(join(dir, 'migrations'));
    expect(written.filter((file) => /^Migration\d+\.ts$/.test(file))).toHaveLength(1);
    // Run again: nothing changed, so no new migration and nothing left to apply.
    await shell(migrate!, dir);
    const after = (await readdir(join(dir, 'migrations'))).filter((f) => f.endsWith('.ts')).sort();
    if (db.dialect === 'mysql') {
      // This leg is MariaDB standing in for MySQL: @mikro-orm/mysql reads MariaDB's default of a
      // nullable TEXT column as the string 'NULL', so each diff re-declares those columns (the
      // mariadb driver, and MySQL itself, do not). Anything else in a second migration is a bug.
      for (const extra of after.slice(1)) {
        const source = await readFile(join(dir, 'migrations', extra), 'utf8');
        const up = source.slice(source.indexOf('up()'), source.indexOf('down()'));
        const statements = [...up.matchAll(/this\.addSql\(`(.*)`\);/g)].map((m) => m[1]);
        expect(statements.length).toBeGreaterThan(0);
        for (const statement of statements) {
          expect(statement).toMatch(/^alter table \\`\w+\\` modify \\`\w+\\` text null;$/);
        }
      }
    } else {
      expect(after).toHaveLength(1);
    }

    // The migrated tables are what the adapter needs: sign-up and sign-in work on them.
    const orm = await db.connect({ entities: betterAuthEntities({}) });
    const auth = betterAuth({
      secret: 'readme-migrations-secret-0123456789-abcdefghij',
      baseURL: 'http://localhost:3000',
      emailAndPassword: { enabled: true },
      database: mikroOrmAdapter(orm),
    });
    const email = 'migrated@example.com';
    await auth.api.signUpEmail({ body: { name: 'M', email, password: 'password-123' } });
    const signedIn = await auth.api.signInEmail({ body: { email, password: 'password-123' } });
    expect(signedIn.user.email).toBe(email);
  }, 300_000);

  it("fails with emit: 'js' in the same project, as the README warns", async () => {
    await db.reset();
    const dir = await project('js', 'js');
    await shell('npx auth generate --output src/auth-entities.ts --yes', dir);
    const failure = await shell('node migrate.ts', dir).then(
      () => '',
      (error: { stderr?: string }) => error.stderr ?? String(error),
    );
    expect(failure).toContain('exports is not defined in ES module scope');
  }, 300_000);
});
