import type { EntityManager, Platform } from '@mikro-orm/core';
import { UnsupportedError } from '../errors/classes.js';
import type { CaseFolding } from '../query/case-folding.js';

/** The SQL family a platform belongs to, as far as core's query choices go (MariaDB is mysql). */
export type Dialect = 'postgres' | 'sqlite' | 'mysql';

/**
 * What core's SQL depends on, per database family: one object per family, chosen once per
 * MikroORM platform (as MikroORM's Platform subclasses carry theirs). Code asks these questions
 * instead of comparing dialect names; operations that differ in whole (consumeOne) pick their
 * per-family implementation by `name`.
 */
export interface SqlDialect {
  readonly name: Dialect;
  /** How `LOWER()` folds case. */
  readonly caseFolding: CaseFolding;
  /**
   * Strings compare and sort through the column's collation (MySQL/MariaDB: usually case- and
   * accent-insensitive, trailing-space-padded), so exact comparisons wrap the column in `binary`.
   */
  readonly collatedStrings: boolean;
  /** `LIKE` ignores ASCII case (SQLite): a case-sensitive match uses `GLOB`. */
  readonly likeIgnoresCase: boolean;
  /**
   * An ORDER BY direction that sorts NULLs lowest, as core does everywhere (MySQL and SQLite do so
   * natively; PostgreSQL is told to).
   */
  orderDirection(direction: 'asc' | 'desc'): string;
  /**
   * `INSERT/DELETE … RETURNING`: always, or only on servers that have it (MariaDB 10.5+, probed
   * once per driver in orm/capabilities.ts).
   */
  readonly insertDeleteReturning: 'always' | 'probe';
  /** `UPDATE … RETURNING` (MySQL and MariaDB have none). */
  readonly updateReturning: boolean;
  /** An insert hands back only an AUTO_INCREMENT id, never another database default (MySQL). */
  readonly readsBackOnlyAutoIncrement: boolean;
  /** The driver reads integers as JavaScript numbers, so ones beyond ±2^53 come back rounded. */
  readonly integersAsNumbers: boolean;
  /** `IN (select … limit n)` is refused: the sub-select goes into a derived table (MySQL). */
  readonly limitInSubqueryNeedsDerivedTable: boolean;
  /**
   * A NULL in a UNION branch needs its column's type (PostgreSQL resolves branch types pairwise: an
   * untyped NULL becomes text and then fails to match a later branch's timestamp).
   */
  readonly unionNullsNeedTypes: boolean;
  /** Reads may go to streaming replicas (orm/replicas.ts knows how to measure their lag). */
  readonly replicaReads: boolean;
  /** Pooled connections can die between uses and need orm/connection-recovery.ts's guard (pg). */
  readonly poolNeedsLossGuard: boolean;
  /**
   * How orm/prepared.ts runs a cached statement with bound values: a driver statement object kept
   * per connection (better-sqlite3), a named statement each connection prepares once (pg), or not
   * at all (MikroORM's path, values inlined).
   */
  readonly preparedStatements: 'statement-objects' | 'named' | false;
}

const POSTGRES: SqlDialect = {
  name: 'postgres',
  caseFolding: 'postgres',
  collatedStrings: false,
  likeIgnoresCase: false,
  orderDirection: (direction) => (direction === 'asc' ? 'asc nulls first' : 'desc nulls last'),
  insertDeleteReturning: 'always',
  updateReturning: true,
  readsBackOnlyAutoIncrement: false,
  integersAsNumbers: false,
  limitInSubqueryNeedsDerivedTable: false,
  unionNullsNeedTypes: true,
  replicaReads: true,
  poolNeedsLossGuard: true,
  preparedStatements: 'named',
};

const SQLITE: SqlDialect = {
  name: 'sqlite',
  caseFolding: 'ascii',
  collatedStrings: false,
  likeIgnoresCase: true,
  orderDirection: (direction) => direction,
  insertDeleteReturning: 'always',
  updateReturning: true,
  readsBackOnlyAutoIncrement: false,
  integersAsNumbers: true,
  limitInSubqueryNeedsDerivedTable: false,
  unionNullsNeedTypes: false,
  replicaReads: false,
  poolNeedsLossGuard: false,
  preparedStatements: 'statement-objects',
};

const MYSQL: SqlDialect = {
  name: 'mysql',
  caseFolding: 'mysql',
  collatedStrings: true,
  likeIgnoresCase: false,
  orderDirection: (direction) => direction,
  insertDeleteReturning: 'probe',
  updateReturning: false,
  readsBackOnlyAutoIncrement: true,
  integersAsNumbers: false,
  limitInSubqueryNeedsDerivedTable: true,
  unionNullsNeedTypes: false,
  replicaReads: false,
  poolNeedsLossGuard: false,
  preparedStatements: false,
};

/**
 * MikroORM platforms whose capability flags look like a supported family (Oracle like PostgreSQL,
 * SQL Server like MySQL) but whose SQL is not: refused by class name, as MikroORM names them.
 */
const UNSUPPORTED_PLATFORMS: Readonly<Record<string, string>> = {
  MsSqlPlatform: 'Microsoft SQL Server',
  OraclePlatform: 'Oracle',
  MongoPlatform: 'MongoDB',
};

const BY_NAME: Readonly<Record<Dialect, SqlDialect>> = {
  postgres: POSTGRES,
  sqlite: SQLITE,
  mysql: MYSQL,
};

/** The dialect object of a family name (e.g. what `Store.dialect()` reports). */
export function dialectNamed(name: Dialect): SqlDialect {
  return BY_NAME[name];
}

const dialects = new WeakMap<Platform, SqlDialect>();

/**
 * The dialect of a MikroORM platform, classified once by its public capability flags. Throws
 * UnsupportedError for SQL Server, Oracle and MongoDB, whose SQL core does not write.
 */
export function dialectOf(platform: Platform): SqlDialect {
  const known = dialects.get(platform);
  if (known) return known;
  for (
    let proto: unknown = Object.getPrototypeOf(platform);
    proto && proto !== Object.prototype;
    proto = Object.getPrototypeOf(proto)
  ) {
    const name = (proto as { constructor?: { name?: string } }).constructor?.name ?? '';
    const database = UNSUPPORTED_PLATFORMS[name];
    if (database) {
      throw new UnsupportedError(
        `mikro-auth runs on PostgreSQL, MySQL, MariaDB and SQLite; this MikroORM instance uses ` +
          `${database} (${name}). Give the adapter a MikroORM instance on a supported database.`,
      );
    }
  }
  const dialect = !platform.usesReturningStatement()
    ? MYSQL
    : platform.usesCascadeStatement()
      ? POSTGRES
      : SQLITE;
  dialects.set(platform, dialect);
  return dialect;
}

/** The dialect of the database an EntityManager talks to. */
export function dialectOfEm(em: EntityManager): SqlDialect {
  return dialectOf(em.getPlatform());
}
