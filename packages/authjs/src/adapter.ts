import type {
  Adapter,
  AdapterAccount,
  AdapterAuthenticator,
  AdapterSession,
  AdapterUser,
  VerificationToken,
} from '@auth/core/adapters';
import {
  type Clause,
  ConfigurationError,
  createStore,
  type ModelTarget,
  NotFoundError,
  type OrmSource,
  type ReadRouting,
  type Row,
  SchemaMismatchError,
  type Store,
  UnknownModelError,
} from '@mikro-auth/core';
import {
  checkModels,
  FieldMap,
  type FieldSource,
  modelName,
  pascalCase,
  snakeCase,
} from '@mikro-auth/core/internal';
import {
  AUTHJS_MODELS,
  type AuthjsFieldNames,
  type AuthjsFields,
  type AuthjsModel,
} from './entities.js';

/** Options of `MikroOrmAdapter`. */
export interface MikroOrmAdapterOptions {
  /**
   * Your own entity per Auth.js model (`user`, `account`, `session`, `verificationToken`,
   * `authenticator`): an entity class, an `EntitySchema`, or an entity or table name. An unmapped
   * model resolves to the entity named `User`, `Account`, `Session`, `VerificationToken` or
   * `Authenticator` (as `authjsEntities()` names them), else to a table of that name.
   */
  entities?: Partial<Record<AuthjsModel, ModelTarget>>;
  /**
   * Per model, the property or column that holds an Auth.js field, when neither the Auth.js name
   * (`emailVerified`) nor its snake_case form (`email_verified`) is a property or column of your
   * entity, e.g. `{ user: { emailVerified: 'verifiedAt' } }`. `account.extra` names the JSON
   * property that keeps token fields with no column of their own.
   */
  fields?: AuthjsFieldNames;
  /**
   * Where reads go (default `'primary'`). `{ from: 'replicas', maxLagMs }` (PostgreSQL) sends reads
   * outside transactions to the read replicas of your MikroORM config that hold every commit older
   * than `maxLagMs` and every write this process made; see "Read replicas" in @mikro-auth/core.
   */
  reads?: ReadRouting;
}

/**
 * The Auth.js adapter with every method present and its results' exact types. Rows come back under
 * Auth.js names, with any fields you added to your entities except `hidden: true` ones; a session
 * carries its own `id`, the internal primary keys of accounts, verification tokens and
 * authenticators are never returned.
 */
export interface AuthjsAdapter extends Adapter {
  /** Inserts the user (Auth.js supplies the id; one is generated if absent). */
  createUser(user: AdapterUser): Promise<AdapterUser>;
  getUser(id: string): Promise<AdapterUser | null>;
  /** Exact (case-sensitive) match; Auth.js lower-cases emails before it asks. */
  getUserByEmail(email: string): Promise<AdapterUser | null>;
  /** The account's user, read with the account in one statement. */
  getUserByAccount(
    account: Pick<AdapterAccount, 'provider' | 'providerAccountId'>,
  ): Promise<AdapterUser | null>;
  /** Changes the given fields; rejects when no user has the id. */
  updateUser(user: Partial<AdapterUser> & Pick<AdapterUser, 'id'>): Promise<AdapterUser>;
  /** Deletes the user with their sessions, accounts and authenticators in one transaction. */
  deleteUser(userId: string): Promise<AdapterUser | null>;
  /**
   * Stores the account; token fields with no column of their own are kept in the account's JSON
   * `extra` column and merged back on read. Rejects (ForeignKeyViolationError) for an unknown user.
   */
  linkAccount(account: AdapterAccount): Promise<AdapterAccount>;
  /** Deletes the account and returns it, or undefined when there was none. */
  unlinkAccount(
    account: Pick<AdapterAccount, 'provider' | 'providerAccountId'>,
  ): Promise<AdapterAccount | undefined>;
  createSession(session: AdapterSession): Promise<AdapterSession>;
  /** The session and its user in one statement; expired sessions too (Auth.js deletes them). */
  getSessionAndUser(
    sessionToken: string,
  ): Promise<{ session: AdapterSession; user: AdapterUser } | null>;
  updateSession(
    session: Partial<AdapterSession> & Pick<AdapterSession, 'sessionToken'>,
  ): Promise<AdapterSession | null>;
  /** Deletes the session and returns it; of concurrent callers exactly one gets it. */
  deleteSession(sessionToken: string): Promise<AdapterSession | null>;
  createVerificationToken(token: VerificationToken): Promise<VerificationToken>;
  /**
   * Deletes and returns the token matching both identifier and token; of concurrent callers
   * exactly one gets it, every later call gets null.
   */
  useVerificationToken(params: {
    identifier: string;
    token: string;
  }): Promise<VerificationToken | null>;
  /** Note the argument order: provider account id first, then provider. */
  getAccount(providerAccountId: string, provider: string): Promise<AdapterAccount | null>;
  /** Rejects when the credential exists already or the user does not. */
  createAuthenticator(authenticator: AdapterAuthenticator): Promise<AdapterAuthenticator>;
  getAuthenticator(credentialID: string): Promise<AdapterAuthenticator | null>;
  /** [] for a user with no authenticators (or no such user). */
  listAuthenticatorsByUserId(userId: string): Promise<AdapterAuthenticator[]>;
  /** Writes the new counter; rejects when no authenticator has the credential ID. */
  updateAuthenticatorCounter(
    credentialID: string,
    newCounter: number,
  ): Promise<AdapterAuthenticator>;
}

type Fields<M extends AuthjsModel> = Exclude<AuthjsFields[M], 'id'>;

/** Auth.js fields every entity must have, and those it may leave out. */
const FIELDS: { [M in AuthjsModel]: { required: Fields<M>[]; optional: Fields<M>[] } } = {
  user: { required: ['email', 'emailVerified'], optional: ['name', 'image'] },
  account: {
    required: ['userId', 'type', 'provider', 'providerAccountId'],
    optional: [
      'refresh_token',
      'access_token',
      'expires_at',
      'token_type',
      'scope',
      'id_token',
      'session_state',
      'extra',
    ],
  },
  session: { required: ['sessionToken', 'userId', 'expires'], optional: [] },
  verificationToken: { required: ['identifier', 'token', 'expires'], optional: [] },
  authenticator: {
    required: [
      'credentialID',
      'userId',
      'providerAccountId',
      'credentialPublicKey',
      'counter',
      'credentialDeviceType',
      'credentialBackedUp',
    ],
    optional: ['transports'],
  },
};

/** Account token fields that Auth.js types as optional strings/numbers: NULL reads back as absent. */
const OPTIONAL_ACCOUNT_FIELDS = new Set<string>(FIELDS.account.optional);

/** One Auth.js model resolved against its entity. */
interface View {
  readonly model: AuthjsModel;
  /** The model name core resolves. */
  readonly name: string;
  /** Auth.js field ↔ entity property (`id` only for the user). */
  readonly fields: FieldMap;
  /** The JSON property keeping account fields with no column (account only). */
  readonly extra: string | undefined;
  /**
   * The primary key of a table whose rows Auth.js identifies otherwise (every model but the user):
   * generated on create, never returned. Undefined when the key is an Auth.js field itself.
   */
  readonly surrogate: string | undefined;
  /**
   * Properties marked `hidden: true` in the entity (a password hash, a role): never returned to
   * Auth.js, unless an Auth.js field lives in them.
   */
  readonly hidden: readonly string[];
}

function newId(): string {
  return globalThis.crypto.randomUUID();
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** What a caller passed instead of an ORM, for the error message. */
function describe(value: unknown): string {
  if (isObject(value)) {
    const keys = Object.keys(value).slice(0, 6);
    return keys.length > 0 ? `an object with keys ${keys.join(', ')}` : 'an empty object';
  }
  return value === null ? 'null' : typeof value;
}

/**
 * Fails at construction, not at the first sign-in, when the first argument is no ORM source: most
 * often the MikroORM options object `@auth/mikro-orm-adapter` took (`{ dbName, type }`).
 */
function assertOrmSource(orm: unknown): asserts orm is OrmSource {
  if (typeof orm === 'function') return;
  if (isObject(orm) && typeof orm.getMetadata === 'function') {
    // MikroORM (has `em`) or an EntityManager (has `fork`).
    if (isObject(orm.em) || typeof orm.fork === 'function') return;
  }
  const options =
    isObject(orm) &&
    ('dbName' in orm ||
      'type' in orm ||
      'driver' in orm ||
      'clientUrl' in orm ||
      'entities' in orm);
  throw new ConfigurationError(
    'orm',
    `MikroOrmAdapter needs your initialised MikroORM instance (or an EntityManager, or a function returning one), but got ${describe(orm)}.` +
      (options
        ? ' MikroORM options (`{ dbName, type }`, as @auth/mikro-orm-adapter took them) are no longer accepted:'
        : '') +
      ' create the ORM once in your app, `const orm = await MikroORM.init({ ...options, entities: [...authjsEntities()] })`,' +
      ' and pass it: `MikroOrmAdapter(orm)`.',
  );
}

/** Rejects `entities` keys of @auth/mikro-orm-adapter (`User`, `Account`, …) and unknown keys. */
function assertOptions(options: unknown): asserts options is MikroOrmAdapterOptions {
  if (options === undefined) return;
  if (!isObject(options)) {
    throw new ConfigurationError(
      'options',
      `expected an object or nothing, got ${describe(options)}.`,
    );
  }
  const entities = options.entities;
  if (entities === undefined) return;
  if (!isObject(entities)) {
    throw new ConfigurationError(
      'entities',
      `expected an object keyed by Auth.js model, got ${describe(entities)}.`,
    );
  }
  for (const key of Object.keys(entities)) {
    if ((AUTHJS_MODELS as readonly string[]).includes(key)) continue;
    const model = AUTHJS_MODELS.find((name) => name.toLowerCase() === key.toLowerCase());
    throw new ConfigurationError(
      `entities.${key}`,
      model
        ? `the keys are Auth.js model names: write \`entities: { ${model}: ${key} }\` (@auth/mikro-orm-adapter used \`{ ${key} }\`).`
        : `"${key}" is no Auth.js model; use ${AUTHJS_MODELS.join(', ')}.`,
    );
  }
}

/**
 * Checks, at construction and from metadata alone (no SQL), every Auth.js model the app has an
 * entity for: all missing required fields are reported in one SchemaMismatchError. A model with no
 * entity is an error only for the user, or when `entities` maps it: which of the others an app needs
 * depends on its providers and session strategy (no Session table with JWT sessions, no
 * Authenticator without passkeys), so those fail on first use instead.
 */
function checkEntities(
  store: Store,
  options: MikroOrmAdapterOptions,
  entityName: (model: AuthjsModel) => string,
  fieldSources: (model: AuthjsModel) => FieldSource[],
): void {
  const problems = checkModels(
    store,
    AUTHJS_MODELS.map((model) => ({
      model,
      resolveAs: entityName(model),
      fields: fieldSources(model).filter((source) => source.required),
    })),
  ).filter(
    (problem) =>
      problem.kind !== 'missing-model' ||
      problem.model === 'user' ||
      options.entities?.[problem.model as AuthjsModel] !== undefined,
  );
  if (problems.length === 0) return;
  throw new SchemaMismatchError(
    problems,
    'Fix: add the missing properties to your entities, or name the property that holds a field ' +
      "with the adapter's `fields` option (e.g. `{ user: { emailVerified: 'verifiedAt' } }`), " +
      'or use the default entities: `entities: [...authjsEntities()]` in your MikroORM config.',
  );
}

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
  const views = new Map<AuthjsModel, View>();
  const entityName = (model: AuthjsModel) => modelName(model, options.entities, pascalCase(model));

  /** Where each Auth.js field of `model` may live: the `fields` rename, else its name or snake_case. */
  function fieldSources(model: AuthjsModel): FieldSource[] {
    const renames: Partial<Record<string, string>> = options.fields?.[model] ?? {};
    const source = (field: string, required: boolean): FieldSource => {
      const renamed = renames[field];
      return renamed
        ? { field, names: [renamed], required: true }
        : { field, names: [field, snakeCase(field)], required };
    };
    const { required, optional } = FIELDS[model] as { required: string[]; optional: string[] };
    const id: FieldSource = renames.id ? source('id', true) : { field: 'id', primaryKey: true };
    return [
      ...required.map((field) => source(field, true)),
      ...optional.map((field) => source(field, false)),
      ...(model === 'user' ? [id] : []),
    ];
  }

  if (typeof orm !== 'function') checkEntities(store, options, entityName, fieldSources);

  function view(model: AuthjsModel): View {
    let found = views.get(model);
    if (found) return found;
    const info = store.model(entityName(model));
    const renames: Partial<Record<string, string>> = options.fields?.[model] ?? {};
    const fields = new FieldMap(info, fieldSources(model));
    const key = renames.id ? info.field(renames.id).name : info.primaryKey.name;
    found = {
      model,
      name: info.name,
      fields,
      extra: model === 'account' ? fields.propertyOf('extra') : undefined,
      // A primary key that is an Auth.js field itself (e.g. a token primary key) is no surrogate.
      surrogate: model === 'user' || fields.fieldOf(key) !== undefined ? undefined : key,
      hidden: info.fields
        .filter((field) => field.property.hidden && fields.fieldOf(field.name) === undefined)
        .map((field) => field.name),
    };
    views.set(model, found);
    return found;
  }

  /** The view of a model, or undefined when the app has no entity for it and did not map one. */
  function optionalView(model: AuthjsModel): View | undefined {
    try {
      return view(model);
    } catch (error) {
      if (error instanceof UnknownModelError && options.entities?.[model] === undefined) {
        return undefined;
      }
      throw error;
    }
  }

  const eq = (target: View, field: string, value: string): Clause => ({
    field: target.fields.property(field),
    value,
  });

  /**
   * Auth.js data → values keyed by entity property. A key that is no Auth.js field is written only
   * to a property of exactly its name that no Auth.js field uses (an added column such as `role`);
   * the others are returned apart, so a provider's `user_id` or `id` never lands on a key column.
   */
  function input(
    target: View,
    data: Readonly<Record<string, unknown>>,
  ): { values: Record<string, unknown>; rest: Record<string, unknown> } {
    const values: Record<string, unknown> = {};
    const rest: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(data)) {
      if (value === undefined) continue;
      let name = target.fields.propertyOf(key);
      if (name === undefined || name === target.extra) {
        const own = target.fields.model.findField(key);
        const free =
          own?.name === key &&
          target.fields.fieldOf(key) === undefined &&
          key !== target.surrogate &&
          key !== target.extra;
        name = free ? key : undefined;
      }
      if (name === undefined) rest[key] = value;
      else values[name] = value;
    }
    return { values, rest };
  }

  /** A stored row → the object Auth.js expects, under Auth.js names. */
  function output(target: View, row: Row): Record<string, unknown> {
    // A session keeps its primary key as `id` (as @auth/mikro-orm-adapter returned it); the other
    // models' surrogate keys stay internal.
    const keep = target.model === 'session' ? undefined : target.surrogate;
    const out = target.fields.toFields(row, [keep, target.extra, ...target.hidden]);
    if (target.model === 'session' && target.surrogate && target.surrogate !== 'id') {
      out.id = out[target.surrogate];
      delete out[target.surrogate];
    }
    if (target.model === 'account') {
      for (const field of OPTIONAL_ACCOUNT_FIELDS) if (out[field] === null) delete out[field];
    }
    const extra = target.extra ? row[target.extra] : undefined;
    if (extra !== null && typeof extra === 'object' && !Array.isArray(extra)) {
      for (const [key, value] of Object.entries(extra)) {
        if (out[key] === undefined || out[key] === null) out[key] = value;
      }
    }
    return out;
  }

  /** Values for a new row, with a generated primary key unless one is given or the database makes it. */
  function withKey(target: View, values: Record<string, unknown>): Record<string, unknown> {
    const key = target.surrogate ?? target.fields.propertyOf('id');
    if (key === undefined || values[key] !== undefined) return values;
    return target.fields.model.field(key).type === 'string'
      ? { ...values, [key]: newId() }
      : values;
  }

  const toUser = (row: Row | null) =>
    row ? (output(view('user'), row) as unknown as AdapterUser) : null;
  const toAccount = (row: Row | null) =>
    row ? (output(view('account'), row) as unknown as AdapterAccount) : null;
  const toSession = (row: Row | null) =>
    row ? (output(view('session'), row) as unknown as AdapterSession) : null;
  const toToken = (row: Row | null) =>
    row ? (output(view('verificationToken'), row) as unknown as VerificationToken) : null;
  const toAuthenticator = (row: Row | null) =>
    row ? (output(view('authenticator'), row) as unknown as AdapterAuthenticator) : null;

  /** A join placing the user of a row's `userId` on the row, read in the same statement. */
  const userJoin = (from: View) =>
    from.fields.join(view('user').fields, {
      as: 'user',
      on: { from: 'userId', to: 'id' },
      relation: 'one',
    });

  /** The user a `userJoin` placed on a row (the user's output is its field renaming). */
  const joinedUser = (row: Row | null) => {
    const user = row ? (view('user').fields.readJoin(row, 'user') as Row | null) : null;
    if (!user) return null;
    for (const property of view('user').hidden) delete user[property];
    return user as unknown as AdapterUser;
  };

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
