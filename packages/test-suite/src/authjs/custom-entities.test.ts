/**
 * The adapter on entities the app shaped itself: the default tables extended and renamed through
 * `authjsEntities` options, and entities written by hand with `new EntitySchema(...)` under
 * MikroORM's UnderscoreNamingStrategy, handed to the adapter through its `entities` option.
 */
import type { AdapterAccount, AdapterUser } from '@auth/core/adapters';
import { type AuthjsAdapter, authjsEntities, MikroOrmAdapter } from '@mikro-auth/authjs';
import { createStore, SchemaMismatchError, type Store } from '@mikro-auth/core';
import {
  type Dictionary,
  EntitySchema,
  type MikroORM,
  UnderscoreNamingStrategy,
} from '@mikro-orm/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../harness/index.js';

const db = useTestDatabase();
/** updateUser's argument with an app field Auth.js types do not know (apps add it by module augmentation). */
type UserChanges = Partial<AdapterUser> & Pick<AdapterUser, 'id'>;
const verifiedAt = new Date('2026-05-06T07:08:09.123Z');
const expires = new Date('2031-02-03T04:05:06.789Z');

let sequence = 0;
const unique = (prefix: string) => `${prefix}-${++sequence}`;

function newUser(): AdapterUser {
  const id = unique('user');
  return {
    id,
    name: `Name ${id}`,
    email: `${id}@example.com`,
    emailVerified: verifiedAt,
    image: null,
  };
}

function newAccount(userId: string, overrides: Partial<AdapterAccount> = {}): AdapterAccount {
  return {
    userId,
    type: 'oidc',
    provider: 'keycloak',
    providerAccountId: unique('kc'),
    access_token: 'access',
    expires_at: 1_900_000_000,
    token_type: 'bearer',
    scope: 'openid email',
    id_token: 'eyJ.id.token',
    session_state: 'b0c2e7f4-state',
    ...overrides,
  };
}

describe(`extended and renamed default tables (${db.name})`, () => {
  let orm: MikroORM;
  let adapter: AuthjsAdapter;

  beforeAll(async () => {
    orm = await db.init({
      entities: authjsEntities({
        tableNames: {
          user: 'auth_users',
          account: 'auth_accounts',
          session: 'auth_sessions',
          verificationToken: 'auth_verification_tokens',
          authenticator: 'auth_authenticators',
        },
        entityNames: { user: 'AuthUser' },
        columns: {
          user: { emailVerified: 'email_verified_at' },
          session: { sessionToken: 'token' },
        },
        additionalFields: {
          user: { role: { type: 'string', default: 'user' } },
          session: { ipAddress: { type: 'string', required: false, column: 'ip_address' } },
        },
      }),
    });
    adapter = MikroOrmAdapter(orm, { entities: { user: 'AuthUser' } });
  });

  it('creates the renamed tables and columns', async () => {
    const sql = await orm.schema.getCreateSchemaSQL();
    for (const name of [
      'auth_users',
      'auth_accounts',
      'auth_sessions',
      'auth_verification_tokens',
      'auth_authenticators',
      'email_verified_at',
      'role',
      'ip_address',
    ]) {
      expect(sql).toContain(name);
    }
    expect(sql).not.toMatch(/["`]user["`]/);
  });

  it('writes and reads an added role column (database default when absent) through createUser, updateUser and getUser', async () => {
    const user = newUser();
    expect(await adapter.createUser({ ...user, role: 'admin' } as AdapterUser)).toEqual({
      ...user,
      role: 'admin',
    });
    const plain = newUser();
    expect(await adapter.createUser(plain)).toEqual({ ...plain, role: 'user' });
    const updated = await adapter.updateUser({ id: plain.id, role: 'editor' } as UserChanges);
    expect(updated).toEqual({ ...plain, role: 'editor' });
    expect(await adapter.getUser(plain.id)).toEqual({ ...plain, role: 'editor' });
  });

  it('keeps profile keys the user table has no column for out of the database', async () => {
    const user = newUser();
    const created = await adapter.createUser({ ...user, nickname: 'ada' } as AdapterUser);
    expect(created).toEqual({ ...user, role: 'user' });
  });

  it('returns the role with the session user and the account user', async () => {
    const user = await adapter.createUser({ ...newUser(), role: 'admin' } as AdapterUser);
    const session = await adapter.createSession({
      sessionToken: unique('token'),
      userId: user.id,
      expires,
    });
    expect(session).toEqual({
      id: expect.any(String),
      sessionToken: session.sessionToken,
      userId: user.id,
      expires,
      ipAddress: null,
    });
    const found = await adapter.getSessionAndUser(session.sessionToken);
    expect(found?.user).toEqual(user);
    expect(found?.user).toMatchObject({ role: 'admin' });
    const account = await adapter.linkAccount(newAccount(user.id));
    expect(
      await adapter.getUserByAccount({
        provider: account.provider,
        providerAccountId: account.providerAccountId,
      }),
    ).toEqual(user);
  });

  it('deletes the user with everything of theirs', async () => {
    const user = await adapter.createUser(newUser());
    const account = await adapter.linkAccount(newAccount(user.id));
    const session = await adapter.createSession({
      sessionToken: unique('t'),
      userId: user.id,
      expires,
    });
    expect(await adapter.deleteUser(user.id)).toEqual({ ...user, role: 'user' });
    expect(await adapter.getSessionAndUser(session.sessionToken)).toBeNull();
    expect(await adapter.getAccount(account.providerAccountId, account.provider)).toBeNull();
  });
});

describe(`hand-written entities, UnderscoreNamingStrategy, no cascades (${db.name})`, () => {
  // Written here by hand, as an app would: no Auth.js builder, snake_case columns from the naming
  // strategy, foreign keys without ON DELETE CASCADE, other primary keys than a string `id`.
  const AppUser = new EntitySchema<Dictionary>({
    name: 'AppUser',
    tableName: 'app_users',
    properties: {
      id: { type: 'string', primary: true },
      name: { type: 'string', nullable: true },
      email: { type: 'string', unique: true },
      verifiedAt: { type: 'datetime', length: 3, nullable: true },
      image: { type: 'text', nullable: true },
      role: { type: 'string', default: 'user' },
    },
  });
  const AppAccount = new EntitySchema<Dictionary>({
    name: 'AppAccount',
    tableName: 'app_accounts',
    properties: {
      id: { type: 'integer', primary: true, autoincrement: true },
      user: { kind: 'm:1', entity: () => AppUser },
      type: { type: 'string' },
      provider: { type: 'string' },
      providerAccountId: { type: 'string' },
      refresh_token: { type: 'text', nullable: true },
      access_token: { type: 'text', nullable: true },
      expires_at: { type: 'integer', nullable: true },
      token_type: { type: 'string', nullable: true },
      scope: { type: 'string', nullable: true },
      id_token: { type: 'text', nullable: true },
      session_state: { type: 'string', nullable: true },
      tokenExtras: { type: 'json', nullable: true },
    },
    uniques: [{ properties: ['provider', 'providerAccountId'] }],
  });
  const AppSession = new EntitySchema<Dictionary>({
    name: 'AppSession',
    tableName: 'app_sessions',
    properties: {
      id: { type: 'uuid', primary: true },
      user: { kind: 'm:1', entity: () => AppUser },
      sessionToken: { type: 'string', unique: true },
      expires: { type: 'datetime', length: 3 },
    },
  });
  const AppVerificationToken = new EntitySchema<Dictionary>({
    name: 'AppVerificationToken',
    tableName: 'app_verification_tokens',
    properties: {
      token: { type: 'string', primary: true },
      identifier: { type: 'string' },
      expires: { type: 'datetime', length: 3 },
    },
    uniques: [{ properties: ['identifier', 'token'] }],
  });
  const AppAuthenticator = new EntitySchema<Dictionary>({
    name: 'AppAuthenticator',
    tableName: 'app_authenticators',
    properties: {
      credentialID: { type: 'string', primary: true },
      user: { kind: 'm:1', entity: () => AppUser },
      providerAccountId: { type: 'string' },
      credentialPublicKey: { type: 'text' },
      counter: { type: 'integer' },
      credentialDeviceType: { type: 'string' },
      credentialBackedUp: { type: 'boolean' },
      transports: { type: 'string', nullable: true },
    },
  });

  let orm: MikroORM;
  let adapter: AuthjsAdapter;
  let store: Store;

  beforeAll(async () => {
    orm = await db.init({
      entities: [AppUser, AppAccount, AppSession, AppVerificationToken, AppAuthenticator],
      namingStrategy: UnderscoreNamingStrategy,
    });
    adapter = MikroOrmAdapter(orm, {
      entities: {
        user: AppUser,
        account: AppAccount,
        session: AppSession,
        verificationToken: AppVerificationToken,
        authenticator: AppAuthenticator,
      },
      fields: { user: { emailVerified: 'verifiedAt' }, account: { extra: 'tokenExtras' } },
    });
    store = createStore(orm);
  });

  it('has snake_case columns and no cascading deletes', async () => {
    const sql = await orm.schema.getCreateSchemaSQL();
    for (const column of [
      'verified_at',
      'user_id',
      'provider_account_id',
      'session_token',
      'credential_id',
      'token_extras',
    ]) {
      expect(sql).toContain(column);
    }
    expect(sql).not.toMatch(/on delete cascade/i);
  });

  it("fills the role from the column's database default and round-trips a new one", async () => {
    const user = newUser();
    expect(await adapter.createUser(user)).toEqual({ ...user, role: 'user' });
    expect(await adapter.updateUser({ id: user.id, role: 'admin' } as UserChanges)).toEqual({
      ...user,
      role: 'admin',
    });
    expect(await adapter.getUser(user.id)).toEqual({ ...user, role: 'admin' });
    expect(await adapter.getUserByEmail(user.email)).toEqual({ ...user, role: 'admin' });
  });

  it('maps accounts onto the many-to-one user and keeps extra fields in the named JSON property', async () => {
    const user = await adapter.createUser(newUser());
    const account = newAccount(user.id, { foo_bar: 'baz', 'not-before-policy': 0 });
    expect(await adapter.linkAccount(account)).toEqual(account);
    expect(await adapter.getAccount(account.providerAccountId, account.provider)).toEqual(account);
    const stored = await store.findOne('AppAccount', [
      { field: 'providerAccountId', value: account.providerAccountId },
    ]);
    expect(stored).toMatchObject({
      user: user.id,
      session_state: account.session_state,
      tokenExtras: { foo_bar: 'baz', 'not-before-policy': 0 },
    });
    // The serial primary key is the database's; Auth.js never sees it.
    expect(typeof stored?.id).toBe('number');
    expect(
      await adapter.getUserByAccount({
        provider: account.provider,
        providerAccountId: account.providerAccountId,
      }),
    ).toEqual({ ...user, role: 'user' });
    expect(
      await adapter.unlinkAccount({
        provider: account.provider,
        providerAccountId: account.providerAccountId,
      }),
    ).toEqual(account);
  });

  it('generates the uuid key of a session and reads it with its user in one statement', async () => {
    const user = await adapter.createUser(newUser());
    const input = { sessionToken: unique('token'), userId: user.id, expires };
    const session = await adapter.createSession(input);
    // The generated uuid key comes back as the session's id.
    expect(session).toEqual({ ...input, id: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    const { result, queries } = await db.recordQueries(() =>
      adapter.getSessionAndUser(session.sessionToken),
    );
    expect(result).toEqual({ session, user });
    expect(queries).toHaveLength(1);
    const later = new Date('2033-01-01T00:00:00.001Z');
    expect(
      await adapter.updateSession({ sessionToken: session.sessionToken, expires: later }),
    ).toEqual({ ...session, expires: later });
    expect(await adapter.deleteSession(session.sessionToken)).toEqual({
      ...session,
      expires: later,
    });
    expect(await adapter.deleteSession(session.sessionToken)).toBeNull();
  });

  it('uses a verification token keyed by the token itself exactly once', async () => {
    const token = { identifier: 'ada@example.com', token: unique('hash'), expires };
    expect(await adapter.createVerificationToken(token)).toEqual(token);
    expect(
      await adapter.useVerificationToken({ identifier: 'eve@example.com', token: token.token }),
    ).toBeNull();
    expect(await adapter.useVerificationToken(token)).toEqual(token);
    expect(await adapter.useVerificationToken(token)).toBeNull();
  });

  it('stores authenticators keyed by their credential ID', async () => {
    const user = await adapter.createUser(newUser());
    const authenticator = {
      credentialID: unique('cred'),
      userId: user.id,
      providerAccountId: 'cred-account',
      credentialPublicKey: 'pQECAyYgASFY',
      counter: 3,
      credentialDeviceType: 'singleDevice',
      credentialBackedUp: false,
      transports: 'usb',
    };
    expect(await adapter.createAuthenticator(authenticator)).toEqual(authenticator);
    expect(await adapter.getAuthenticator(authenticator.credentialID)).toEqual(authenticator);
    expect(await adapter.listAuthenticatorsByUserId(user.id)).toEqual([authenticator]);
    expect(await adapter.updateAuthenticatorCounter(authenticator.credentialID, 4)).toEqual({
      ...authenticator,
      counter: 4,
    });
    await expect(adapter.updateAuthenticatorCounter('unknown', 1)).rejects.toThrow(/unknown/);
  });

  it('deleteUser removes sessions, accounts and authenticators although nothing cascades', async () => {
    const user = await adapter.createUser(newUser());
    const account = await adapter.linkAccount(newAccount(user.id));
    const session = await adapter.createSession({
      sessionToken: unique('t'),
      userId: user.id,
      expires,
    });
    const authenticator = await adapter.createAuthenticator({
      credentialID: unique('cred'),
      userId: user.id,
      providerAccountId: 'p',
      credentialPublicKey: 'k',
      counter: 0,
      credentialDeviceType: 'multiDevice',
      credentialBackedUp: true,
      transports: null,
    });
    expect(await adapter.deleteUser(user.id)).toEqual({ ...user, role: 'user' });
    expect(await adapter.getUser(user.id)).toBeNull();
    expect(await adapter.getSessionAndUser(session.sessionToken)).toBeNull();
    expect(await adapter.getAccount(account.providerAccountId, account.provider)).toBeNull();
    expect(await adapter.getAuthenticator(authenticator.credentialID)).toBeNull();
  });

  /** The session mapped to the user entity: it has none of the session's fields. */
  const wrongSession = {
    entities: { user: AppUser, session: AppUser },
    fields: { user: { emailVerified: 'verifiedAt' } },
  };

  it('fails at construction with every missing Auth.js field when an entity lacks some', async () => {
    let thrown: unknown;
    const { queries } = await db.recordQueries(async () => {
      try {
        MikroOrmAdapter(orm, wrongSession);
      } catch (error) {
        thrown = error;
      }
    });
    expect(thrown).toBeInstanceOf(SchemaMismatchError);
    const { code, message, problems } = thrown as SchemaMismatchError;
    expect(code).toBe('SCHEMA_MISMATCH');
    // All of them in one error, each with the entity that lacks it; the check runs no SQL.
    expect(problems.map((problem) => problem.kind === 'missing-field' && problem.field)).toEqual([
      'sessionToken',
      'userId',
      'expires',
    ]);
    expect(message).toMatch(
      /entity AppUser has no property or column "sessionToken" or "session_token"/,
    );
    expect(queries).toEqual([]);
  });

  it('behind a getter (the ORM may not exist yet) names the missing field on first use', async () => {
    const wrong = MikroOrmAdapter(() => orm.em, wrongSession);
    await expect(
      wrong.createSession({ sessionToken: 'x', userId: 'y', expires }),
    ).rejects.toMatchObject({
      code: 'UNKNOWN_FIELD',
      message: expect.stringMatching(/sessionToken/),
    });
  });
});

describe(`without the WebAuthn table (${db.name})`, () => {
  let adapter: AuthjsAdapter;

  beforeAll(async () => {
    const orm = await db.init({
      entities: authjsEntities({
        webAuthn: false,
        tableNames: {
          user: 'plain_users',
          account: 'plain_accounts',
          session: 'plain_sessions',
          verificationToken: 'plain_tokens',
        },
      }),
    });
    adapter = MikroOrmAdapter(orm);
  });

  it('deleteUser works with no authenticator entity; the WebAuthn methods name the missing model', async () => {
    const user = await adapter.createUser(newUser());
    await adapter.createSession({ sessionToken: unique('t'), userId: user.id, expires });
    expect(await adapter.deleteUser(user.id)).toEqual(user);
    expect(await adapter.getUser(user.id)).toBeNull();
    await expect(adapter.getAuthenticator('x')).rejects.toMatchObject({
      code: 'UNKNOWN_MODEL',
      message: expect.stringMatching(/Authenticator/),
    });
  });
});
