import type { Platform } from '@mikro-orm/core';

/** The SQL family a platform belongs to, as far as core's query choices go. */
export type Dialect = 'postgres' | 'sqlite' | 'mysql';

/** Classifies a MikroORM platform by its public capability flags; MariaDB counts as mysql. */
export function dialectOf(platform: Platform): Dialect {
  if (!platform.usesReturningStatement()) return 'mysql';
  return platform.usesCascadeStatement() ? 'postgres' : 'sqlite';
}
