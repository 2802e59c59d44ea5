import type { ModelTarget, ReadRouting, StoreOptions } from '@mikro-auth/core';
import type { DBAdapterDebugLogOption } from 'better-auth/adapters';
import type { EntityNamingOptions } from './schema.js';

/**
 * Options of `mikroOrmAdapter`. `preparedStatements` (default `true`) is @mikro-auth/core's: set
 * it to `false` behind a pooler that cannot keep prepared statements (PgBouncer in transaction mode
 * before 1.21).
 */
export interface MikroOrmAdapterOptions
  extends EntityNamingOptions,
    Pick<StoreOptions, 'preparedStatements'> {
  /**
   * Your own entities for Better Auth models, keyed by model (`user`, `session`, `account`,
   * `verification`, plugin models). Unmapped models resolve by table name, then entity name.
   */
  entities?: Readonly<Record<string, ModelTarget>>;
  /** Run Better Auth's multi-step writes in database transactions (default true). */
  transaction?: boolean;
  /** Better Auth's adapter debug logs. */
  debugLogs?: DBAdapterDebugLogOption;
  /** Where `npx auth generate` writes the entities when no `--output` is given (default `auth-entities.ts`). */
  schemaFile?: string;
  /**
   * Where reads go (default `'primary'`). `{ from: 'replicas', maxLagMs }` (PostgreSQL) sends reads
   * outside transactions to the read replicas of your MikroORM config that hold every commit older
   * than `maxLagMs` and every write this process made; see "Read replicas" in @mikro-auth/core.
   */
  reads?: ReadRouting;
}
