import type { EntityManager } from '@mikro-orm/core';
import type { ModelInfo, ModelRegistry, ModelTarget } from '../model/registry.js';
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
   * Run the statement cache's SQL as prepared statements with the values bound (default `true`):
   * on SQLite each statement is compiled once per connection, on PostgreSQL it is a named prepared
   * statement each pooled connection parses once. MikroORM itself inlines every value into the SQL
   * text, so each new value is a new statement to the database. Results are the same either way;
   * `false` is the switch to rule it out, and the setting for a pooler in front of PostgreSQL that
   * cannot keep prepared statements (PgBouncer in transaction mode before 1.21). MikroORM 7 only;
   * MySQL and MariaDB always take MikroORM's path.
   */
  preparedStatements?: boolean;
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
  /**
   * Read one row with one one-to-many join (`findOne` with a join, `findMany` with `limit: 1`) as a
   * plain `LEFT JOIN … LIMIT` instead of the windowed statement that pages many rows (default
   * `true`). Results are the same either way; `false` is the switch to rule it out.
   */
  plainSingleRowJoins?: boolean;
  /**
   * Read two or more one-to-many joins as branches of one UNION ALL, so a base row brings
   * n + m joined rows instead of n × m (default `true`). Results are the same either way; `false`
   * joins them side by side, the switch to rule it out.
   */
  unionManyJoins?: boolean;
}

/**
 * What a store and every transaction-bound view of it share, held by reference: what one view
 * learns, every other sees. Facts about a database server are kept per MikroORM driver instead
 * (orm/capabilities.ts), and model registries per ORM, since a getter passed as the store's source
 * may return EntityManagers of different ORMs. @internal
 */
export interface StoreRuntime {
  readonly options: StoreOptions;
  /** Each ORM's models, keyed by its MikroORM metadata (one `MetadataStorage` per ORM). */
  readonly registries: WeakMap<object, ModelRegistry>;
  /** Templates of statements by target and shape; undefined when the cache is off. */
  readonly statements: StatementCache | undefined;
  /** Replica routing, when reads may go to replicas. */
  readonly replicas: ReplicaReads | undefined;
}

/** What one operation runs with: the store's state, its model, and the EntityManager picked for it. */
export interface OperationContext {
  readonly state: StoreRuntime;
  readonly info: ModelInfo;
  readonly em: EntityManager;
  /** Resolves another model by name (for joins). */
  readonly model: (name: string) => ModelInfo;
  /** The replica connection a read runs on; undefined: the EntityManager's own (the primary). */
  readonly reader?: Connection;
}
