/**
 * Issue #12: switching from `@auth/mikro-orm-adapter` 2.x to `@mikro-auth/authjs`. A database with
 * the old adapter's tables and rows (./legacy-schema.ts) is migrated with the SQL that
 * `mikro-auth-authjs migration` writes, exactly as the README's "Migrating" section shows; then
 * old sessions, old accounts and email sign-in work. Also: the old call shape fails at once with
 * a typed error, an app's own `User` works next to the default entities, hidden properties stay
 * hidden, and bigint values are numbers.
 *
 * The CLI runs in its own process from the built package: `pnpm build` first (turbo's test task does).
 */
import { execFile } from 'node:child_process';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { AdapterUser } from '@auth/core/adapters';
import {
  type AuthjsAdapter,
  authjsDefaultEntities,
  authjsEntities,
  legacyMigrationStatements,
  MikroOrmAdapter,
} from '@mikro-auth/authjs';
import { ConfigurationError, MikroAuthError } from '@mikro-auth/core';
import { defineEntity, EntitySchema, type MikroORM, p } from '@mikro-orm/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../harness/index.js';
import { LEGACY, LEGACY_DDL, legacyInserts } from './legacy-schema.js';

const run = promisify(execFile);
const db = useTestDatabase();
const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const work = join(packageRoot, '.generated', `authjs-migration-${db.name}-${process.pid}`);
const DIALECT = { sqlite: 'sqlite', postgres: 'postgresql', mysql: 'mysql', mariadb: 'mariadb' }[
  db.dialect
];

/** `npx mikro-auth-authjs …`: the bin pnpm links for @mikro-auth/authjs, run in `cwd`. */
const bin = join(packageRoot, 'node_modules', '.bin', 'mikro-auth-authjs');
async function cli(args: string[], cwd = work): Promise<{ stdout: string; stderr: string }> {
  return run(bin, args, { cwd, timeout: 60_000 });
}

/** What the schema generator would still change on the migrated database. */
let migratedDiff: string | undefined;

beforeAll(() => mkdir(work, { recursive: true }));
afterAll(() => rm(work, { recursive: true, force: true }));

describe(`migrating an @auth/mikro-orm-adapter database (${db.name})`, () => {
  let orm: MikroORM;
  let adapter: AuthjsAdapter;

  beforeAll(async () => {
    await db.reset();
    // The app's tables as the old adapter left them, with its rows.
    const legacy = await db.connect({ entities: [], discovery: { warnWhenNoEntities: false } });
    for (const statement of [...LEGACY_DDL[db.dialect], ...legacyInserts(db.dialect)]) {
      await legacy.em.getConnection().execute(statement);
    }
    await legacy.close(true);

    // README, step 2: write the migration with the CLI …
    await cli(['migration', '--dialect', DIALECT, '--out', 'migrate-from-auth-adapter.sql']);
    // … README, step 3: run it on the app's ORM (the new entities registered).
    orm = await db.connect({ entities: authjsEntities() });
    await orm.schema.execute(await readFile(join(work, 'migrate-from-auth-adapter.sql'), 'utf8'));
    adapter = MikroOrmAdapter(orm);
  });

  it('leaves exactly the schema authjsEntities() describes: the schema generator finds nothing to change', async () => {
    migratedDiff = await orm.schema.getUpdateSchemaSQL({ wrap: false });
    // On the mysql driver leg MikroORM misreads MariaDB's nullable text columns even on a freshly
    // created schema; there the diff must equal a fresh schema's (below).
    if (db.dialect !== 'mysql') expect(migratedDiff).toBe('');
  });

  it('old sessions still resolve, with their user and their id', async () => {
    const { adaSession, ada } = LEGACY;
    expect(await adapter.getSessionAndUser(adaSession.sessionToken)).toEqual({
      session: adaSession,
      user: ada,
    });
    expect(await adapter.getSessionAndUser(LEGACY.bobSession.sessionToken)).toEqual({
      session: LEGACY.bobSession,
      user: LEGACY.bob,
    });
  });

  it('old accounts still sign in, their tokens intact and expires_at a number', async () => {
    const { github, google, ada } = LEGACY;
    for (const account of [github, google]) {
      expect(
        await adapter.getUserByAccount({
          provider: account.provider,
          providerAccountId: account.providerAccountId,
        }),
      ).toEqual(ada);
    }
    const { id: _id, ...stored } = google;
    expect(await adapter.getAccount(google.providerAccountId, google.provider)).toEqual(stored);
    expect((await adapter.getAccount(google.providerAccountId, google.provider))?.expires_at).toBe(
      1_767_225_600,
    );
  });

  it('a sign-in link sent before the migration still works, once', async () => {
    const { pendingToken } = LEGACY;
    const params = { identifier: pendingToken.identifier, token: pendingToken.token };
    expect(await adapter.useVerificationToken(params)).toEqual(pendingToken);
    expect(await adapter.useVerificationToken(params)).toBeNull();
  });

  it('email sign-in works afterwards: token, new user, account, session', async () => {
    const expires = new Date('2031-01-01T00:00:00.123Z');
    const token = { identifier: 'dana@example.com', token: 'a'.repeat(64), expires };
    expect(await adapter.createVerificationToken(token)).toEqual(token);
    // The same token hash for another address (short codes) is kept apart.
    const twin = { ...token, identifier: 'erin@example.com' };
    expect(await adapter.createVerificationToken(twin)).toEqual(twin);
    expect(await adapter.useVerificationToken(token)).toEqual(token);
    expect(await adapter.getUserByEmail('dana@example.com')).toBeNull();
    const dana: AdapterUser = {
      id: '5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b',
      email: 'dana@example.com',
      emailVerified: expires,
      name: null,
      image: null,
    };
    expect(await adapter.createUser(dana)).toEqual(dana);
    const account = {
      userId: dana.id,
      type: 'email' as const,
      provider: 'email',
      providerAccountId: dana.email,
    };
    expect(await adapter.linkAccount(account)).toEqual(account);
    const session = await adapter.createSession({
      sessionToken: 'new-session-token',
      userId: dana.id,
      expires,
    });
    expect(await adapter.getSessionAndUser(session.sessionToken)).toEqual({ session, user: dana });
    // The existing user signs in by email too.
    expect(await adapter.getUserByEmail(LEGACY.bob.email)).toEqual(LEGACY.bob);
  });

  it('passkeys work on the migrated database, and deleting an old user removes all of theirs', async () => {
    const authenticator = {
      credentialID: 'cred-ada',
      userId: LEGACY.ada.id,
      providerAccountId: 'cred-ada',
      credentialPublicKey: 'pQECAyYgASFY',
      counter: 4_294_967_295,
      credentialDeviceType: 'multiDevice',
      credentialBackedUp: true,
      transports: 'internal',
    };
    expect(await adapter.createAuthenticator(authenticator)).toEqual(authenticator);
    expect(await adapter.deleteUser(LEGACY.ada.id)).toEqual(LEGACY.ada);
    expect(await adapter.getSessionAndUser(LEGACY.adaSession.sessionToken)).toBeNull();
    expect(
      await adapter.getUserByAccount({ provider: 'github', providerAccountId: '1815' }),
    ).toBeNull();
    expect(await adapter.getAuthenticator('cred-ada')).toBeNull();
  });

  it('writes the same statements as a MikroORM migration class (--format class)', async () => {
    await mkdir(join(work, 'src', 'migrations'), { recursive: true });
    const out = 'src/migrations/Migration20261130000000_authjs.ts';
    await cli(['migration', '--dialect', DIALECT, '--format', 'class', '--out', out]);
    const source = await readFile(join(work, out), 'utf8');
    expect(source).toContain("import { Migration } from '@mikro-orm/migrations';");
    expect(source).toContain('export class Migration20261130000000_authjs extends Migration');
    const added = [...source.matchAll(/this\.addSql\((".*")\);/g)].map(
      (match) => JSON.parse(match[1]!) as string,
    );
    expect(added).toEqual(legacyMigrationStatements(DIALECT as never));
  });

  it('refuses an unknown dialect with the usage', async () => {
    const error = (await cli(['migration', '--dialect', 'oracle']).catch((e: unknown) => e)) as {
      code: number;
      stderr: string;
    };
    expect(error.code).toBe(2);
    expect(error.stderr).toMatch(/--dialect must be one of sqlite, postgresql, mysql, mariadb/);
  });
});

describe(`the migrated schema equals a fresh one (${db.name})`, () => {
  it('the schema generator sees a freshly created schema exactly as the migrated one', async () => {
    expect(migratedDiff).toBeDefined();
    const fresh = await db.init({ entities: authjsEntities() });
    expect(await fresh.schema.getUpdateSchemaSQL({ wrap: false })).toBe(migratedDiff);
  });
});

describe(`the old call shape (${db.name})`, () => {
  it('MikroOrmAdapter({ dbName, type }) fails at once with a typed error saying what to pass', () => {
    // As JavaScript callers and the old docs write it; TypeScript rejects it already.
    const old = () => MikroOrmAdapter({ dbName: './db.sqlite', type: 'sqlite' } as never);
    expect(old).toThrow(ConfigurationError);
    expect(old).toThrow(
      /MikroORM options .*no longer accepted.*MikroORM\.init.*MikroOrmAdapter\(orm\)/s,
    );
    try {
      old();
    } catch (error) {
      expect(error).toBeInstanceOf(MikroAuthError);
      expect(error).toMatchObject({ code: 'INVALID_CONFIG', option: 'orm' });
    }
    expect(() => MikroOrmAdapter(undefined as never)).toThrow(/got undefined/);
  });

  it('the old entities option ({ entities: { User } }) names the key to use instead', async () => {
    const orm = await db.init({ entities: authjsEntities() });
    const { User } = authjsDefaultEntities();
    expect(() => MikroOrmAdapter(orm, { entities: { User } as never })).toThrow(
      expect.objectContaining({
        code: 'INVALID_CONFIG',
        message: expect.stringMatching(/entities: \{ user: User \}/),
      }),
    );
  });
});

describe(`your own User next to the default entities (${db.name})`, () => {
  class AppUser {
    id!: string;
    name?: string | null;
    email?: string | null;
    emailVerified?: Date | null;
    image?: string | null;
    role?: string;
    passwordHash?: string | null;
  }
  const userProperties = {
    id: { type: 'string', primary: true },
    name: { type: 'text', nullable: true },
    email: { type: 'string', nullable: true, unique: true },
    emailVerified: { type: 'datetime', length: 3, nullable: true },
    image: { type: 'text', nullable: true },
    role: { type: 'string', default: 'member', hidden: true },
    passwordHash: { type: 'string', nullable: true, hidden: true },
  } as const;
  const variants = {
    'a class (EntitySchema with class)': () =>
      new EntitySchema<AppUser>({ class: AppUser, tableName: 'user', properties: userProperties }),
    'an EntitySchema': () =>
      new EntitySchema<AppUser>({ name: 'User', tableName: 'user', properties: userProperties }),
    "the default User's properties, extended": () => {
      const { User: DefaultUser } = authjsDefaultEntities();
      return new EntitySchema({
        name: 'User',
        tableName: 'user',
        properties: {
          ...DefaultUser.meta.properties,
          role: { type: 'string', default: 'member', hidden: true },
          passwordHash: { type: 'string', nullable: true, hidden: true },
        },
      });
    },
    'a defineEntity entity': () =>
      defineEntity({
        name: 'User',
        tableName: 'user',
        properties: {
          id: p.string().primary(),
          name: p.text().nullable(),
          email: p.string().nullable().unique(),
          emailVerified: p.datetime(3).nullable(),
          image: p.text().nullable(),
          role: p.string().default('member').hidden(),
          passwordHash: p.string().nullable().hidden(),
        },
      }),
  };

  for (const [label, make] of Object.entries(variants)) {
    it(`${label}: Auth.js works, references point at it, hidden properties stay hidden`, async () => {
      const User = make();
      const orm = await db.init({ entities: authjsEntities({ entities: { user: User } }) });
      const adapter = MikroOrmAdapter(orm, { entities: { user: User } });
      const user: AdapterUser = {
        id: `u-${label.length}`,
        email: 'own@example.com',
        emailVerified: null,
        name: 'Own',
        image: null,
      };
      // A profile carrying the hidden fields: stored, never handed back.
      const created = await adapter.createUser({
        ...user,
        role: 'admin',
        passwordHash: 'argon2id$secret',
      } as AdapterUser);
      expect(created).toEqual(user);
      const stored = await orm.em
        .fork()
        .getConnection()
        .execute(`select * from ${orm.em.getPlatform().quoteIdentifier('user')}`);
      expect(stored[0]).toMatchObject({ role: 'admin', password_hash: 'argon2id$secret' });

      const account = {
        userId: user.id,
        type: 'oauth' as const,
        provider: 'github',
        providerAccountId: 'own-1',
        expires_at: 4_102_444_800,
      };
      await adapter.linkAccount(account);
      const session = await adapter.createSession({
        sessionToken: `own-${label.length}`,
        userId: user.id,
        expires: new Date('2031-01-01T00:00:00Z'),
      });
      expect(await adapter.getUser(user.id)).toEqual(user);
      expect(await adapter.getUserByEmail(user.email)).toEqual(user);
      expect(
        await adapter.getUserByAccount({ provider: 'github', providerAccountId: 'own-1' }),
      ).toEqual(user);
      expect(await adapter.getSessionAndUser(session.sessionToken)).toEqual({ session, user });
      expect(await adapter.updateUser({ id: user.id, name: 'Renamed' })).toEqual({
        ...user,
        name: 'Renamed',
      });

      // The default entities' bigint properties read as numbers through the app's own EntityManager.
      const em = orm.em.fork();
      const loaded = (await em.findOneOrFail<Record<string, unknown>>(
        'Account' as never,
        { provider: 'github' } as never,
      )) as { expires_at: unknown };
      expect(loaded.expires_at).toBe(4_102_444_800);

      // Foreign keys point at the app's User: deleting it cascades.
      expect(await adapter.deleteUser(user.id)).toEqual({ ...user, name: 'Renamed' });
      expect(await adapter.getSessionAndUser(session.sessionToken)).toBeNull();
    });
  }

  it('the authenticator counter reads as a number through the EntityManager too', async () => {
    const orm = await db.init({ entities: authjsEntities() });
    const adapter = MikroOrmAdapter(orm);
    await adapter.createUser({ id: 'n1', email: 'n1@example.com', emailVerified: null });
    await adapter.createAuthenticator({
      credentialID: 'n1-cred',
      userId: 'n1',
      providerAccountId: 'n1-cred',
      credentialPublicKey: 'k',
      counter: 4_294_967_295,
      credentialDeviceType: 'singleDevice',
      credentialBackedUp: false,
      transports: null,
    });
    const loaded = (await orm.em
      .fork()
      .findOneOrFail<Record<string, unknown>>(
        'Authenticator' as never,
        { credentialID: 'n1-cred' } as never,
      )) as { counter: unknown };
    expect(loaded.counter).toBe(4_294_967_295);
  });
});

describe(`keyed strings compare exactly, in lookups and unique indexes alike (${db.name})`, () => {
  let adapter: AuthjsAdapter;
  const expires = new Date('2031-01-01T00:00:00Z');
  const newUser = (id: string, email: string): AdapterUser => ({
    id,
    email,
    emailVerified: null,
    name: null,
    image: null,
  });

  beforeAll(async () => {
    const orm = await db.init({ entities: authjsEntities() });
    adapter = MikroOrmAdapter(orm);
  });

  it('an email differing in case or accents is another user, whichever comes first', async () => {
    // MySQL/MariaDB's default collations are case- and accent-insensitive: without the binary
    // collation getUserByEmail('TAKEN@…') returned null and the following createUser threw.
    const taken = await adapter.createUser(newUser('taken-lower', 'taken@example.com'));
    expect(await adapter.getUserByEmail('TAKEN@example.com')).toBeNull();
    const upper = await adapter.createUser(newUser('taken-upper', 'TAKEN@example.com'));
    expect(await adapter.getUserByEmail('TAKEN@example.com')).toEqual(upper);
    expect(await adapter.getUserByEmail('taken@example.com')).toEqual(taken);

    // The other direction, and accents: the accented address exists first.
    const accented = await adapter.createUser(newUser('rene-accent', 'rené@example.com'));
    expect(await adapter.getUserByEmail('rene@example.com')).toBeNull();
    const plain = await adapter.createUser(newUser('rene-plain', 'rene@example.com'));
    expect(await adapter.getUserByEmail('rene@example.com')).toEqual(plain);
    expect(await adapter.getUserByEmail('rené@example.com')).toEqual(accented);

    // The unique index still refuses the exact same address.
    await expect(
      adapter.createUser(newUser('taken-again', 'taken@example.com')),
    ).rejects.toMatchObject({ code: 'UNIQUE_VIOLATION' });
  });

  it('provider account ids, session tokens, verification tokens and credential ids too', async () => {
    await adapter.createUser(newUser('keys', 'keys@example.com'));
    const link = (providerAccountId: string) =>
      adapter.linkAccount({ userId: 'keys', type: 'oidc', provider: 'okta', providerAccountId });
    await link('00uAbC');
    await link('00uabc');
    expect(await adapter.getAccount('00uABC', 'okta')).toBeNull();
    expect(await adapter.getAccount('00uabc', 'okta')).toMatchObject({
      providerAccountId: '00uabc',
    });

    await adapter.createSession({ sessionToken: 'Token-A', userId: 'keys', expires });
    expect(await adapter.getSessionAndUser('token-a')).toBeNull();
    await adapter.createSession({ sessionToken: 'token-a', userId: 'keys', expires });
    expect((await adapter.getSessionAndUser('token-a'))?.session.sessionToken).toBe('token-a');

    const token = { identifier: 'keys@example.com', token: 'AbCdEf', expires };
    await adapter.createVerificationToken(token);
    await adapter.createVerificationToken({ ...token, token: 'abcdef' });
    expect(await adapter.useVerificationToken({ ...token, token: 'ABCDEF' })).toBeNull();
    expect(await adapter.useVerificationToken(token)).toEqual(token);
    expect(await adapter.useVerificationToken({ ...token, token: 'abcdef' })).toEqual({
      ...token,
      token: 'abcdef',
    });

    const credential = (credentialID: string) =>
      adapter.createAuthenticator({
        credentialID,
        userId: 'keys',
        providerAccountId: credentialID,
        credentialPublicKey: 'k',
        counter: 0,
        credentialDeviceType: 'singleDevice',
        credentialBackedUp: false,
        transports: null,
      });
    await credential('Q3JlZA');
    await credential('q3jlzA');
    expect(await adapter.getAuthenticator('Q3JLZA')).toBeNull();
    expect(await adapter.getAuthenticator('q3jlzA')).toMatchObject({ credentialID: 'q3jlzA' });
  });
});
