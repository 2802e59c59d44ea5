/**
 * The Auth.js Adapter contract (@auth/core/adapters), written from the interface's documented
 * semantics and run against the default entities on every database.
 */
import type { AdapterAccount, AdapterAuthenticator, AdapterUser } from '@auth/core/adapters';
import { type AuthjsAdapter, authjsTables, MikroOrmAdapter } from '@mikro-auth/authjs';
import {
  buildEntitySchemas,
  createStore,
  ForeignKeyViolationError,
  type Store,
  type TableSpec,
} from '@mikro-auth/core';
import type { MikroORM } from '@mikro-orm/core';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { preparedDuring, preparesOn } from '../core/prepared-runs.js';
import { legReads, useTestDatabase } from '../harness/index.js';

const db = useTestDatabase();
let orm: MikroORM;
let adapter: AuthjsAdapter;
/** Reads the tables directly, to check what the adapter wrote. */
let store: Store;

const PARALLEL = 20;
const verifiedAt = new Date('2026-05-06T07:08:09.123Z');
const expires = new Date('2031-02-03T04:05:06.789Z');

const METHODS = [
  'createAuthenticator',
  'createSession',
  'createUser',
  'createVerificationToken',
  'deleteSession',
  'deleteUser',
  'getAccount',
  'getAuthenticator',
  'getSessionAndUser',
  'getUser',
  'getUserByAccount',
  'getUserByEmail',
  'linkAccount',
  'listAuthenticatorsByUserId',
  'unlinkAccount',
  'updateAuthenticatorCounter',
  'updateSession',
  'updateUser',
  'useVerificationToken',
];

let sequence = 0;
const unique = (prefix: string) => `${prefix}-${++sequence}`;

function newUser(overrides: Partial<AdapterUser> = {}): AdapterUser {
  const id = unique('user');
  return {
    id,
    name: `Name ${id}`,
    email: `${id}@example.com`,
    emailVerified: verifiedAt,
    image: `https://example.com/${id}.png`,
    ...overrides,
  };
}

function newAccount(userId: string, overrides: Partial<AdapterAccount> = {}): AdapterAccount {
  return {
    userId,
    type: 'oauth',
    provider: 'github',
    providerAccountId: unique('gh'),
    access_token: 'gho_access',
    refresh_token: 'ghr_refresh',
    expires_at: 1_900_000_000,
    token_type: 'bearer',
    scope: 'read:user user:email',
    id_token: 'eyJ.header.payload',
    session_state: 'state-123',
    ...overrides,
  };
}

function newAuthenticator(
  userId: string,
  overrides: Partial<AdapterAuthenticator> = {},
): AdapterAuthenticator {
  const credentialID = unique('cred');
  return {
    credentialID,
    userId,
    providerAccountId: credentialID,
    credentialPublicKey: 'pQECAyYgASFYIE-public-key',
    counter: 0,
    credentialDeviceType: 'multiDevice',
    credentialBackedUp: true,
    transports: 'internal,hybrid',
    ...overrides,
  };
}

async function createUser(overrides: Partial<AdapterUser> = {}): Promise<AdapterUser> {
  return adapter.createUser(newUser(overrides));
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected the call to reject');
    },
    (error: unknown) => error,
  );
}

beforeAll(async () => {
  // The Auth.js tables plus one app table whose rows keep their user from being deleted.
  const order: TableSpec = {
    entity: 'Order',
    table: 'app_order',
    fields: { userId: { type: 'string', references: { table: 'User', onDelete: 'restrict' } } },
  };
  orm = await db.init({
    // With the opt-in `extra` column: this file covers keeping a provider's extra fields too.
    entities: buildEntitySchemas([...authjsTables({ accountExtra: true }), order]),
    pool: { min: 0, max: 10 },
  });
  adapter = MikroOrmAdapter(orm, legReads());
  store = createStore(orm);
});

beforeEach(async () => {
  for (const model of [
    'Order',
    'Authenticator',
    'Session',
    'Account',
    'VerificationToken',
    'User',
  ]) {
    await store.deleteMany(model);
  }
});

describe(`Auth.js adapter contract (${db.name})`, () => {
  describe('shape', () => {
    it('implements every Adapter method, and nothing else', () => {
      expect(Object.keys(adapter).sort()).toEqual(METHODS);
      for (const method of METHODS) {
        expect(typeof adapter[method as keyof AuthjsAdapter]).toBe('function');
      }
    });
  });

  describe('users', () => {
    it('createUser returns the user as given, and getUser reads it back', async () => {
      const user = newUser();
      const created = await adapter.createUser(user);
      expect(created).toEqual(user);
      expect(await adapter.getUser(user.id)).toEqual(user);
    });

    it('keeps emailVerified to the millisecond as a Date', async () => {
      const user = await createUser();
      const read = await adapter.getUser(user.id);
      expect(read?.emailVerified).toBeInstanceOf(Date);
      expect(read?.emailVerified?.getTime()).toBe(verifiedAt.getTime());
    });

    it('stores a user with no name, image or verified email as nulls', async () => {
      const id = unique('bare');
      const created = await adapter.createUser({
        id,
        email: `${id}@example.com`,
        emailVerified: null,
      });
      const expected = {
        id,
        email: `${id}@example.com`,
        emailVerified: null,
        name: null,
        image: null,
      };
      expect(created).toEqual(expected);
      expect(await adapter.getUser(id)).toEqual(expected);
    });

    it('getUser and getUserByEmail return null for unknown users', async () => {
      expect(await adapter.getUser('nobody')).toBeNull();
      expect(await adapter.getUserByEmail('nobody@example.com')).toBeNull();
    });

    it('getUserByEmail finds the user', async () => {
      const user = await createUser();
      expect(await adapter.getUserByEmail(user.email)).toEqual(user);
    });

    it('rejects a second user with the same email and keeps the first', async () => {
      const user = await createUser();
      await expect(adapter.createUser(newUser({ email: user.email }))).rejects.toMatchObject({
        code: 'UNIQUE_VIOLATION',
      });
      expect(await adapter.getUserByEmail(user.email)).toEqual(user);
    });

    it('updateUser changes only the given fields and returns the whole user', async () => {
      const user = await createUser({ emailVerified: null });
      const later = new Date('2027-01-02T03:04:05.678Z');
      const updated = await adapter.updateUser({
        id: user.id,
        name: 'Renamed',
        emailVerified: later,
      });
      const expected = { ...user, name: 'Renamed', emailVerified: later };
      expect(updated).toEqual(expected);
      expect(await adapter.getUser(user.id)).toEqual(expected);
      expect(await adapter.updateUser({ id: user.id, image: null })).toEqual({
        ...expected,
        image: null,
      });
    });

    it('updateUser of an unknown user rejects and creates nothing', async () => {
      await expect(adapter.updateUser({ id: 'nobody', name: 'x' })).rejects.toMatchObject({
        code: 'NOT_FOUND',
        message: expect.stringMatching(/nobody/),
      });
      expect(await adapter.getUser('nobody')).toBeNull();
    });
  });

  describe('accounts', () => {
    it('linkAccount returns the account; getAccount and getUserByAccount find it', async () => {
      const user = await createUser();
      const account = newAccount(user.id);
      expect(await adapter.linkAccount(account)).toEqual(account);
      expect(await adapter.getAccount(account.providerAccountId, account.provider)).toEqual(
        account,
      );
      expect(
        await adapter.getUserByAccount({
          provider: account.provider,
          providerAccountId: account.providerAccountId,
        }),
      ).toEqual(user);
    });

    it('getAccount takes (providerAccountId, provider) in that order', async () => {
      const user = await createUser();
      const account = await adapter.linkAccount(newAccount(user.id));
      expect(await adapter.getAccount(account.provider, account.providerAccountId)).toBeNull();
      expect(await adapter.getAccount(account.providerAccountId, account.provider)).not.toBeNull();
    });

    it('an account with no tokens reads back without token fields', async () => {
      const user = await createUser();
      const account: AdapterAccount = {
        userId: user.id,
        type: 'email',
        provider: 'email',
        providerAccountId: user.email,
      };
      expect(await adapter.linkAccount(account)).toEqual(account);
      expect(await adapter.getAccount(account.providerAccountId, 'email')).toEqual(account);
    });

    it('stores token-response fields that have no column, and merges them back on read', async () => {
      const user = await createUser();
      const account = newAccount(user.id, {
        foo_bar: 'custom value',
        expires_in: 3600,
        refresh_token_expires_in: 15_897_600,
        authorization_details: [{ type: 'payment_initiation', locations: ['https://x.io'] }],
        not_before_policy: 0,
        ok: true,
        nothing: null,
        nested: { a: { b: [1, 'two', false] } },
      });
      expect(await adapter.linkAccount(account)).toEqual(account);
      expect(await adapter.getAccount(account.providerAccountId, account.provider)).toEqual(
        account,
      );

      // session_state has its own column; foo_bar and the other unknown fields live in `extra`.
      const stored = await store.findOne('Account', [
        { field: 'providerAccountId', value: account.providerAccountId },
      ]);
      expect(stored).toMatchObject({ session_state: 'state-123', expires_at: 1_900_000_000 });
      expect(stored?.extra).toEqual({
        foo_bar: 'custom value',
        expires_in: 3600,
        refresh_token_expires_in: 15_897_600,
        authorization_details: [{ type: 'payment_initiation', locations: ['https://x.io'] }],
        not_before_policy: 0,
        ok: true,
        nothing: null,
        nested: { a: { b: [1, 'two', false] } },
      });
    });

    it('a provider field named like a key column (user_id, id) never overwrites the key', async () => {
      const user = await createUser();
      const account = newAccount(user.id, {
        user_id: 'instagram-user-42',
        id: 'https://sf.io/id/1',
      });
      expect(await adapter.linkAccount(account)).toEqual(account);
      expect(await adapter.getAccount(account.providerAccountId, account.provider)).toEqual(
        account,
      );
      expect(
        await adapter.getUserByAccount({
          provider: account.provider,
          providerAccountId: account.providerAccountId,
        }),
      ).toEqual(user);
    });

    it('expires_at beyond 2038 round-trips as a number', async () => {
      const user = await createUser();
      const account = await adapter.linkAccount(newAccount(user.id, { expires_at: 4_102_444_800 }));
      const read = await adapter.getAccount(account.providerAccountId, account.provider);
      expect(read?.expires_at).toBe(4_102_444_800);
    });

    it('getAccount and getUserByAccount return null for unknown accounts', async () => {
      expect(await adapter.getAccount('nope', 'github')).toBeNull();
      expect(
        await adapter.getUserByAccount({ provider: 'github', providerAccountId: 'nope' }),
      ).toBeNull();
    });

    it('getUserByAccount is one SQL statement', async () => {
      const user = await createUser();
      const account = await adapter.linkAccount(newAccount(user.id));
      const { result, queries } = await db.recordQueries(() =>
        adapter.getUserByAccount({
          provider: account.provider,
          providerAccountId: account.providerAccountId,
        }),
      );
      expect(result).toEqual(user);
      expect(queries).toHaveLength(1);
    });

    it('linkAccount for an unknown user rejects with a foreign key error and writes nothing', async () => {
      const before = await store.count('Account');
      const error = await failure(adapter.linkAccount(newAccount('no-such-user')));
      expect(error).toBeInstanceOf(ForeignKeyViolationError);
      expect(error).toMatchObject({ code: 'FOREIGN_KEY_VIOLATION' });
      expect(await store.count('Account')).toBe(before);
    });

    it('rejects linking the same provider account twice', async () => {
      const user = await createUser();
      const account = await adapter.linkAccount(newAccount(user.id));
      await expect(adapter.linkAccount(account)).rejects.toMatchObject({
        code: 'UNIQUE_VIOLATION',
      });
    });

    it('unlinkAccount removes the account, returns it, and keeps the user', async () => {
      const user = await createUser();
      const account = await adapter.linkAccount(newAccount(user.id));
      const ids = { provider: account.provider, providerAccountId: account.providerAccountId };
      expect(await adapter.unlinkAccount(ids)).toEqual(account);
      expect(await adapter.getAccount(account.providerAccountId, account.provider)).toBeNull();
      expect(await adapter.getUserByAccount(ids)).toBeNull();
      expect(await adapter.getUser(user.id)).toEqual(user);
      expect(await adapter.unlinkAccount(ids)).toBeUndefined();
    });
  });

  describe('sessions', () => {
    it('createSession returns the session; getSessionAndUser returns it with its user', async () => {
      const user = await createUser();
      const session = { sessionToken: unique('token'), userId: user.id, expires };
      // Every session method returns the session's own id too, as @auth/mikro-orm-adapter did.
      const created = await adapter.createSession(session);
      expect(created).toEqual({ ...session, id: expect.any(String) });
      const found = await adapter.getSessionAndUser(session.sessionToken);
      expect(found).toEqual({ session: created, user });
      expect(found?.session.expires).toBeInstanceOf(Date);
      expect(found?.session.expires.getTime()).toBe(expires.getTime());
    });

    it('getSessionAndUser is one SQL statement', async () => {
      const user = await createUser();
      const session = await adapter.createSession({
        sessionToken: unique('token'),
        userId: user.id,
        expires,
      });
      const { result, queries } = await db.recordQueries(() =>
        adapter.getSessionAndUser(session.sessionToken),
      );
      expect(result).toEqual({ session, user });
      expect(queries).toHaveLength(1);
    });

    it('getSessionAndUser returns null for an unknown token', async () => {
      expect(await adapter.getSessionAndUser('no-such-token')).toBeNull();
    });

    it('returns an expired session too: Auth.js itself deletes it', async () => {
      const user = await createUser();
      const past = new Date('2020-01-01T00:00:00.001Z');
      const session = await adapter.createSession({
        sessionToken: unique('token'),
        userId: user.id,
        expires: past,
      });
      expect((await adapter.getSessionAndUser(session.sessionToken))?.session.expires).toEqual(
        past,
      );
    });

    it('updateSession changes the expiry to the millisecond and returns the session', async () => {
      const user = await createUser();
      const session = await adapter.createSession({
        sessionToken: unique('token'),
        userId: user.id,
        expires,
      });
      const later = new Date('2032-12-31T23:59:59.999Z');
      const updated = await adapter.updateSession({
        sessionToken: session.sessionToken,
        expires: later,
      });
      expect(updated).toEqual({ ...session, expires: later });
      expect((await adapter.getSessionAndUser(session.sessionToken))?.session.expires).toEqual(
        later,
      );
    });

    it('updateSession returns null for an unknown token', async () => {
      expect(await adapter.updateSession({ sessionToken: 'nope', expires })).toBeNull();
    });

    it('deleteSession removes the session and returns it; a second call returns null', async () => {
      const user = await createUser();
      const session = await adapter.createSession({
        sessionToken: unique('token'),
        userId: user.id,
        expires,
      });
      expect(await adapter.deleteSession(session.sessionToken)).toEqual(session);
      expect(await adapter.getSessionAndUser(session.sessionToken)).toBeNull();
      expect(await adapter.deleteSession(session.sessionToken)).toBeNull();
      expect(await adapter.getUser(user.id)).toEqual(user);
    });

    it('createSession for an unknown user rejects and writes nothing', async () => {
      const error = await failure(
        adapter.createSession({ sessionToken: unique('token'), userId: 'nobody', expires }),
      );
      expect(error).toBeInstanceOf(ForeignKeyViolationError);
      expect(await store.count('Session')).toBe(0);
    });
  });

  describe('verification tokens', () => {
    it('createVerificationToken returns the token as given', async () => {
      const token = { identifier: 'ada@example.com', token: unique('hash'), expires };
      expect(await adapter.createVerificationToken(token)).toEqual(token);
    });

    it('useVerificationToken returns the token once; a second call returns null', async () => {
      const token = { identifier: 'ada@example.com', token: unique('hash'), expires };
      await adapter.createVerificationToken(token);
      const used = await adapter.useVerificationToken({
        identifier: token.identifier,
        token: token.token,
      });
      expect(used).toEqual(token);
      expect(used?.expires).toBeInstanceOf(Date);
      expect(
        await adapter.useVerificationToken({ identifier: token.identifier, token: token.token }),
      ).toBeNull();
    });

    it('needs both identifier and token: a mismatched identifier gets null and uses nothing', async () => {
      const token = { identifier: 'ada@example.com', token: unique('hash'), expires };
      await adapter.createVerificationToken(token);
      expect(
        await adapter.useVerificationToken({ identifier: 'eve@example.com', token: token.token }),
      ).toBeNull();
      expect(
        await adapter.useVerificationToken({ identifier: token.identifier, token: 'other' }),
      ).toBeNull();
      expect(
        await adapter.useVerificationToken({ identifier: token.identifier, token: token.token }),
      ).toEqual(token);
    });

    it('keeps the same token for two identifiers apart (e.g. short one-time codes)', async () => {
      const shared = unique('hash-of-123456');
      const ada = { identifier: 'ada@example.com', token: shared, expires };
      const bob = { identifier: 'bob@example.com', token: shared, expires };
      await adapter.createVerificationToken(ada);
      await adapter.createVerificationToken(bob);
      expect(
        await adapter.useVerificationToken({ identifier: ada.identifier, token: shared }),
      ).toEqual(ada);
      expect(
        await adapter.useVerificationToken({ identifier: bob.identifier, token: shared }),
      ).toEqual(bob);
    });

    it('useVerificationToken returns null for an unknown token', async () => {
      expect(await adapter.useVerificationToken({ identifier: 'x', token: 'y' })).toBeNull();
    });
  });

  describe('WebAuthn authenticators', () => {
    it('createAuthenticator returns it; getAuthenticator reads it back with exact types', async () => {
      const user = await createUser();
      await adapter.linkAccount({
        userId: user.id,
        type: 'webauthn',
        provider: 'passkey',
        providerAccountId: 'cred-shared',
      });
      const authenticator = newAuthenticator(user.id, { providerAccountId: 'cred-shared' });
      expect(await adapter.createAuthenticator(authenticator)).toEqual(authenticator);
      const read = await adapter.getAuthenticator(authenticator.credentialID);
      expect(read).toEqual(authenticator);
      expect(typeof read?.counter).toBe('number');
      expect(typeof read?.credentialBackedUp).toBe('boolean');
      expect(await adapter.getAccount('cred-shared', 'passkey')).toMatchObject({
        userId: user.id,
        type: 'webauthn',
      });
    });

    it('stores transports as null when absent, and a backed-up flag of false', async () => {
      const user = await createUser();
      const authenticator = newAuthenticator(user.id, {
        transports: null,
        credentialBackedUp: false,
        credentialDeviceType: 'singleDevice',
      });
      await adapter.createAuthenticator(authenticator);
      expect(await adapter.getAuthenticator(authenticator.credentialID)).toEqual(authenticator);
    });

    it('getAuthenticator returns null for an unknown credential', async () => {
      expect(await adapter.getAuthenticator('no-such-credential')).toBeNull();
    });

    it('createAuthenticator throws on failure: duplicate credential or unknown user', async () => {
      const user = await createUser();
      const authenticator = await adapter.createAuthenticator(newAuthenticator(user.id));
      await expect(adapter.createAuthenticator(authenticator)).rejects.toMatchObject({
        code: 'UNIQUE_VIOLATION',
      });
      await expect(adapter.createAuthenticator(newAuthenticator('nobody'))).rejects.toMatchObject({
        code: 'FOREIGN_KEY_VIOLATION',
      });
      expect(await store.count('Authenticator')).toBe(1);
    });

    it("listAuthenticatorsByUserId lists the user's authenticators, [] for an unknown user", async () => {
      const user = await createUser();
      const other = await createUser();
      const first = await adapter.createAuthenticator(newAuthenticator(user.id));
      const second = await adapter.createAuthenticator(newAuthenticator(user.id, { counter: 7 }));
      await adapter.createAuthenticator(newAuthenticator(other.id));
      const listed = await adapter.listAuthenticatorsByUserId(user.id);
      const byId = (a: AdapterAuthenticator, b: AdapterAuthenticator) =>
        a.credentialID.localeCompare(b.credentialID);
      expect([...listed].sort(byId)).toEqual([first, second].sort(byId));
      expect(await adapter.listAuthenticatorsByUserId('nobody')).toEqual([]);
    });

    it('updateAuthenticatorCounter writes the new counter (full unsigned 32-bit range)', async () => {
      const user = await createUser();
      const authenticator = await adapter.createAuthenticator(newAuthenticator(user.id));
      const max = 4_294_967_295;
      expect(await adapter.updateAuthenticatorCounter(authenticator.credentialID, max)).toEqual({
        ...authenticator,
        counter: max,
      });
      expect((await adapter.getAuthenticator(authenticator.credentialID))?.counter).toBe(max);
    });

    it('updateAuthenticatorCounter rejects for an unknown credential', async () => {
      const error = await adapter
        .updateAuthenticatorCounter('no-such-credential', 1)
        .catch((e) => e);
      expect(error).toMatchObject({
        code: 'NOT_FOUND',
        message: expect.stringMatching(/no-such-credential/),
      });
    });
  });

  describe('deleteUser', () => {
    it('removes the user with their sessions, accounts and authenticators, and returns the user', async () => {
      const user = await createUser();
      const other = await createUser();
      const accounts = [
        await adapter.linkAccount(newAccount(user.id)),
        await adapter.linkAccount(newAccount(user.id, { provider: 'google' })),
      ];
      const sessions = [
        await adapter.createSession({ sessionToken: unique('t'), userId: user.id, expires }),
        await adapter.createSession({ sessionToken: unique('t'), userId: user.id, expires }),
      ];
      const authenticator = await adapter.createAuthenticator(newAuthenticator(user.id));
      const otherSession = await adapter.createSession({
        sessionToken: unique('t'),
        userId: other.id,
        expires,
      });
      const otherAccount = await adapter.linkAccount(newAccount(other.id));

      expect(await adapter.deleteUser(user.id)).toEqual(user);

      expect(await adapter.getUser(user.id)).toBeNull();
      for (const session of sessions) {
        expect(await adapter.getSessionAndUser(session.sessionToken)).toBeNull();
      }
      for (const account of accounts) {
        expect(await adapter.getAccount(account.providerAccountId, account.provider)).toBeNull();
      }
      expect(await adapter.getAuthenticator(authenticator.credentialID)).toBeNull();
      expect(await adapter.listAuthenticatorsByUserId(user.id)).toEqual([]);
      // Nobody else's rows are touched.
      expect(await adapter.getSessionAndUser(otherSession.sessionToken)).toEqual({
        session: otherSession,
        user: other,
      });
      expect(
        await adapter.getAccount(otherAccount.providerAccountId, otherAccount.provider),
      ).toEqual(otherAccount);
    });

    it('is all or nothing: when the user cannot go, their sessions and accounts stay', async () => {
      const user = await createUser();
      const session = await adapter.createSession({
        sessionToken: unique('t'),
        userId: user.id,
        expires,
      });
      const account = await adapter.linkAccount(newAccount(user.id));
      // An app table that refuses to lose its user (ON DELETE RESTRICT).
      await store.create('Order', { id: unique('order'), userId: user.id });

      const error = await failure(adapter.deleteUser(user.id));
      expect(error).toBeInstanceOf(ForeignKeyViolationError);
      expect(await adapter.getUser(user.id)).toEqual(user);
      expect(await adapter.getSessionAndUser(session.sessionToken)).toEqual({ session, user });
      expect(await adapter.getAccount(account.providerAccountId, account.provider)).toEqual(
        account,
      );
    });

    it('returns null for an unknown user', async () => {
      expect(await adapter.deleteUser('nobody')).toBeNull();
    });
  });

  describe('concurrency', () => {
    it(`${PARALLEL} parallel useVerificationToken on one token: exactly one gets it`, async () => {
      const token = { identifier: 'race@example.com', token: unique('hash'), expires };
      await adapter.createVerificationToken(token);
      const results = await Promise.all(
        Array.from({ length: PARALLEL }, () =>
          adapter.useVerificationToken({ identifier: token.identifier, token: token.token }),
        ),
      );
      const winners = results.filter((result) => result !== null);
      expect(winners).toEqual([token]);
      expect(await store.count('VerificationToken')).toBe(0);
    });

    it(`${PARALLEL} parallel deleteSession on one session: exactly one gets it`, async () => {
      const user = await createUser();
      const session = await adapter.createSession({
        sessionToken: unique('token'),
        userId: user.id,
        expires,
      });
      const results = await Promise.all(
        Array.from({ length: PARALLEL }, () => adapter.deleteSession(session.sessionToken)),
      );
      expect(results.filter((result) => result !== null)).toEqual([session]);
      expect(await store.count('Session')).toBe(0);
    });

    it(`${PARALLEL} concurrent first calls on a fresh adapter all run on the given ORM`, async () => {
      const user = await createUser();
      const fresh = MikroOrmAdapter(orm);
      const { result, queries } = await db.recordQueries(() =>
        Promise.all(Array.from({ length: PARALLEL }, () => fresh.getUser(user.id))),
      );
      expect(result).toEqual(Array.from({ length: PARALLEL }, () => user));
      // Every statement reached the given ORM's onQuery hook: one per call, none elsewhere.
      expect(queries).toHaveLength(PARALLEL);
      expect(queries.every((sql) => /^select\b/i.test(sql) && /\buser\b/.test(sql))).toBe(true);
    });
  });

  describe('EntityManager resolution', () => {
    it('takes an EntityManager or a getter as well as the ORM', async () => {
      const user = await createUser();
      expect(await MikroOrmAdapter(orm.em).getUser(user.id)).toEqual(user);
      expect(await MikroOrmAdapter(() => orm.em).getUser(user.id)).toEqual(user);
    });

    it("joins the app's own transaction: a rollback undoes the adapter's writes", async () => {
      const user = newUser();
      const boom = new Error('rolled back');
      const error = await failure(
        orm.em.fork().transactional(async () => {
          await adapter.createUser(user);
          expect(await adapter.getUser(user.id)).toEqual(user);
          throw boom;
        }),
      );
      expect(error).toBe(boom);
      expect(await adapter.getUser(user.id)).toBeNull();
    });
  });
});

describe(`Auth.js adapter options (${db.name})`, () => {
  it('preparedStatements: false reaches the store (look-ups then run as MikroORM runs them)', async () => {
    const user = await createUser({ email: 'prepared@example.com' });
    const lookUps = async (options: { preparedStatements?: boolean }) => {
      const own = MikroOrmAdapter(orm, options);
      const found: unknown[] = [];
      const prepared = await preparedDuring(async () => {
        for (const id of [user.id, user.id, 'nobody'])
          found.push((await own.getUser(id))?.email ?? null);
      });
      return { found, prepared };
    };
    const on = await lookUps({});
    const off = await lookUps({ preparedStatements: false });
    expect(on.found).toEqual(['prepared@example.com', 'prepared@example.com', null]);
    expect(off.found).toEqual(on.found);
    // The first look-up learns the statement; the other two run it prepared where that exists.
    expect(on.prepared).toBe(preparesOn(db) ? 2 : 0);
    expect(off.prepared).toBe(0);
  });
});
