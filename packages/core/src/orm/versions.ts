/**
 * The MikroORM 6 / 7 differences core depends on, in one place. Core supports `@mikro-orm/core`
 * 6.6.x and 7.x; everything else in core uses APIs that are the same in both, and asks this module
 * where they are not:
 *
 * | what | MikroORM 6.6 | MikroORM 7 |
 * |---|---|---|
 * | `MetadataStorage.getAll()` | a dictionary keyed by class name | a `Map` |
 * | `raw(sql, params)` | returns a string key | returns a symbol key |
 * | SQL layer under the QueryBuilder | knex (`@mikro-orm/knex`) | Kysely (`@mikro-orm/sql`) |
 * | a QueryBuilder as a sub-query (`$in: qb`) | `qb.getKnexQuery()` | the QueryBuilder itself |
 * | raw fragments as keys | one-shot: a key is forgotten once a query used it | reusable |
 * | raw `delete … returning` on SQLite | rows dropped (knex runs it as a write) | rows returned |
 * | a raw table as a join target | taken as a sub-query: `(select * from t)` | `raw('??', [t])` |
 * | `qb.toQuery()` | native placeholders (`$1` on PostgreSQL); `?` ones in `_sql` | `?` placeholders |
 * | driver error messages | prefixed by knex with the failed SQL (see driver-message.ts) | the driver's own |
 * | JSON from MariaDB through `@mikro-orm/mysql` | text (mysql2 3.20) | parsed (mysql2 3.24) |
 * | PostgreSQL pool | tarn (through knex); no `getNativeClient()` | pg-pool, `getNativeClient()` |
 * | a column's `collation` | not in the DDL, not compared | in the DDL, compared |
 * | a many-to-one's default update rule | `cascade` (with the default `Cascade.PERSIST`) | none |
 *
 * Differences core does not depend on (schema generator method names, `forceUtcTimezone`
 * defaults, awaitable QueryBuilders, driver packages) are listed in CONTRIBUTING.md.
 */
import {
  type EntityManager,
  type EntityMetadata,
  type MetadataStorage,
  type Platform,
  RawQueryFragment,
  raw,
  Utils,
} from '@mikro-orm/core';
import { UnsupportedOrmVersionError } from '../errors/classes.js';
import { dialectOfEm } from './dialect.js';

/** The `@mikro-orm/core` versions core supports, as a semver range. */
export const SUPPORTED_MIKRO_ORM_RANGE = '^6.6.0 || ^7.0.0';

/** An installed MikroORM version. */
export interface OrmVersion {
  readonly version: string;
  readonly major: number;
  readonly minor: number;
}

/** Parses a version string such as `6.6.16` or `7.0.0-rc.1`; undefined when it is not one. */
export function parseOrmVersion(version: string): OrmVersion | undefined {
  const match = /^(\d+)\.(\d+)\./.exec(version.trim());
  if (!match) return undefined;
  return { version: version.trim(), major: Number(match[1]), minor: Number(match[2]) };
}

/** Whether a version lies in {@link SUPPORTED_MIKRO_ORM_RANGE}. */
export function isSupportedOrmVersion(version: OrmVersion): boolean {
  return version.major === 7 || (version.major === 6 && version.minor >= 6);
}

/**
 * Checks a MikroORM version string; returns it parsed, or throws UnsupportedOrmVersionError.
 * A version that cannot be read (a development build reporting `N/A`) is let through as MikroORM 7.
 */
export function checkOrmVersion(version: string): OrmVersion {
  const parsed = parseOrmVersion(version);
  if (!parsed) return { version, major: 7, minor: 0 };
  if (!isSupportedOrmVersion(parsed))
    throw new UnsupportedOrmVersionError(parsed.version, SUPPORTED_MIKRO_ORM_RANGE);
  return parsed;
}

let installed: OrmVersion | undefined;

/** The installed `@mikro-orm/core`, read once; throws UnsupportedOrmVersionError outside the range. */
export function ormVersion(): OrmVersion {
  installed ??= checkOrmVersion(Utils.getORMVersion());
  return installed;
}

const jsonAsText = new WeakSet<Platform>();
const jsonChecked = new WeakSet<Platform>();

/**
 * Notes whether the EntityManager's driver hands JSON columns over as text although its platform
 * says the driver parses them: MikroORM 6's `@mikro-orm/mysql` (mysql2 3.20) does on MariaDB,
 * whose JSON columns are text columns. Asks the server's version (`version`) once per platform.
 */
export async function checkJsonDecoding(
  em: EntityManager,
  version: () => Promise<string>,
): Promise<void> {
  const platform = em.getPlatform();
  if (jsonChecked.has(platform)) return;
  if (
    ormVersion().major === 6 &&
    dialectOfEm(em).name === 'mysql' &&
    platform.convertsJsonAutomatically()
  ) {
    if (/mariadb/i.test(await version())) jsonAsText.add(platform);
  }
  jsonChecked.add(platform);
}

/** Whether JSON read through this platform arrives as text that still needs parsing (see above). */
export function readsJsonAsText(platform: Platform): boolean {
  return jsonAsText.has(platform);
}

/**
 * Waits, after a lost connection, until the driver has noticed the connection's end. MikroORM 6's
 * knex pool drops a dead connection when it next hands it out only once the driver has read the
 * socket's end, which comes a moment after the failed query's error; a call made at once could be
 * given the dead connection again. MikroORM 7's pool is guarded by connection-recovery.ts.
 */
export async function settleConnectionLoss(): Promise<void> {
  if (ormVersion().major === 6) await new Promise((resolve) => setTimeout(resolve, 25));
}

/**
 * Whether a column type MikroORM asks a custom type for should carry the column's collation
 * itself. MikroORM 6 leaves a property's `collation` out of the DDL, so ExactStringType puts it in
 * the type it gives at discovery (the property has no column type yet), from which the DDL is
 * written. The schema comparator asks again with the column type already set: there the type must
 * stay plain, as MikroORM 6 reads a column's type back without its collation. MikroORM 7 writes
 * and compares `collation` itself.
 */
export function collationInColumnType(prop: { columnTypes?: readonly string[] }): boolean {
  return ormVersion().major === 6 && !prop.columnTypes?.length;
}

/**
 * The update rule of core's foreign keys, as many-to-one property options. MikroORM 6 gives a
 * many-to-one with the default `Cascade.PERSIST` `on update cascade`; MikroORM 7 gives none. Keys
 * never change, so both get none: `no action` on MikroORM 6 (the schema comparator takes it as
 * equal to none), nothing on MikroORM 7. The schema is then the same on both majors.
 */
export function foreignKeyUpdateRule(): { updateRule?: 'no action' } {
  return ormVersion().major === 6 ? { updateRule: 'no action' } : {};
}

/** Every entity's metadata, from either shape of `MetadataStorage.getAll()`. */
export function allMetadata(storage: MetadataStorage): EntityMetadata[] {
  const all = storage.getAll() as unknown as
    | ReadonlyMap<unknown, EntityMetadata>
    | Readonly<Record<string, EntityMetadata>>;
  return all instanceof Map ? [...all.values()] : Object.values(all);
}

/** A QueryBuilder as a value MikroORM accepts as a sub-query (e.g. under `$in`). */
export function asSubquery(qb: object): unknown {
  // MikroORM 6 (knex) embeds only knex's own query builder; MikroORM 7 takes its QueryBuilder.
  const knex = (qb as { getKnexQuery?: () => unknown }).getKnexQuery;
  return typeof knex === 'function' ? knex.call(qb) : qb;
}

type RawScope = { run?: <T>(body: () => Promise<T>) => Promise<T> };

/**
 * Runs `body` so that the raw fragments it builds stay usable until it ends. MikroORM 6 forgets a
 * raw fragment's key as soon as one query used it, unless inside `RawQueryFragment.run`; core uses
 * one filter in several statements of an operation (a guard and its sub-select). MikroORM 7 keeps
 * fragments in their keys and needs nothing.
 */
export function withRawFragments<T>(body: () => Promise<T>): Promise<T> {
  const scope = RawQueryFragment as unknown as RawScope;
  return typeof scope.run === 'function' ? scope.run(body) : body();
}

/**
 * Raw SQL that must return rows, as the EntityManager's connection will return them. MikroORM 6's
 * SQLite connection runs a raw statement that starts with `delete` as a write and drops the rows
 * its `returning` clause gives; a leading comment makes it read them. MikroORM 7 reads them as
 * they are.
 */
export function sqlReturningRows(em: EntityManager, sql: string): string {
  return ormVersion().major === 6 && dialectOfEm(em).name === 'sqlite' && /^\s*delete\b/i.test(sql)
    ? `/* rows */ ${sql}`
    : sql;
}

/** A table (`schema.table` or `table`) as the target of `qb.leftJoin(target, alias, on)`. */
export function joinTarget(em: EntityManager, tablePath: string): unknown {
  if (ormVersion().major !== 6) return raw('??', [tablePath]);
  // MikroORM 6 joins any object as a sub-query, `(<toString()>) as alias`.
  const sql = em.getPlatform().formatQuery('select * from ??', [tablePath]);
  return { toString: () => sql };
}

/** The SQL (with `?` placeholders) and parameters of a query, as `connection.execute` takes them. */
export function sqlOf(query: { toQuery(): { sql: string; params: readonly unknown[] } }): {
  sql: string;
  params: readonly unknown[];
} {
  const built = query.toQuery() as {
    sql: string;
    params: readonly unknown[];
    _sql?: { sql: string; bindings?: readonly unknown[] };
  };
  // MikroORM 6 returns the driver's native SQL (`$1` on PostgreSQL), which its own
  // `connection.execute` cannot bind; knex's `?` form is kept beside it in `_sql`.
  if (built._sql && typeof built._sql.sql === 'string') {
    return { sql: built._sql.sql, params: built._sql.bindings ?? [] };
  }
  return { sql: built.sql, params: built.params };
}
