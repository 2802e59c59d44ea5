import type { EntityManager, Platform } from '@mikro-orm/core';
import { UnsupportedError } from '../errors/classes.js';
import type { CaseFolding } from '../query/case-folding.js';

/** The SQL family a platform belongs to, as far as core's query choices go. */
export type Dialect = 'postgres' | 'sqlite' | 'mysql';

/**
 * MikroORM platforms whose capability flags look like a supported family (Oracle like PostgreSQL,
 * SQL Server like MySQL) but whose SQL is not: refused by class name, as MikroORM names them.
 */
const UNSUPPORTED_PLATFORMS: Readonly<Record<string, string>> = {
  MsSqlPlatform: 'Microsoft SQL Server',
  OraclePlatform: 'Oracle',
  MongoPlatform: 'MongoDB',
};

const dialects = new WeakMap<Platform, Dialect>();

/**
 * Classifies a MikroORM platform by its public capability flags; MariaDB counts as mysql. Throws
 * UnsupportedError for SQL Server, Oracle and MongoDB, whose SQL core does not write.
 */
export function dialectOf(platform: Platform): Dialect {
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
  let dialect: Dialect;
  if (!platform.usesReturningStatement()) dialect = 'mysql';
  else dialect = platform.usesCascadeStatement() ? 'postgres' : 'sqlite';
  dialects.set(platform, dialect);
  return dialect;
}

/** The SQL family of the database an EntityManager talks to. */
export function dialectOfEm(em: EntityManager): Dialect {
  return dialectOf(em.getPlatform());
}

/** How `LOWER()` folds case on the database an EntityManager talks to. */
export function caseFoldingOf(em: EntityManager): CaseFolding {
  const dialect = dialectOfEm(em);
  return dialect === 'sqlite' ? 'ascii' : dialect;
}
