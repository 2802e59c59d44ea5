/** The Auth.js `Adapter` methods: each maps its arguments through the codec and calls the core store. */
import { createStore, type ModelTarget, NotFoundError, type OrmSource } from '@mikro-auth/core';
import { authjsCodec } from './codec.js';
import { AUTHJS_MODELS } from './entities.js';
import { assertOptions, assertOrmSource } from './guards.js';
import type { AuthjsAdapter, MikroOrmAdapterOptions } from './types.js';

export type { AuthjsAdapter, MikroOrmAdapterOptions } from './types.js';

/**
 * Auth.js database adapter on your own initialised MikroORM (or an EntityManager, or a getter
 * returning one). Every call runs on the active transaction, else the request context, else a
 * fresh fork; the adapter never creates an ORM or a connection pool of its own.
 */
export function MikroOrmAdapter(
  orm: OrmSource,
  options: MikroOrmAdapterOptions = {},
): AuthjsAdapter {
  assertOrmSource(orm);
  assertOptions(options);
  const models: Record<string, ModelTarget> = {};
  for (const model of AUTHJS_MODELS) {
    const target = options.entities?.[model];
    if (target !== undefined) models[model] = target;
  }
  const store = createStore(orm, { models, ...(options.reads ? { reads: options.reads } : {}) });
  const {
    view,
    optionalView,
    eq,
    input,
    withKey,
    toUser,
    toAccount,
    toSession,
    toToken,
    toAuthenticator,
    userJoin,
    joinedUser,
  } = authjsCodec(store, options, orm);

  return {
    async createUser(user) {
      const target = view('user');
      const { values } = input(target, user as unknown as Record<string, unknown>);
      return toUser(await store.create(target.name, withKey(target, values)))!;
    },

    async getUser(id) {
      const target = view('user');
      return toUser(await store.findOne(target.name, [eq(target, 'id', id)]));
    },

    async getUserByEmail(email) {
      const target = view('user');
      return toUser(await store.findOne(target.name, [eq(target, 'email', email)]));
    },

    async getUserByAccount({ provider, providerAccountId }) {
      const account = view('account');
      const row = await store.findOne(
        account.name,
        [eq(account, 'provider', provider), eq(account, 'providerAccountId', providerAccountId)],
        { select: [account.fields.property('userId')], joins: [userJoin(account)] },
      );
      return joinedUser(row);
    },

    async updateUser(user) {
      const target = view('user');
      const { id, ...changes } = user;
      const { values } = input(target, changes as Record<string, unknown>);
      const row = await store.updateOne(target.name, [eq(target, 'id', id)], values);
      if (!row) throw new NotFoundError(target.name, `user with id "${id}"`);
      return toUser(row)!;
    },

    async deleteUser(userId) {
      return store.transaction(async (tx) => {
        // Children first: correct with or without ON DELETE CASCADE in the database.
        for (const model of ['session', 'account', 'authenticator'] as const) {
          const child = optionalView(model);
          if (child) await tx.deleteMany(child.name, [eq(child, 'userId', userId)]);
        }
        const target = view('user');
        return toUser(await tx.consumeOne(target.name, [eq(target, 'id', userId)]));
      });
    },

    async linkAccount(account) {
      const target = view('account');
      const { values, rest } = input(target, account as Record<string, unknown>);
      if (target.extra) values[target.extra] = Object.keys(rest).length > 0 ? rest : null;
      return toAccount(await store.create(target.name, withKey(target, values)))!;
    },

    async unlinkAccount({ provider, providerAccountId }) {
      const target = view('account');
      const row = await store.consumeOne(target.name, [
        eq(target, 'provider', provider),
        eq(target, 'providerAccountId', providerAccountId),
      ]);
      return toAccount(row) ?? undefined;
    },

    async createSession(session) {
      const target = view('session');
      const { values } = input(target, session as unknown as Record<string, unknown>);
      return toSession(await store.create(target.name, withKey(target, values)))!;
    },

    async getSessionAndUser(sessionToken) {
      const target = view('session');
      const row = await store.findOne(target.name, [eq(target, 'sessionToken', sessionToken)], {
        joins: [userJoin(target)],
      });
      const user = joinedUser(row);
      if (!row || !user) return null;
      return { session: toSession(row)!, user };
    },

    async updateSession(session) {
      const target = view('session');
      const { sessionToken, ...changes } = session;
      const { values } = input(target, changes);
      return toSession(
        await store.updateOne(target.name, [eq(target, 'sessionToken', sessionToken)], values),
      );
    },

    async deleteSession(sessionToken) {
      const target = view('session');
      return toSession(
        await store.consumeOne(target.name, [eq(target, 'sessionToken', sessionToken)]),
      );
    },

    async createVerificationToken(token) {
      const target = view('verificationToken');
      const { values } = input(target, token as unknown as Record<string, unknown>);
      return toToken(await store.create(target.name, withKey(target, values)))!;
    },

    async useVerificationToken({ identifier, token }) {
      const target = view('verificationToken');
      return toToken(
        await store.consumeOne(target.name, [
          eq(target, 'identifier', identifier),
          eq(target, 'token', token),
        ]),
      );
    },

    async getAccount(providerAccountId, provider) {
      const target = view('account');
      return toAccount(
        await store.findOne(target.name, [
          eq(target, 'provider', provider),
          eq(target, 'providerAccountId', providerAccountId),
        ]),
      );
    },

    async createAuthenticator(authenticator) {
      const target = view('authenticator');
      const { values } = input(target, authenticator as unknown as Record<string, unknown>);
      return toAuthenticator(await store.create(target.name, withKey(target, values)))!;
    },

    async getAuthenticator(credentialID) {
      const target = view('authenticator');
      return toAuthenticator(
        await store.findOne(target.name, [eq(target, 'credentialID', credentialID)]),
      );
    },

    async listAuthenticatorsByUserId(userId) {
      const target = view('authenticator');
      const rows = await store.findMany(target.name, { where: [eq(target, 'userId', userId)] });
      return rows.map((row) => toAuthenticator(row)!);
    },

    async updateAuthenticatorCounter(credentialID, newCounter) {
      const target = view('authenticator');
      const row = await store.updateOne(target.name, [eq(target, 'credentialID', credentialID)], {
        [target.fields.property('counter')]: newCounter,
      });
      if (!row)
        throw new NotFoundError(target.name, `authenticator with credentialID "${credentialID}"`);
      return toAuthenticator(row)!;
    },
  };
}

/** Auth.js database adapter on your own MikroORM (alias of `MikroOrmAdapter`). */
export const mikroOrmAdapter: typeof MikroOrmAdapter = MikroOrmAdapter;
