import {
  buildEntitySchemas,
  ConfigurationError,
  type FieldSpec,
  type TableSpec,
} from '@mikro-auth/core';
import { pascalCase, snakeCase } from '@mikro-auth/core/internal';
import { BigIntType, type EntityClass, EntitySchema } from '@mikro-orm/core';

/** The Auth.js models the adapter stores. */
export type AuthjsModel = 'user' | 'account' | 'session' | 'verificationToken' | 'authenticator';

/** The Auth.js models, in the order their tables are created. */
export const AUTHJS_MODELS: readonly AuthjsModel[] = [
  'user',
  'account',
  'session',
  'verificationToken',
  'authenticator',
];

/**
 * The fields of each Auth.js model, under their Auth.js names. `id` of account, session and
 * authenticator is the table's own primary key (a verification token's key is its
 * `identifier` and `token`, as Auth.js defines it);
 * `extra` on account is the optional JSON column that keeps token-response fields with no column
 * of their own (see `accountExtra`).
 */
export interface AuthjsFields {
  user: 'id' | 'name' | 'email' | 'emailVerified' | 'image';
  account:
    | 'id'
    | 'userId'
    | 'type'
    | 'provider'
    | 'providerAccountId'
    | 'refresh_token'
    | 'access_token'
    | 'expires_at'
    | 'token_type'
    | 'scope'
    | 'id_token'
    | 'session_state'
    | 'extra';
  session: 'id' | 'sessionToken' | 'userId' | 'expires';
  verificationToken: 'identifier' | 'token' | 'expires';
  authenticator:
    | 'id'
    | 'credentialID'
    | 'userId'
    | 'providerAccountId'
    | 'credentialPublicKey'
    | 'counter'
    | 'credentialDeviceType'
    | 'credentialBackedUp'
    | 'transports';
}

/** Per model, Auth.js field name → another name (a column name, or an entity property). */
export type AuthjsFieldNames = {
  [M in AuthjsModel]?: Partial<Record<AuthjsFields[M], string>>;
};

/** Options of `authjsTables` and `authjsEntities`. */
export interface AuthjsTablesOptions {
  /**
   * Table name per model. Defaults: `user`, `account`, `session`, `verification_token`,
   * `authenticator`.
   */
  tableNames?: Partial<Record<AuthjsModel, string>>;
  /**
   * Entity (class) name per model. Defaults: `User`, `Account`, `Session`, `VerificationToken`,
   * `Authenticator`. Tell the adapter about renamed entities with its `entities` option.
   */
  entityNames?: Partial<Record<AuthjsModel, string>>;
  /**
   * Column name per Auth.js field, e.g. `{ user: { emailVerified: 'email_verified_at' } }`. The
   * entity property keeps the Auth.js name, so the adapter needs no option for this.
   */
  columns?: AuthjsFieldNames;
  /**
   * Extra fields per model, described as core `FieldSpec`s, e.g.
   * `{ user: { role: { type: 'string', required: false } } }`. The adapter reads and writes them
   * under their field names. A new column needs `required: false` (Auth.js does not send it).
   */
  additionalFields?: { [M in AuthjsModel]?: Readonly<Record<string, FieldSpec>> };
  /** Include the `authenticator` table used by WebAuthn (passkeys). Default true. */
  webAuthn?: boolean;
  /**
   * Add a nullable JSON column `extra` to the account table, where the adapter keeps the fields of
   * a provider's token response that have no column of their own (GitHub's
   * `refresh_token_expires_in`, …) and merges them back on read. Default false: those fields are
   * not stored, and the account table has exactly the columns of Auth.js's schema.
   */
  accountExtra?: boolean;
}

/**
 * The Auth.js fields of each model with their default column (snake_case, as MikroORM's default
 * naming strategy names them). The keyed strings Auth.js looks rows up by are `exact`: on
 * MySQL/MariaDB they get the binary collation, so lookups (exact everywhere) and unique indexes agree.
 */
function builtinFields(userEntity: string): {
  [M in AuthjsModel]: Record<Exclude<AuthjsFields[M], 'id'>, FieldSpec>;
} {
  const userId: FieldSpec = {
    type: 'string',
    column: 'user_id',
    references: { table: userEntity, onDelete: 'cascade' },
    // PostgreSQL does not index foreign keys by itself; listing and deleting by user need one.
    index: true,
  };
  return {
    user: {
      name: { type: 'text', required: false },
      email: { type: 'string', required: false, unique: true, exact: true },
      emailVerified: { type: 'date', required: false, column: 'email_verified' },
      image: { type: 'text', required: false },
    },
    account: {
      userId,
      type: { type: 'string' },
      provider: { type: 'string', exact: true },
      providerAccountId: { type: 'string', column: 'provider_account_id', exact: true },
      refresh_token: { type: 'text', required: false },
      access_token: { type: 'text', required: false },
      // Seconds since the epoch: bigint, as integer columns end in 2038.
      expires_at: { type: 'bigint', required: false },
      token_type: { type: 'string', required: false },
      scope: { type: 'text', required: false },
      id_token: { type: 'text', required: false },
      session_state: { type: 'text', required: false },
      extra: { type: 'json', required: false },
    },
    session: {
      sessionToken: { type: 'string', unique: true, column: 'session_token', exact: true },
      userId,
      expires: { type: 'date' },
    },
    verificationToken: {
      identifier: { type: 'string', exact: true },
      token: { type: 'string', exact: true },
      expires: { type: 'date' },
    },
    authenticator: {
      credentialID: { type: 'string', unique: true, column: 'credential_id', exact: true },
      userId,
      providerAccountId: { type: 'string', column: 'provider_account_id' },
      credentialPublicKey: { type: 'text', column: 'credential_public_key' },
      // A WebAuthn signature counter is an unsigned 32-bit number: beyond a signed integer column.
      counter: { type: 'bigint' },
      credentialDeviceType: { type: 'string', column: 'credential_device_type' },
      credentialBackedUp: { type: 'boolean', column: 'credential_backed_up' },
      transports: { type: 'string', required: false },
    },
  };
}

const UNIQUE_INDEXES: Partial<Record<AuthjsModel, readonly string[]>> = {
  account: ['provider', 'providerAccountId'],
};

/**
 * Tables keyed by Auth.js fields instead of a generated `id`: a verification token is its
 * `(identifier, token)` pair, as in Auth.js's own schemas, so a row is exactly
 * `{ identifier, token, expires }` and two addresses may hold the same short code.
 */
const COMPOSITE_KEYS: Partial<Record<AuthjsModel, readonly string[]>> = {
  verificationToken: ['identifier', 'token'],
};

/** Neutral descriptions of the Auth.js tables, ready for core's entity builder or source renderer. */
export function authjsTables(options: AuthjsTablesOptions = {}): TableSpec[] {
  const entityOf = (model: AuthjsModel) => options.entityNames?.[model] ?? pascalCase(model);
  const builtin = builtinFields(entityOf('user'));
  const models = AUTHJS_MODELS.filter(
    (model) => model !== 'authenticator' || options.webAuthn !== false,
  );
  return models.map((model) => {
    const columns: Partial<Record<string, string>> = options.columns?.[model] ?? {};
    const fields: Record<string, FieldSpec> = {};
    for (const [name, spec] of Object.entries<FieldSpec>(builtin[model])) {
      if (model === 'account' && name === 'extra' && !options.accountExtra) continue;
      const column = columns[name];
      fields[name] = column ? { ...spec, column } : spec;
    }
    for (const [name, spec] of Object.entries(options.additionalFields?.[model] ?? {})) {
      if (name in fields || name === 'id') {
        throw new ConfigurationError(
          `additionalFields.${model}.${name}`,
          `"${name}" is an Auth.js field of model "${model}"; choose another name ` +
            '(rename the Auth.js column with the columns option instead).',
        );
      }
      fields[name] = spec;
    }
    const unique = UNIQUE_INDEXES[model];
    return {
      entity: entityOf(model),
      table: options.tableNames?.[model] ?? snakeCase(model),
      ...(COMPOSITE_KEYS[model]
        ? { primaryKey: COMPOSITE_KEYS[model] }
        : { id: { field: 'id', column: columns.id ?? 'id', strategy: 'string' as const } }),
      fields,
      ...(unique ? { indexes: [{ fields: unique, unique: true }] } : {}),
    };
  });
}

/** An entity of your own: a decorated class, an `EntitySchema`, or what `defineEntity` returns. */
export type AuthjsEntity = EntityClass<object> | EntitySchema;

/** Options of `authjsEntities`. */
export interface AuthjsEntitiesOptions extends AuthjsTablesOptions {
  /**
   * Your own entity in place of a default one, e.g. `{ user: User }` for a `User` with your own
   * fields: it is returned instead of the default, and the other entities' foreign keys point at
   * it. Its primary key must stay a string. Tell the adapter with its `entities` option unless the
   * entity is named like the default (`User`, …).
   */
  entities?: Partial<Record<AuthjsModel, AuthjsEntity>>;
}

/** The entity name MikroORM knows an entity of the app's by. */
function entityName(entity: AuthjsEntity): string {
  if (entity instanceof EntitySchema) return entity.meta.className;
  if (typeof entity === 'function' && entity.name) return entity.name;
  throw new ConfigurationError(
    'entities',
    'expected an entity class, an EntitySchema or what defineEntity returns.',
  );
}

/**
 * MikroORM entities for Auth.js, ready for `MikroORM.init({ entities })`, the schema generator and
 * migrations. Table and column names are explicit, so your naming strategy does not rename them.
 */
export function authjsEntities(options: AuthjsEntitiesOptions = {}): AuthjsEntity[] {
  const own = options.entities ?? {};
  const entityNames = { ...options.entityNames };
  for (const [model, entity] of Object.entries(own) as [AuthjsModel, AuthjsEntity][]) {
    if (!AUTHJS_MODELS.includes(model)) {
      throw new ConfigurationError(
        `entities.${model}`,
        `"${model}" is no Auth.js model; use ${AUTHJS_MODELS.join(', ')}.`,
      );
    }
    entityNames[model] = entityName(entity);
  }
  const tables = authjsTables({ ...options, entityNames });
  const schemas = buildEntitySchemas(tables);
  const byName = new Map<string, AuthjsEntity>();
  tables.forEach((table, index) => {
    const model = AUTHJS_MODELS.find((name) => entityNames[name] === table.entity);
    byName.set(table.entity, (model && own[model]) || schemas[index]!);
  });
  for (const schema of schemas) {
    for (const property of Object.values(schema.meta.properties) as {
      kind?: string;
      type?: unknown;
      entity?: () => unknown;
    }[]) {
      // bigint columns (expires_at, counter) read as JavaScript numbers, as Auth.js types them.
      if (property.type === 'bigint') property.type = new BigIntType('number');
      // Foreign keys point at your own entity where you gave one.
      if (property.kind === 'm:1' && property.entity) {
        const target = property.entity() as EntitySchema;
        const replaced = byName.get(target.meta.className);
        if (replaced && replaced !== target) property.entity = () => replaced;
      }
    }
  }
  return [...byName.values()];
}

/**
 * The default entities by name (`User`, `Account`, `Session`, `VerificationToken`,
 * `Authenticator`), as `authjsEntities()` returns them: the names `@auth/mikro-orm-adapter`'s
 * `defaultEntities` had. To use your own `User`, pass it: `authjsEntities({ entities: { user: User } })`.
 */
export function authjsDefaultEntities(): Record<
  'User' | 'Account' | 'Session' | 'VerificationToken' | 'Authenticator',
  EntitySchema
> {
  const out: Record<string, EntitySchema> = {};
  for (const entity of authjsEntities())
    out[(entity as EntitySchema).meta.className] = entity as EntitySchema;
  return out as ReturnType<typeof authjsDefaultEntities>;
}
