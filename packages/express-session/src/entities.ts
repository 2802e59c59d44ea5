import { buildEntitySchemas, type TableSpec } from '@mikro-auth/core';
import type { EntitySchema } from '@mikro-orm/core';

/** Options of `sessionStoreTable` and `sessionStoreEntities`. */
export interface SessionStoreTableOptions {
  /** Entity (class) name. Default `HttpSession`; pass the same to the store's `entity` option. */
  entityName?: string;
  /** Table name. Default `http_session` (apart from the `session` tables of auth frameworks). */
  tableName?: string;
  /** Column names. Defaults: `sid`, `data`, `expires`. */
  columns?: { sid?: string; data?: string; expires?: string };
}

/** The default entity name of the session table. */
export const SESSION_ENTITY = 'HttpSession';

/**
 * The session table as a core `TableSpec`: `sid` (primary key, compared exactly on every
 * database), `data` (the serialized session, text) and `expires` (indexed, for lookups and
 * pruning).
 */
export function sessionStoreTable(options: SessionStoreTableOptions = {}): TableSpec {
  const columns = options.columns ?? {};
  return {
    entity: options.entityName ?? SESSION_ENTITY,
    table: options.tableName ?? 'http_session',
    // Session ids are case-sensitive (base64url): `exact` gives the key the binary collation on
    // MySQL/MariaDB, whose default one would make `aB` and `Ab` the same session.
    primaryKey: ['sid'],
    fields: {
      sid: { type: 'string', column: columns.sid ?? 'sid', exact: true },
      data: { type: 'text', column: columns.data ?? 'data' },
      expires: { type: 'date', column: columns.expires ?? 'expires', index: true },
    },
  };
}

/**
 * The MikroORM entity of the session table, ready for `MikroORM.init({ entities })`, the schema
 * generator and migrations. Table and column names are explicit, so your naming strategy does not
 * rename them.
 */
export function sessionStoreEntities(options: SessionStoreTableOptions = {}): EntitySchema[] {
  return buildEntitySchemas([sessionStoreTable(options)]);
}
