import type { EntityManager } from '@mikro-orm/core';
import { ConnectionError, MikroAuthError } from './errors/classes.js';
import { concurrencyConflict, isConnectionLoss, translateError } from './errors/translate.js';
import { type ModelInfo, ModelRegistry } from './model/registry.js';
import { type IncrementOneArgs, incrementOne } from './ops/atomic.js';
import { consumeOne } from './ops/consume.js';
import type { OperationContext, StoreOptions, StoreRuntime } from './ops/context.js';
import { count, findMany, findOne } from './ops/read.js';
import { type UpsertOptions, upsert } from './ops/upsert.js';
import { create, deleteMany, updateMany, updateOne } from './ops/write.js';
import { mysqlServerVersion } from './orm/capabilities.js';
import { guardConnectionLoss } from './orm/connection-recovery.js';
import { type Dialect, dialectOf } from './orm/dialect.js';
import { EntityManagerResolver, type OrmSource } from './orm/entity-manager.js';
import { replicaMonitor, replicaReads } from './orm/replicas.js';
import {
  checkJsonDecoding,
  ormVersion,
  settleConnectionLoss,
  withRawFragments,
} from './orm/versions.js';
import type { CaseFolding } from './query/case-folding.js';
import type { FindManyQuery, FindOneOptions, Row, Where } from './query/types.js';
import { StatementCache } from './statements/cache.js';

export type { IncrementOneArgs } from './ops/atomic.js';
export type { StoreOptions } from './ops/context.js';
export type { UpsertOptions } from './ops/upsert.js';

/** The operations that may run on a replica; every other one counts as a write. */
const READS = new Set(['findOne', 'findMany', 'count']);

/** Whether a read found nothing (so a replica's answer is confirmed on the primary). */
function isMiss(result: unknown): boolean {
  return result === null || result === 0 || (Array.isArray(result) && result.length === 0);
}

/**
 * The one object adapters talk to: reads, writes, atomic primitives and transactions on the
 * application's own MikroORM, each on the EntityManager MikroORM's context rules pick. A facade:
 * it resolves the model and the EntityManager, delegates to ops/, and types what goes wrong.
 */
export class Store {
  readonly #runtime: StoreRuntime;
  readonly #resolver: EntityManagerResolver;

  /** Use `createStore`; the constructor is for transaction-bound views. @internal */
  constructor(runtime: StoreRuntime, resolver: EntityManagerResolver) {
    this.#runtime = runtime;
    this.#resolver = resolver;
  }

  /** The EntityManager the next operation runs on. */
  em(): EntityManager {
    return this.#resolver.current();
  }

  /** The model's entity and fields; throws UnknownModelError naming the entities that exist. */
  model(name: string): ModelInfo {
    return this.#modelOn(this.#resolver.root(), name);
  }

  /** The model as the ORM behind `em` defines it (a getter source may switch between ORMs). */
  #modelOn(em: EntityManager, name: string): ModelInfo {
    const metadata = em.getMetadata();
    let registry = this.#runtime.registries.get(metadata);
    if (!registry) {
      registry = new ModelRegistry(metadata, this.#runtime.options.models);
      this.#runtime.registries.set(metadata, registry);
    }
    return registry.get(name);
  }

  /** How case-insensitive matching folds case on this database (SQLite's LOWER() folds ASCII only). */
  caseFolding(): CaseFolding {
    return dialectOf(this.#resolver.root().getPlatform()).caseFolding;
  }

  /**
   * How many statement shapes the cache holds a reusable template for (0 with
   * `statementCache: false`), for diagnostics. Shapes that must go through the QueryBuilder every
   * time are not counted.
   */
  cachedStatements(): number {
    return this.#runtime.statements?.templates ?? 0;
  }

  /** The SQL family of the database. */
  dialect(): Dialect {
    return dialectOf(this.#resolver.root().getPlatform()).name;
  }

  /** Finds the first row matching `where`, or null; joined rows ride along. One statement. */
  findOne(model: string, where: Where, options: FindOneOptions = {}): Promise<Row | null> {
    return this.#read(model, 'findOne', (ctx) => findOne(ctx, where, options));
  }

  /**
   * Finds rows with sort (stable: ties broken by primary key), limit, offset, select and joins.
   * One statement, joins included.
   */
  findMany(model: string, query: FindManyQuery = {}): Promise<Row[]> {
    return this.#read(model, 'findMany', (ctx) => findMany(ctx, query));
  }

  /** Counts rows matching `where`. One statement. */
  count(model: string, where?: Where): Promise<number> {
    return this.#read(model, 'count', (ctx) => count(ctx, where));
  }

  /** Inserts a row and returns it as stored (see ops/write.ts for the statements per database). */
  create(model: string, data: Readonly<Record<string, unknown>>): Promise<Row> {
    return this.#run(model, 'create', (ctx) => create(ctx, data));
  }

  /** Updates the first row matching `where` and returns it, or null when none matched. */
  updateOne(
    model: string,
    where: Where,
    data: Readonly<Record<string, unknown>>,
  ): Promise<Row | null> {
    return this.#run(model, 'updateOne', (ctx) => updateOne(ctx, where, data));
  }

  /** Updates every row matching `where` in one statement; returns how many matched. */
  updateMany(
    model: string,
    where: Where | undefined,
    data: Readonly<Record<string, unknown>>,
  ): Promise<number> {
    return this.#run(model, 'updateMany', (ctx) => updateMany(ctx, where, data));
  }

  /** Deletes every row matching `where` (every row for an empty where) in one statement; returns the count. */
  deleteMany(model: string, where?: Where): Promise<number> {
    return this.#run(model, 'deleteMany', (ctx) => deleteMany(ctx, where));
  }

  /**
   * Deletes exactly one row matching `where` and returns it; under concurrency every caller gets a
   * different row, and the full `where` holds at the moment of deletion.
   */
  consumeOne(model: string, where: Where): Promise<Row | null> {
    return this.#run(model, 'consumeOne', (ctx) => consumeOne(ctx, where));
  }

  /**
   * Adds deltas to numeric fields and writes `set` values in one guarded statement on the first row
   * matching `where`; returns the updated row, or null when the guard matched nothing.
   */
  incrementOne(model: string, args: IncrementOneArgs): Promise<Row | null> {
    return this.#run(model, 'incrementOne', (ctx) => incrementOne(ctx, args));
  }

  /**
   * Inserts `data` (which holds the primary key) or, when that key's row exists, overwrites its
   * `update` fields (default: all given but the key), in one atomic statement on every database.
   * Concurrent upserts of one key leave one row. See ops/upsert.ts for the SQL per database.
   */
  upsert(
    model: string,
    data: Readonly<Record<string, unknown>>,
    options?: UpsertOptions,
  ): Promise<void> {
    return this.#run(model, 'upsert', (ctx) => upsert(ctx, data, options));
  }

  /**
   * Runs `fn` in a transaction with a store bound to it; nested calls use savepoints. A thrown
   * error rolls everything back. What `fn` throws reaches the caller unchanged, with one exception:
   * a driver error that dooms the transaction as a whole (a lost connection, a deadlock, a lock
   * timeout, a serialization failure) becomes `ConnectionError` or the retryable
   * `ConcurrencyConflictError`, whether it came from `fn`'s own queries, the rollback or the commit,
   * keeping the driver error as `cause`. Like the app's own `em.transactional` on the same
   * EntityManager, the commit flushes the context's pending changes (entities persisted or edited
   * and not yet flushed); if that flush fails, the error is typed (e.g. `UniqueViolationError`, its
   * `model` undefined since a flush spans entities) and nothing of the transaction is committed.
   */
  async transaction<T>(fn: (store: Store) => Promise<T>): Promise<T> {
    const em = this.em();
    let finished = false;
    try {
      const guarding = guardConnectionLoss(em);
      if (guarding) await guarding;
      await checkJsonDecoding(em, () => mysqlServerVersion(em));
      return await em.transactional(async (tem) => {
        const result = await fn(new Store(this.#runtime, new EntityManagerResolver(tem)));
        finished = true;
        return result;
      });
    } catch (error) {
      if (error instanceof MikroAuthError) throw error;
      // A lost connection (often surfacing from the rollback that followed) or a conflict fails
      // the transaction as a whole, whoever raised it: typed, keeping the driver error as cause.
      const phase = finished ? 'the commit of a transaction' : 'a transaction';
      if (isConnectionLoss(error)) {
        await settleConnectionLoss();
        throw new ConnectionError(phase, error);
      }
      const conflict = concurrencyConflict(error, phase);
      if (conflict) throw conflict;
      // After the callback, only the commit's flush of pending changes can fail.
      if (finished) throw translateError(error, undefined, phase, em);
      // Anything else is the callback's own: unchanged.
      throw error;
    }
  }

  /**
   * A read: on a replica that may serve it when replica reads are on and no transaction is active,
   * confirmed on the primary when the replica found nothing or failed; else as `#run`.
   */
  async #read<T>(
    model: string,
    operation: string,
    body: (ctx: OperationContext) => Promise<T>,
  ): Promise<T> {
    const replicas = this.#runtime.replicas;
    if (!replicas) return this.#run(model, operation, body);
    const em = this.em();
    if (em.getTransactionContext()) return this.#run(model, operation, body, em);
    const monitor = replicaMonitor(em);
    const reader = monitor.pick(replicas);
    if (!reader) return this.#run(model, operation, body, em);
    const info = this.#modelOn(em, model);
    try {
      const guarding = guardConnectionLoss(em, reader);
      if (guarding) await guarding;
      const result = await withRawFragments(() =>
        body({ state: this.#runtime, info, em, model: (name) => this.#modelOn(em, name), reader }),
      );
      if (!isMiss(result)) return result;
    } catch (error) {
      // The caller's own mistakes fail the same way on the primary; anything else is the
      // replica's (down, not yet holding the database, a recovery conflict): skip it.
      if (error instanceof MikroAuthError) throw error;
      monitor.markDown(reader);
    }
    return this.#run(model, operation, body, em);
  }

  /** Resolves the model and the EntityManager, runs `body`, and turns driver errors into typed ones. */
  async #run<T>(
    model: string,
    operation: string,
    body: (ctx: OperationContext) => Promise<T>,
    em: EntityManager = this.em(),
  ): Promise<T> {
    const info = this.#modelOn(em, model);
    const replicas =
      this.#runtime.replicas && !READS.has(operation) ? replicaMonitor(em) : undefined;
    try {
      const guarding = guardConnectionLoss(em);
      if (guarding) await guarding;
      await checkJsonDecoding(em, () => mysqlServerVersion(em));
      return await withRawFragments(() =>
        body({ state: this.#runtime, info, em, model: (name) => this.#modelOn(em, name) }),
      );
    } catch (error) {
      const translated = translateError(error, info.name, operation, em);
      if (translated instanceof ConnectionError) await settleConnectionLoss();
      throw translated;
    } finally {
      // Read-your-writes: until a replica holds this write, reads go to the primary.
      replicas?.noteWrite();
    }
  }
}

/** Creates the store for an initialised MikroORM, an EntityManager, or a getter returning one. */
export function createStore(source: OrmSource, options: StoreOptions = {}): Store {
  ormVersion();
  return new Store(
    {
      options,
      registries: new WeakMap(),
      statements: options.statementCache === false ? undefined : new StatementCache(),
      replicas: replicaReads(options.reads),
    },
    new EntityManagerResolver(source),
  );
}
