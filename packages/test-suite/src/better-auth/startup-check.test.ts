/**
 * Fail at startup, not at first use: when Better Auth builds the adapter, every model and field
 * its configuration needs is checked against the ORM's metadata (no SQL), and all that is missing
 * is reported in one SchemaMismatchError (code SCHEMA_MISMATCH) naming `npx auth generate`.
 */

import { betterAuthEntities, mikroOrmAdapter } from '@mikro-auth/better-auth';
import { MikroAuthError, SchemaMismatchError } from '@mikro-auth/core';
import type { EntityManager, MikroORM } from '@mikro-orm/core';
import { type BetterAuthOptions, betterAuth } from 'better-auth';
import { twoFactor, username } from 'better-auth/plugins';
import { beforeEach, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../harness/index.js';
import { entityMetadata } from '../harness/metadata.js';

const db = useTestDatabase();

const plugins = { plugins: [twoFactor(), username()] } satisfies BetterAuthOptions;
const secret = 'startup-check-secret-0123456789-abcdefghijklmnop';

/** Better Auth with its log lines collected, and the adapter call errors it would meet. */
function authOn(orm: MikroORM, options: BetterAuthOptions) {
  const logs: Array<{ level: string; message: string }> = [];
  const auth = betterAuth({
    ...options,
    secret,
    baseURL: 'http://localhost:3000',
    emailAndPassword: { enabled: true },
    database: mikroOrmAdapter(orm),
    logger: { log: (level, message) => logs.push({ level, message }) },
  });
  return { auth, logs };
}

/** Rows in the user table, read with MikroORM directly. */
function users(orm: MikroORM): Promise<number> {
  return orm.em.fork().count(entityMetadata(orm, 'User').class, {});
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

describe(`schema check at startup (${db.name})`, () => {
  // The tests use different entity sets; MySQL cannot drop a table another one still references.
  beforeEach(() => db.reset());

  it('reports every missing plugin model and field in one typed error, when betterAuth builds the adapter', async () => {
    const orm = await db.init({ entities: betterAuthEntities({}) });
    const { auth, logs } = authOn(orm, plugins);
    await auth.$context;

    // Reported at startup, before any request, in one message.
    const errors = logs.filter((log) => log.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toContain('model "twoFactor": no entity');
    expect(errors[0]!.message).toContain('field "user.username"');
    expect(errors[0]!.message).toContain('npx auth generate');

    // The first database call throws it: sign-up does not half-succeed.
    const adapter = mikroOrmAdapter(orm)({ ...plugins, logger: { disabled: true } });
    const error = await rejection(
      adapter.create({
        model: 'user',
        data: { name: 'A', email: 'a@example.com', emailVerified: false },
      }),
    );
    expect(error).toBeInstanceOf(SchemaMismatchError);
    expect(error).toBeInstanceOf(MikroAuthError);
    const mismatch = error as SchemaMismatchError;
    expect(mismatch.code).toBe('SCHEMA_MISMATCH');
    expect(
      mismatch.problems.map((problem) =>
        'field' in problem ? `${problem.model}.${problem.field}` : problem.model,
      ),
    ).toEqual(['user.twoFactorEnabled', 'user.username', 'user.displayUsername', 'twoFactor']);
    expect(mismatch.message).toContain('npx auth generate --output src/auth-entities.ts');
    expect(mismatch.message).toMatch(/known entities: .*User/);

    const signUp = await rejection(
      auth.api.signUpEmail({
        body: { name: 'B', email: 'b@example.com', password: 'password-123' },
      }),
    );
    expect(signUp).toBeInstanceOf(Error);
    expect(await users(orm)).toBe(0);
  });

  it('lets a complete schema through, with plugins: sign-up works and nothing is logged', async () => {
    const orm = await db.init({ entities: betterAuthEntities(plugins) });
    const { auth, logs } = authOn(orm, plugins);
    await auth.$context;
    const result = await auth.api.signUpEmail({
      body: {
        name: 'C',
        email: 'c@example.com',
        password: 'password-123',
        ...{ username: 'c_user' },
      },
    });
    expect(result.user.email).toBe('c@example.com');
    expect((result.user as { username?: string }).username).toBe('c_user');
    expect(await users(orm)).toBe(1);
    expect(logs.filter((log) => log.level === 'error')).toEqual([]);
  });

  it('costs no SQL statement, whether the schema is complete or not', async () => {
    const complete = await db.init({ entities: betterAuthEntities(plugins) });
    const built = await db.recordQueries(async () => mikroOrmAdapter(complete)(plugins));
    expect(built.queries).toEqual([]);
    // The recorder does see the adapter's statements.
    const counted = await db.recordQueries(() => built.result.count({ model: 'user' }));
    expect(counted.result).toBe(0);
    expect(counted.queries.length).toBeGreaterThan(0);

    await db.reset();
    const incomplete = await db.init({ entities: betterAuthEntities({}) });
    const failed = await db.recordQueries(async () => {
      const adapter = mikroOrmAdapter(incomplete)({ ...plugins, logger: { disabled: true } });
      return rejection(adapter.count({ model: 'user' }));
    });
    expect(failed.result).toBeInstanceOf(SchemaMismatchError);
    expect(failed.queries).toEqual([]);
  });

  it('checks on the first call when the ORM is not reachable yet at startup', async () => {
    let orm: MikroORM | undefined;
    const source = (): EntityManager => {
      if (!orm) throw new Error('not initialised yet');
      return orm.em;
    };
    const adapter = mikroOrmAdapter(source)({ ...plugins, logger: { disabled: true } });
    orm = await db.init({ entities: betterAuthEntities({}) });
    const error = await rejection(adapter.findOne({ model: 'user', where: [] }));
    expect(error).toBeInstanceOf(SchemaMismatchError);
    expect((error as SchemaMismatchError).problems).toHaveLength(4);
  });

  it('explains that generateId: false needs a database-side id default the generated entities lack', async () => {
    const options: BetterAuthOptions = { advanced: { database: { generateId: false } } };
    const orm = await db.init({ entities: betterAuthEntities(options) });
    const adapter = mikroOrmAdapter(orm)({ ...options, logger: { disabled: true } });
    const error = (await rejection(adapter.count({ model: 'user' }))) as SchemaMismatchError;
    expect(error).toBeInstanceOf(SchemaMismatchError);
    expect(error.problems.map((problem) => [problem.kind, problem.model])).toEqual([
      ['id-without-default', 'user'],
      ['id-without-default', 'session'],
      ['id-without-default', 'account'],
      ['id-without-default', 'verification'],
    ]);
    expect(error.message).toContain('advanced.database.generateId: false');
    expect(error.message).toContain('The entities mikro-auth generates have no id default');
  });

  it('accepts generateId: false with autoincrement ids, and the database fills them in', async () => {
    const orm = await db.init({
      entities: betterAuthEntities({ advanced: { database: { generateId: 'serial' } } }),
    });
    const { auth, logs } = authOn(orm, { advanced: { database: { generateId: false } } });
    const result = await auth.api.signUpEmail({
      body: { name: 'D', email: 'd@example.com', password: 'password-123' },
    });
    expect(result.user.id).toMatch(/^\d+$/);
    expect(logs.filter((log) => log.level === 'error')).toEqual([]);
  });

  it('is skipped with advanced.database.validateSchema: false', async () => {
    const orm = await db.init({ entities: betterAuthEntities({}) });
    const adapter = mikroOrmAdapter(orm)({
      ...plugins,
      advanced: { database: { validateSchema: false } },
    });
    // Nothing is checked: the core tables work, the missing plugin table fails only when used.
    expect(await adapter.count({ model: 'user' })).toBe(0);
    const error = await rejection(adapter.count({ model: 'twoFactor' }));
    expect((error as MikroAuthError).code).toBe('UNKNOWN_MODEL');
  });
});
