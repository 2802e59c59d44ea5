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
  const store = createStore(orm, {
    models,
    ...(options.reads ? { reads: options.reads } : {}),
    ...(options.preparedStatements === false ? { preparedStatements: false } : {}),
  });
  const codec = authjsCodec(store, options, orm);

  return {
    async createUser(user) {
      const target = codec.view('user');
      const { values } = codec.input(target, user as unknown as Record<string, unknown>);
      return codec.toUser(await store.create(target.name, codec.withKey(target, values)))!;
    },

    async getUser(id) {
      const target = codec.view('user');
      return codec.toUser(await store.findOne(target.name, [codec.eq(target, 'id', id)]));
    },

    async getUserByEmail(email) {
      const target = codec.view('user');
      return codec.toUser(await store.findOne(target.name, [codec.eq(target, 'email', email)]));
    },

    async getUserByAccount({ provider, providerAccountId }) {
      const account = codec.view('account');
      const row = await store.findOne(
        account.name,
        [
          codec.eq(account, 'provider', provider),
          codec.eq(account, 'providerAccountId', providerAccountId),
        ],
        { select: [account.fields.property('userId')], joins: [codec.userJoin(account)] },
      );
      return codec.joinedUser(row);
    },

    async updateUser(user) {
      const target = codec.view('user');
      const { id, ...changes } = user;
      const { values } = codec.input(target, changes as Record<string, unknown>);
      const row = await store.updateOne(target.name, [codec.eq(target, 'id', id)], values);
      if (!row) throw new NotFoundError(target.name, `user with id "${id}"`);
      return codec.toUser(row)!;
    },

    async deleteUser(userId) {
      return store.transaction(async (tx) => {
        // Children first: correct with or without ON DELETE CASCADE in the database.
        for (const model of ['session', 'account', 'authenticator'] as const) {
          const child = codec.optionalView(model);
          if (child) await tx.deleteMany(child.name, [codec.eq(child, 'userId', userId)]);
        }
        const target = codec.view('user');
        return codec.toUser(await tx.consumeOne(target.name, [codec.eq(target, 'id', userId)]));
      });
    },

    async linkAccount(account) {
      const target = codec.view('account');
      const { values, rest } = codec.input(target, account as Record<string, unknown>);
      if (target.extra) values[target.extra] = Object.keys(rest).length > 0 ? rest : null;
      return codec.toAccount(await store.create(target.name, codec.withKey(target, values)))!;
    },

    async unlinkAccount({ provider, providerAccountId }) {
      const target = codec.view('account');
      const row = await store.consumeOne(target.name, [
        codec.eq(target, 'provider', provider),
        codec.eq(target, 'providerAccountId', providerAccountId),
      ]);
      return codec.toAccount(row) ?? undefined;
    },

    async createSession(session) {
      const target = codec.view('session');
      const { values } = codec.input(target, session as unknown as Record<string, unknown>);
      return codec.toSession(await store.create(target.name, codec.withKey(target, values)))!;
    },

    async getSessionAndUser(sessionToken) {
      const target = codec.view('session');
      const row = await store.findOne(
        target.name,
        [codec.eq(target, 'sessionToken', sessionToken)],
        {
          joins: [codec.userJoin(target)],
        },
      );
      const user = codec.joinedUser(row);
      if (!row || !user) return null;
      return { session: codec.toSession(row)!, user };
    },

    async updateSession(session) {
      const target = codec.view('session');
      const { sessionToken, ...changes } = session;
      const { values } = codec.input(target, changes);
      return codec.toSession(
        await store.updateOne(
          target.name,
          [codec.eq(target, 'sessionToken', sessionToken)],
          values,
        ),
      );
    },

    async deleteSession(sessionToken) {
      const target = codec.view('session');
      return codec.toSession(
        await store.consumeOne(target.name, [codec.eq(target, 'sessionToken', sessionToken)]),
      );
    },

    async createVerificationToken(token) {
      const target = codec.view('verificationToken');
      const { values } = codec.input(target, token as unknown as Record<string, unknown>);
      return codec.toToken(await store.create(target.name, codec.withKey(target, values)))!;
    },

    async useVerificationToken({ identifier, token }) {
      const target = codec.view('verificationToken');
      return codec.toToken(
        await store.consumeOne(target.name, [
          codec.eq(target, 'identifier', identifier),
          codec.eq(target, 'token', token),
        ]),
      );
    },

    async getAccount(providerAccountId, provider) {
      const target = codec.view('account');
      return codec.toAccount(
        await store.findOne(target.name, [
          codec.eq(target, 'provider', provider),
          codec.eq(target, 'providerAccountId', providerAccountId),
        ]),
      );
    },

    async createAuthenticator(authenticator) {
      const target = codec.view('authenticator');
      const { values } = codec.input(target, authenticator as unknown as Record<string, unknown>);
      return codec.toAuthenticator(await store.create(target.name, codec.withKey(target, values)))!;
    },

    async getAuthenticator(credentialID) {
      const target = codec.view('authenticator');
      return codec.toAuthenticator(
        await store.findOne(target.name, [codec.eq(target, 'credentialID', credentialID)]),
      );
    },

    async listAuthenticatorsByUserId(userId) {
      const target = codec.view('authenticator');
      const rows = await store.findMany(target.name, {
        where: [codec.eq(target, 'userId', userId)],
      });
      return rows.map((row) => codec.toAuthenticator(row)!);
    },

    async updateAuthenticatorCounter(credentialID, newCounter) {
      const target = codec.view('authenticator');
      const row = await store.updateOne(
        target.name,
        [codec.eq(target, 'credentialID', credentialID)],
        {
          [target.fields.property('counter')]: newCounter,
        },
      );
      if (!row)
        throw new NotFoundError(target.name, `authenticator with credentialID "${credentialID}"`);
      return codec.toAuthenticator(row)!;
    },
  };
}

/** Auth.js database adapter on your own MikroORM (alias of `MikroOrmAdapter`). */
export const mikroOrmAdapter: typeof MikroOrmAdapter = MikroOrmAdapter;
