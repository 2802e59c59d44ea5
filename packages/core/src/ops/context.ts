import type { EntityManager } from '@mikro-orm/core';
import type { ModelInfo, ModelRegistry, ModelTarget } from '../model/registry.js';
import type { EntityManagerResolver } from '../orm/entity-manager.js';
import type { Connection, ReadRouting, ReplicaReads } from '../orm/replicas.js';
import type { StatementCache } from '../statements/cache.js';

/** Options of a store. */
export interface StoreOptions {
  /** Maps model names to entities when neither the entity name nor the table name matches. */
  models?: Readonly<Record<string, ModelTarget>>;
  /**
   * Reuse the SQL of query shapes seen before instead of building it with MikroORM's QueryBuilder
   * each time (default `true`). Results are the same either way; `false` is the switch to rule the
   * cache out when investigating a problem.
   */
  statementCache?: boolean;
  /**
   * Use `RETURNING` on MariaDB 10.5+ for inserts and deletes (default: detected from the server
   * version). `false` runs the MySQL code path (re-read, locking read) on MariaDB too.
   */
  mysqlReturning?: boolean;
  /**
   * Where reads (`findOne`, `findMany`, `count`) go. `'primary'` (default): everything runs on the
   * primary. `{ from: 'replicas', maxLagMs }` (PostgreSQL): reads outside a transaction go to
   * MikroORM's read replicas (its `replicas` config) that hold every commit older than `maxLagMs`
   * and every write this process made; a miss is confirmed on the primary. Writes, atomic
   * operations and transactions always use the primary. See "Read replicas" in the README.
   */
  reads?: ReadRouting;
}

/** State shared by a store and its transaction-bound views. @internal */
export interface StoreState {
  resolver: EntityManagerResolver;
  registry: ModelRegistry | undefined;
  options: StoreOptions;
  /** Whether the mysql-family server understands `INSERT/DELETE … RETURNING` (MariaDB 10.5+). */
  mysqlReturning: Promise<boolean> | undefined;
  /** The mysql-family server's version string, once asked. */
  mysqlVersion?: Promise<string> | undefined;
  /** Templates of statements by target and shape; undefined when the cache is off. */
  statements: StatementCache | undefined;
  /** Replica routing, when reads may go to replicas. */
  replicas: ReplicaReads | undefined;
}

/** What one operation runs with: the store's state, its model, and the EntityManager picked for it. */
export interface OperationContext {
  readonly state: StoreState;
  readonly info: ModelInfo;
  readonly em: EntityManager;
  /** Resolves another model by name (for joins). */
  readonly model: (name: string) => ModelInfo;
  /** The replica connection a read runs on; undefined: the EntityManager's own (the primary). */
  readonly reader?: Connection;
}
