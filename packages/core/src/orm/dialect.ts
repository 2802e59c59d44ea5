import type { EntityManager, Platform } from '@mikro-orm/core';
import type { CaseFolding } from '../query/case-folding.js';

/** The SQL family a platform belongs to, as far as core's query choices go. */
export type Dialect = 'postgres' | 'sqlite' | 'mysql';

/** Classifies a MikroORM platform by its public capability flags; MariaDB counts as mysql. */
export function dialectOf(platform: Platform): Dialect {
  if (!platform.usesReturningStatement()) return 'mysql';
  return platform.usesCascadeStatement() ? 'postgres' : 'sqlite';
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
