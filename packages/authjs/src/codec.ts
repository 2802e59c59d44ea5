/**
 * The Auth.js side of the adapter, apart from its methods: where each Auth.js field lives in the
 * app's entities (one `View` per model, checked at construction), and Auth.js objects ↔ stored
 * rows. `adapter.ts` holds the methods and calls these.
 */
import type {
  AdapterAccount,
  AdapterAuthenticator,
  AdapterSession,
  AdapterUser,
  VerificationToken,
} from '@auth/core/adapters';
import {
  type Clause,
  type OrmSource,
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
import { AUTHJS_MODELS, type AuthjsFields, type AuthjsModel } from './entities.js';
import type { MikroOrmAdapterOptions } from './types.js';

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
export interface View {
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

/** Views, field lookups and row conversion for one adapter (one store, one set of options). */
export function authjsCodec(store: Store, options: MikroOrmAdapterOptions, orm: OrmSource) {
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
  };
}
