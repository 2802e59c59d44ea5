import {
  type Dictionary,
  type EntityManager,
  LockMode,
  type QueryResult,
  raw,
} from '@mikro-orm/core';
import { EntityManagerResolver, type OrmSource } from './context.js';
import { type Dialect, dialectOf } from './dialect.js';
import { ConnectionError, InvalidQueryError, MikroAuthError } from './errors.js';
import { concurrencyConflict, isConnectionLoss, translateError } from './errors-map.js';
import { type FieldInfo, type ModelInfo, ModelRegistry, type ModelTarget } from './model.js';
import { guardConnectionLoss } from './orm/connection-recovery.js';
import { qualifiedTable, tablePath } from './orm/tables.js';
import { coerceIncrement, coerceValue } from './query/coerce.js';
import { convertsValues, toDatabaseValue, toJsValue } from './query/convert.js';
import type { CaseFolding } from './query/evaluate.js';
import {
  fill,
  learn,
  MarkerSlots,
  StatementCache,
  type StatementShape,
  statementKey,
  statementTarget,
  ValueCollector,
} from './query/statement-cache.js';
import type { FindManyQuery, FindOneOptions, Join, Row, SortKey, Where } from './query/types.js';
import {
  type Filter,
  type ResolvedClause,
  resolveWhere,
  translateWhere,
  type ValueSlots,
} from './query/where.js';
import {
  forgetBySnapshot,
  forgetRows,
  hasManaged,
  syncBySnapshot,
  syncRows,
} from './write/identity-map.js';
import { type QueryBuilderLike, sqlEm } from './write/sql.js';

/** A join resolved against the models: which fields meet, and the per-row limit. */
interface JoinPlan {
  join: Join;
  index: number;
  target: ModelInfo;
  from: FieldInfo;
  to: FieldInfo;
  limit: number;
}

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
}

/** Arguments of `incrementOne`. */
export interface IncrementOneArgs {
  where: Where;
  /** Field → delta added atomically (negative to decrement). */
  increment: Readonly<Record<string, number>>;
  /** Field → absolute value written in the same statement. */
  set?: Readonly<Record<string, unknown>>;
}

/** State shared by a store and its transaction-bound views. @internal */
export interface StoreState {
  resolver: EntityManagerResolver;
  registry: ModelRegistry | undefined;
  options: StoreOptions;
  /** Whether the mysql-family server understands `INSERT/DELETE … RETURNING` (MariaDB 10.5+). */
  mysqlReturning: Promise<boolean> | undefined;
  /** Templates of statements by target and shape; undefined when the cache is off. */
  statements: StatementCache | undefined;
}

function checkCount(name: 'limit' | 'offset', value: number | undefined, model: string): void {
  if (value === undefined) return;
  if (!Number.isInteger(value) || value < 0) {
    throw new InvalidQueryError(`${name} must be a non-negative integer, got ${String(value)}.`, {
      model,
    });
  }
}

/**
 * The one object adapters talk to: reads, writes, atomic primitives and transactions on the
 * application's own MikroORM, each on the EntityManager MikroORM's context rules pick.
 */
export class Store {
  readonly #shared: StoreState;

  /** Use `createStore`; the constructor is for transaction-bound views. @internal */
  constructor(shared: StoreState) {
    this.#shared = shared;
  }

  /** The EntityManager the next operation runs on. */
  em(): EntityManager {
    return this.#shared.resolver.current();
  }

  /** The model's entity and fields; throws UnknownModelError naming the entities that exist. */
  model(name: string): ModelInfo {
    if (!this.#shared.registry) {
      const root = this.#shared.resolver.root();
      this.#shared.registry = new ModelRegistry(root.getMetadata(), this.#shared.options.models);
    }
    return this.#shared.registry.get(name);
  }

  /** How case-insensitive matching folds case on this database (SQLite's LOWER() folds ASCII only). */
  caseFolding(): CaseFolding {
    const dialect = this.dialect();
    return dialect === 'sqlite' ? 'ascii' : dialect;
  }

  /** How many statement shapes the cache holds (0 with `statementCache: false`), for diagnostics. */
  cachedStatements(): number {
    return this.#shared.statements?.size ?? 0;
  }

  /** The SQL family of the database. */
  dialect(): Dialect {
    return dialectOf(this.#shared.resolver.root().getPlatform());
  }

  /** Finds the first row matching `where`, or null; joined rows ride along. One statement. */
  async findOne(model: string, where: Where, options: FindOneOptions = {}): Promise<Row | null> {
    if (options.joins?.length) {
      const rows = await this.findMany(model, { where, limit: 1, ...options });
      return rows[0] ?? null;
    }
    return this.#run(model, 'findOne', async (info, em) => {
      const clauses = resolveWhere(info, where);
      const fields = this.#selected(info, options.select);
      const shape = { operation: 'findOne', model: info, fields, clauses } as const;
      const rows = await this.#read(shape, em, undefined, (filter) =>
        this.#select(info, em, fields).where(filter).limit(1),
      );
      return rows[0] ? this.#rawRow(info, em, rows[0]) : null;
    });
  }

  /**
   * Finds rows with sort (stable: ties broken by primary key), limit, offset, select and joins.
   * One statement, joins included.
   */
  async findMany(model: string, query: FindManyQuery = {}): Promise<Row[]> {
    return this.#run(model, 'findMany', async (info, em) => {
      checkCount('limit', query.limit, info.name);
      checkCount('offset', query.offset, info.name);
      if (query.joins?.length) return this.#findJoined(info, em, query, query.joins);
      const clauses = resolveWhere(info, query.where);
      const fields = this.#selected(info, query.select);
      const sort = this.#sortKeys(info, query.sort);
      const page = { limit: query.limit, offset: query.offset };
      const shape = { operation: 'findMany', model: info, fields, clauses, sort, page } as const;
      const rows = await this.#read(shape, em, undefined, (filter, page) => {
        const qb = this.#select(info, em, fields).where(filter);
        qb.orderBy(this.#orderBy(em, sort));
        this.#page(qb, page);
        return qb;
      });
      return rows.map((row) => this.#rawRow(info, em, row));
    });
  }

  /** Counts rows matching `where`. One statement. */
  async count(model: string, where?: Where): Promise<number> {
    return this.#run(model, 'count', async (info, em) => {
      const clauses = resolveWhere(info, where);
      const shape = { operation: 'count', model: info, clauses } as const;
      const rows = await this.#read(shape, em, undefined, (filter) =>
        sqlEm(em).createQueryBuilder(info.meta.class).count().where(filter),
      );
      return Number((rows[0] as { count?: number | string } | undefined)?.count ?? 0);
    });
  }

  /**
   * Inserts a row and returns it as stored. One statement with `INSERT … RETURNING` (PostgreSQL,
   * SQLite, MariaDB 10.5+); on MySQL the row is built from the written values and generated id,
   * re-read only when a column has a database default core cannot know.
   */
  async create(model: string, data: Readonly<Record<string, unknown>>): Promise<Row> {
    return this.#run(model, 'create', async (info, em) => {
      const values = this.#values(info, data);
      const mysql = this.#dialectOf(em) === 'mysql';
      if (!mysql || (await this.#mysqlReturning(em))) {
        const shape = { operation: 'insert', model: info, values } as const;
        const result = await this.#cached(shape, em, mysql ? 'all' : 'run', (slots) => {
          const inserted = this.#slotted(info, em, values, slots);
          return () => {
            const qb = sqlEm(em).createQueryBuilder(info.meta.class).insert(inserted);
            return mysql ? withSuffix(qb, ' returning *') : qb.returning('*');
          };
        });
        const stored = Array.isArray(result)
          ? result[0]
          : (result.rows as Dictionary[] | undefined)?.[0];
        if (!stored) {
          throw new InvalidQueryError('the database did not return the inserted row.', { model });
        }
        return this.#rawRow(info, em, stored);
      }
      const inserted = this.#slotted(info, em, values);
      const result = (await sqlEm(em)
        .createQueryBuilder(info.meta.class)
        .insert(inserted)
        .execute('run')) as { insertId?: unknown };
      const id = values[info.primaryKey.name] ?? result.insertId;
      const written = this.#writtenRow(info, em, values, id);
      // A column with a database-side default is read back; the insert happened either way, so a
      // row deleted meanwhile still yields what was written.
      if (written.complete) return written.row;
      return (await this.#byId(info, em, id)) ?? written.row;
    });
  }

  /**
   * Updates the first row matching `where` and returns it, or null when none matched. One statement
   * on PostgreSQL/SQLite; on MySQL/MariaDB two when `where` pins the primary key, else three.
   */
  async updateOne(
    model: string,
    where: Where,
    data: Readonly<Record<string, unknown>>,
  ): Promise<Row | null> {
    return this.#run(model, 'updateOne', async (info, em) => {
      const values = this.#values(info, data);
      if (Object.keys(values).length === 0) return this.findOne(model, where);
      const clauses = resolveWhere(info, where);
      const pk = info.primaryKey.name;
      const pinned = this.#pinnedId(info, clauses);
      let row: Row | null;
      if (this.#dialectOf(em) !== 'mysql') {
        const platform = em.getPlatform();
        const variant = pinned === undefined ? 'first' : 'pinned';
        const shape = { operation: 'updateOne', model: info, values, clauses, variant } as const;
        const result = await this.#cached(shape, em, 'run', (slots) => {
          const filter = translateWhere(info, clauses, platform, undefined, slots);
          // The sub-select's values go through `slots` too, or a cached template would keep the
          // first call's values.
          const first =
            pinned === undefined
              ? translateWhere(info, clauses, platform, undefined, slots)
              : undefined;
          const updated = this.#slotted(info, em, values, slots);
          return () =>
            sqlEm(em)
              .createQueryBuilder(info.meta.class)
              .update(updated)
              .where(
                first
                  ? { $and: [filter, { [pk]: { $in: this.#firstIds(info, em, first) } }] }
                  : filter,
              )
              .returning('*');
        });
        const updated = (result.rows as Dictionary[] | undefined)?.[0];
        row = updated ? this.#rawRow(info, em, updated) : null;
      } else {
        // No UPDATE … RETURNING: lock (by updating, or by a locking read when `where` does not pin
        // the primary key), update and read back in one transaction, so no concurrent writer can
        // change or delete the row between the statements.
        row = await this.#inTransaction(em, async (tem) => {
          const filter = this.#filter(info, clauses, tem);
          const id =
            pinned !== undefined && !(pk in values)
              ? pinned
              : await this.#lockFirstId(info, tem, filter);
          if (id === undefined) return null;
          const result = (await sqlEm(tem)
            .createQueryBuilder(info.meta.class)
            .update(this.#slotted(info, tem, values))
            .where({ $and: [{ [pk]: id }, filter] })
            .execute('run')) as { affectedRows?: number };
          if (!result.affectedRows) return null;
          return this.#byId(info, tem, values[pk] ?? id);
        });
      }
      if (row) syncRows(em, info, [row], Object.keys(values));
      return row;
    });
  }

  /**
   * Updates every row matching `where` in one statement; returns how many matched. Entities of the
   * model loaded in the EntityManager are brought in line by the ids the database returns (by
   * their last loaded state on MySQL/MariaDB, which have no `UPDATE … RETURNING`).
   */
  async updateMany(
    model: string,
    where: Where | undefined,
    data: Readonly<Record<string, unknown>>,
  ): Promise<number> {
    return this.#run(model, 'updateMany', async (info, em) => {
      const values = this.#values(info, data);
      if (Object.keys(values).length === 0) return this.count(model, where);
      const clauses = resolveWhere(info, where);
      const platform = em.getPlatform();
      const mysql = this.#dialectOf(em) === 'mysql';
      const managed = hasManaged(em, info);
      const returnIds = managed && !mysql;
      const variant = returnIds ? 'returning-ids' : undefined;
      const shape = { operation: 'updateMany', model: info, values, clauses, variant } as const;
      const result = await this.#cached(shape, em, returnIds ? 'all' : 'run', (slots) => {
        const updated = this.#slotted(info, em, values, slots);
        const filter = translateWhere(info, clauses, platform, undefined, slots);
        return () => {
          const qb = sqlEm(em).createQueryBuilder(info.meta.class).update(updated).where(filter);
          return returnIds ? qb.returning([info.primaryKey.name]) : qb;
        };
      });
      const written = this.#storedValues(info, em, values);
      if (Array.isArray(result)) {
        const pk = info.primaryKey;
        const rows = result.map((stored) => ({ ...written, [pk.name]: stored[pk.column] }));
        syncRows(em, info, rows, Object.keys(values));
        return result.length;
      }
      if (managed) syncBySnapshot(em, info, clauses, written, this.#caseFolding(em));
      return Number(result.affectedRows ?? 0);
    });
  }

  /**
   * Deletes every row matching `where` (every row for an empty where) in one statement; returns the
   * count. Loaded entities of the rows the database deleted are detached.
   */
  async deleteMany(model: string, where?: Where): Promise<number> {
    return this.#run(model, 'deleteMany', async (info, em) => {
      const clauses = resolveWhere(info, where);
      const platform = em.getPlatform();
      const mysql = this.#dialectOf(em) === 'mysql';
      const managed = hasManaged(em, info);
      const returnIds = managed && (!mysql || (await this.#mysqlReturning(em)));
      const variant = returnIds ? 'returning-ids' : undefined;
      const shape = { operation: 'deleteMany', model: info, clauses, variant } as const;
      const pk = info.primaryKey;
      const result = await this.#cached(shape, em, returnIds ? 'all' : 'run', (slots) => {
        const filter = translateWhere(info, clauses, platform, undefined, slots);
        return () => {
          const qb = sqlEm(em).createQueryBuilder(info.meta.class).delete().where(filter);
          // The QueryBuilder renders no RETURNING on a delete; every dialect here reads this one.
          return returnIds
            ? withSuffix(qb, ` returning ${platform.quoteIdentifier(pk.column)}`)
            : qb;
        };
      });
      if (Array.isArray(result)) {
        forgetRows(
          em,
          info,
          result.map((stored) => ({ [pk.name]: stored[pk.column] })),
        );
        return result.length;
      }
      if (managed) forgetBySnapshot(em, info, clauses, this.#caseFolding(em));
      return Number(result.affectedRows ?? 0);
    });
  }

  /**
   * Deletes exactly one row matching `where` and returns it; under concurrency every caller gets a
   * different row, and the full `where` holds at the moment of deletion. PostgreSQL: `DELETE …
   * RETURNING` of the row a `FOR UPDATE SKIP LOCKED` CTE locked (when every match is locked by
   * others, once more waiting for the locks); SQLite and MariaDB 10.5+: `DELETE … RETURNING`;
   * MySQL: a locking read and a delete in one transaction.
   */
  async consumeOne(model: string, where: Where): Promise<Row | null> {
    return this.#run(model, 'consumeOne', async (info, em) => {
      const filter = this.#filter(info, where, em);
      const pk = info.primaryKey.name;
      const dialect = this.#dialectOf(em);
      let row: Row | null = null;
      if (dialect === 'sqlite') {
        // SQLite runs one writer at a time: the statement sees no concurrent change.
        const query = sqlEm(em)
          .createQueryBuilder(info.meta.class)
          .delete()
          .where({ $and: [filter, { [pk]: { $in: this.#firstIds(info, em, filter) } }] })
          .toQuery();
        const rows = await this.#execute(em, `${query.sql} returning *`, query.params);
        row = rows[0] ? this.#rawRow(info, em, rows[0]) : null;
      } else if (dialect === 'postgres') {
        // The first row is picked and locked once, in a materialized CTE: a sub-select in the
        // DELETE's WHERE may be re-run per row and would then lock and delete more than one.
        const consume = async (lock: string) => {
          const first = sqlEm(em)
            .createQueryBuilder(info.meta.class, 'first0')
            .select([pk])
            .where(filter)
            .limit(1)
            .toQuery();
          const platform = em.getPlatform();
          const cte = platform.quoteIdentifier('mikro_auth_first');
          const picked = raw(
            `select ${platform.quoteIdentifier(info.primaryKey.column)} from ${cte}`,
          );
          // The guard is repeated: it is checked again on the row as the delete takes it.
          const query = sqlEm(em)
            .createQueryBuilder(info.meta.class)
            .delete()
            .where({ $and: [filter, { [pk]: { $in: picked } }] })
            .toQuery();
          return this.#execute(
            em,
            `with ${cte} as materialized (${first.sql}${lock}) ${query.sql} returning *`,
            [...first.params, ...query.params],
          );
        };
        // SKIP LOCKED gives concurrent callers different rows; when every match is locked by
        // other transactions, wait for them once and take what is left.
        let rows = await consume(' for update skip locked');
        if (!rows[0]) rows = await consume(' for update');
        row = rows[0] ? this.#rawRow(info, em, rows[0]) : null;
      } else if (await this.#mysqlReturning(em)) {
        const query = sqlEm(em)
          .createQueryBuilder(info.meta.class)
          .delete()
          .where(filter)
          .toQuery();
        const rows = await this.#execute(em, `${query.sql} limit 1 returning *`, query.params);
        row = rows[0] ? this.#rawRow(info, em, rows[0]) : null;
      } else {
        row = await this.#inTransaction(em, async (tem) => {
          const locked = (await this.#select(info, tem)
            .where(filter)
            .limit(1)
            .setLockMode(LockMode.PESSIMISTIC_WRITE)
            .execute('all')) as Dictionary[];
          if (!locked[0]) return null;
          const found = this.#row(info, tem, locked[0]);
          await sqlEm(tem)
            .createQueryBuilder(info.meta.class)
            .delete()
            .where({ [pk]: found[pk] })
            .execute('run');
          return found;
        });
      }
      if (row) forgetRows(em, info, [row]);
      return row;
    });
  }

  /**
   * Adds deltas to numeric fields and writes `set` values in one guarded statement on the first row
   * matching `where`; returns the updated row, or null when the guard matched nothing.
   */
  async incrementOne(model: string, args: IncrementOneArgs): Promise<Row | null> {
    return this.#run(model, 'incrementOne', async (info, em) => {
      const increments = Object.entries(args.increment ?? {});
      if (increments.length === 0 && Object.keys(args.set ?? {}).length === 0) {
        throw new InvalidQueryError('incrementOne needs at least one field to increment or set.', {
          model,
        });
      }
      const values: Dictionary = this.#slotted(info, em, this.#values(info, args.set ?? {}));
      for (const [name, delta] of increments) {
        const field = info.field(name);
        if (field.type !== 'number' && field.type !== 'bigint') {
          throw new InvalidQueryError(
            `only numeric fields can be incremented; "${name}" holds ${field.type} values.`,
            { model, field: name },
          );
        }
        coerceIncrement(field, delta, { model, field: name });
        values[field.name] = raw('?? + ?', [field.column, delta]);
      }
      const filter = this.#filter(info, args.where, em);
      const pk = info.primaryKey.name;
      let row: Row | null;
      if (this.#dialectOf(em) !== 'mysql') {
        // The guard is repeated outside the sub-select so PostgreSQL re-checks it against a row
        // another transaction changed while this one waited for its lock.
        const qb = sqlEm(em)
          .createQueryBuilder(info.meta.class)
          .update(values)
          .where({ $and: [filter, { [pk]: { $in: this.#firstIds(info, em, filter) } }] });
        const result = (await qb.returning('*').execute('run')) as { rows?: Dictionary[] };
        row = result.rows?.[0] ? this.#rawRow(info, em, result.rows[0]) : null;
      } else {
        row = await this.#inTransaction(em, async (tem) => {
          const locked = (await sqlEm(tem)
            .createQueryBuilder(info.meta.class)
            .select([pk])
            .where(filter)
            .limit(1)
            .setLockMode(LockMode.PESSIMISTIC_WRITE)
            .execute('all')) as Dictionary[];
          if (!locked[0]) return null;
          const id = locked[0][pk];
          await sqlEm(tem)
            .createQueryBuilder(info.meta.class)
            .update(values)
            .where({ [pk]: id })
            .execute('run');
          return this.#byId(info, tem, (values[pk] as unknown) ?? id);
        });
      }
      if (row) syncRows(em, info, [row], Object.keys(values));
      return row;
    });
  }

  /**
   * Runs `fn` in a transaction with a store bound to it; nested calls use savepoints. A thrown
   * error rolls everything back and reaches the caller unchanged. Like the app's own
   * `em.transactional` on the same EntityManager, the commit flushes the context's pending changes
   * (entities persisted or edited and not yet flushed); if that flush fails, the error is typed
   * (e.g. UniqueViolationError) and nothing of the transaction is committed.
   */
  async transaction<T>(fn: (store: Store) => Promise<T>): Promise<T> {
    const em = this.em();
    let finished = false;
    try {
      const guarding = guardConnectionLoss(em);
      if (guarding) await guarding;
      return await em.transactional(async (tem) => {
        const result = await fn(
          new Store({ ...this.#shared, resolver: new EntityManagerResolver(tem) }),
        );
        finished = true;
        return result;
      });
    } catch (error) {
      // The callback's own errors pass unchanged; a lost connection (often surfacing from the
      // rollback that followed) becomes a ConnectionError that keeps the driver error as cause.
      if (error instanceof MikroAuthError) throw error;
      if (isConnectionLoss(error)) throw new ConnectionError('a transaction', error);
      const conflict = concurrencyConflict(error, 'the commit of a transaction');
      if (conflict) throw conflict;
      // After the callback, only the commit's flush of pending changes can fail.
      if (finished) throw translateError(error, 'pending changes flushed at commit', 'commit', em);
      throw error;
    }
  }

  /** Applies limit and offset (taken through the slots by `pageValues`) as parameters. */
  #page(qb: QueryBuilderLike, page: PageValues): void {
    if (page.limit !== undefined) qb.limit(page.limit as number);
    else if (page.offset !== undefined) qb.limit(Number.MAX_SAFE_INTEGER); // MySQL and SQLite need LIMIT with OFFSET
    if (page.offset !== undefined) qb.offset(page.offset as number);
  }

  /**
   * One statement: the base rows (filtered, sorted, paged) as a derived table, left-joined to each
   * joined model; one-to-many joins are numbered per base row with a window function so the limit
   * applies per row, and restricted to keys the base filter selects so no table is scanned whole.
   */
  async #findJoined(
    info: ModelInfo,
    em: EntityManager,
    query: FindManyQuery,
    joins: readonly Join[],
  ): Promise<Row[]> {
    const pk = info.primaryKey;
    const selected = query.select?.length
      ? query.select.map((name) => info.field(name))
      : info.fields;
    const plans = joins.map((join, index) => {
      if (info.findField(join.as)) {
        throw new InvalidQueryError(
          `join "${join.as}" would overwrite the field of that name; choose another \`as\`.`,
          { model: info.name, field: join.as },
        );
      }
      const target = this.model(join.model);
      const limit = join.relation === 'one' ? 1 : (join.limit ?? 100);
      checkCount('limit', limit, target.name);
      return {
        join,
        index,
        target,
        from: info.field(join.on.from),
        to: target.field(join.on.to),
        limit,
      };
    });
    const sortKeys = this.#sortKeys(info, query.sort);
    // The derived table also carries what the outer query joins and sorts on; only `selected` is returned.
    const baseFields = [
      ...new Set([
        ...selected,
        pk,
        ...plans.map((plan) => plan.from),
        ...sortKeys.map((key) => key.field),
      ]),
    ];

    const raws = plans.every(
      (plan) => plan.join.relation === 'one' && (plan.to.primary || plan.to.property.unique),
    )
      ? await this.#joinFlat(info, em, query, baseFields, plans)
      : await this.#joinDerived(info, em, query, baseFields, sortKeys, plans);

    const split = (raw: Dictionary, prefix: string): Dictionary => {
      const part: Dictionary = {};
      for (const [key, value] of Object.entries(raw)) {
        if (key.startsWith(prefix)) part[key.slice(prefix.length)] = value;
      }
      return part;
    };
    const results = new Map<unknown, { row: Row; seen: Array<Set<unknown>> }>();
    const keep = new Set(selected.map((field) => field.name));
    for (const raw of raws) {
      const baseRaw = split(raw, 'b__');
      const key = baseRaw[pk.column];
      let entry = results.get(key);
      if (!entry) {
        const full = this.#rawRow(info, em, baseRaw);
        const row: Row = {};
        for (const [name, value] of Object.entries(full)) if (keep.has(name)) row[name] = value;
        for (const plan of plans) row[plan.join.as] = plan.join.relation === 'one' ? null : [];
        entry = { row, seen: plans.map(() => new Set()) };
        results.set(key, entry);
      }
      for (const plan of plans) {
        const joinedRaw = split(raw, `j${plan.index}__`);
        const joinedKey = joinedRaw[plan.target.primaryKey.column];
        if (joinedKey === null || joinedKey === undefined || entry.seen[plan.index]!.has(joinedKey))
          continue;
        entry.seen[plan.index]!.add(joinedKey);
        const joined = this.#rawRow(plan.target, em, joinedRaw);
        if (plan.join.relation === 'one') entry.row[plan.join.as] ??= joined;
        else (entry.row[plan.join.as] as Row[]).push(joined);
      }
    }
    return [...results.values()].map((entry) => entry.row);
  }

  /**
   * Joins that match at most one row each (on a primary or unique key): one plain statement, the
   * base table left-joined to each target table, filtered, sorted and paged as usual.
   */
  async #joinFlat(
    info: ModelInfo,
    em: EntityManager,
    query: FindManyQuery,
    baseFields: readonly FieldInfo[],
    plans: readonly JoinPlan[],
  ): Promise<Dictionary[]> {
    const clauses = resolveWhere(info, query.where);
    const sort = this.#sortKeys(info, query.sort);
    const shape: StatementShape = {
      operation: 'joinFlat',
      model: info,
      fields: baseFields,
      clauses,
      sort,
      page: { limit: query.limit, offset: query.offset },
      joins: plans.map((plan) => ({ ...plan, relation: plan.join.relation })),
    };
    return this.#read(shape, em, 'b', (filter, page) => {
      const columns: unknown[] = baseFields.map((field) =>
        raw('?? as ??', [`b.${field.column}`, `b__${field.column}`]),
      );
      const qb = sqlEm(em).createQueryBuilder(info.meta.class, 'b');
      for (const plan of plans) {
        const alias = `j${plan.index}`;
        for (const field of plan.target.fields) {
          columns.push(raw('?? as ??', [`${alias}.${field.column}`, `${alias}__${field.column}`]));
        }
        qb.leftJoin(raw('??', [tablePath(em, plan.target.meta)]), alias, {
          [raw('?? = ??', [`${alias}.${plan.to.column}`, `b.${plan.from.column}`])]: [],
        });
      }
      qb.select(columns as string[])
        .where(filter)
        .orderBy(this.#orderBy(em, sort, 'b'));
      this.#page(qb, page);
      return qb;
    });
  }

  /**
   * One-to-many joins: the base rows (filtered, sorted, paged) as a derived table, left-joined to
   * each target numbered per base row with a window function so the limit applies per row, and
   * restricted to keys the base filter selects so no table is scanned whole.
   */
  async #joinDerived(
    info: ModelInfo,
    em: EntityManager,
    query: FindManyQuery,
    baseFields: readonly FieldInfo[],
    sortKeys: ReadonlyArray<{ field: FieldInfo; direction: 'asc' | 'desc' }>,
    plans: readonly JoinPlan[],
  ): Promise<Dictionary[]> {
    const clauses = resolveWhere(info, query.where);
    const platform = em.getPlatform();
    const shape: StatementShape = {
      operation: 'joinDerived',
      model: info,
      fields: baseFields,
      clauses,
      sort: sortKeys,
      page: { limit: query.limit, offset: query.offset },
      joins: plans.map((plan) => ({ ...plan, relation: plan.join.relation })),
    };
    return this.#cached(shape, em, 'all', (slots) => {
      // Every value is taken here, in this order, so learning and refilling agree.
      const baseFilter = translateWhere(info, clauses, platform, undefined, slots);
      const keyFilters = plans.map((plan) =>
        plan.join.relation === 'many'
          ? translateWhere(info, clauses, platform, undefined, slots)
          : undefined,
      );
      const page = pageValues(query, slots);
      const joinLimits = plans.map((plan) => slots.param(plan.limit));
      return () => ({
        toQuery: () =>
          this.#derivedQuery(info, em, page, baseFields, sortKeys, plans, {
            baseFilter,
            keyFilters,
            joinLimits,
          }),
      });
    });
  }

  /** The SQL of #joinDerived for given filters. */
  #derivedQuery(
    info: ModelInfo,
    em: EntityManager,
    page: PageValues,
    baseFields: readonly FieldInfo[],
    sortKeys: ReadonlyArray<{ field: FieldInfo; direction: 'asc' | 'desc' }>,
    plans: readonly JoinPlan[],
    values: {
      baseFilter: Filter;
      keyFilters: ReadonlyArray<Filter | undefined>;
      joinLimits: readonly unknown[];
    },
  ): { sql: string; params: readonly unknown[] } {
    const { baseFilter, keyFilters, joinLimits } = values;
    const platform = em.getPlatform();
    const quote = (...parts: string[]) =>
      parts.map((part) => platform.quoteIdentifier(part)).join('.');
    const postgres = this.#dialectOf(em) === 'postgres';
    const mysql = this.#dialectOf(em) === 'mysql';
    const base = sqlEm(em)
      .createQueryBuilder(info.meta.class, 'b0')
      .select(baseFields.map((field) => field.name))
      .where(baseFilter)
      .orderBy(this.#orderBy(em, sortKeys, 'b0'));
    this.#page(base, page);
    const baseQuery = base.toQuery();

    const columns = baseFields.map(
      (field) => `${quote('b', field.column)} as ${quote(`b__${field.column}`)}`,
    );
    const joinSql: string[] = [];
    const params: unknown[] = [...baseQuery.params];
    for (const plan of plans) {
      const alias = `j${plan.index}`;
      const targetPk = plan.target.primaryKey;
      const on = `${quote(alias, plan.to.column)} = ${quote('b', plan.from.column)}`;
      if (plan.join.relation === 'one') {
        // At most one row per base row is wanted: a plain join (duplicates are dropped below).
        joinSql.push(
          `left join ${qualifiedTable(em, plan.target.meta)} as ${quote(alias)} on ${on}`,
        );
      } else {
        // Only rows whose key the base filter can select; the window numbers them per base row.
        const keys = sqlEm(em)
          .createQueryBuilder(info.meta.class, `k${plan.index}`)
          .select([plan.from.name])
          .where(keyFilters[plan.index]!);
        const inner = sqlEm(em)
          .createQueryBuilder(plan.target.meta.class, `i${plan.index}`)
          .select([
            ...plan.target.fields.map((field) => field.name),
            raw('row_number() over (partition by ?? order by ??) as ??', [
              `i${plan.index}.${plan.to.column}`,
              `i${plan.index}.${targetPk.column}`,
              'mikro_auth_rn',
            ]) as unknown as string,
          ])
          .where({ [plan.to.name]: { $in: keys } })
          .toQuery();
        params.push(...inner.params, joinLimits[plan.index]);
        joinSql.push(
          `left join (${inner.sql}) as ${quote(alias)} on ${on} and ${quote(alias, 'mikro_auth_rn')} <= ?`,
        );
      }
      for (const field of plan.target.fields) {
        columns.push(`${quote(alias, field.column)} as ${quote(`${alias}__${field.column}`)}`);
      }
    }
    const order = [
      ...sortKeys.map(({ field, direction }) => {
        const nulls = postgres ? (direction === 'asc' ? ' nulls first' : ' nulls last') : '';
        const binary = mysql && field.type === 'string' ? 'binary ' : '';
        return `${binary}${quote('b', field.column)} ${direction}${nulls}`;
      }),
      ...plans.map((plan) => `${quote(`j${plan.index}`, plan.target.primaryKey.column)} asc`),
    ];
    const sql =
      `select ${columns.join(', ')} from (${baseQuery.sql}) as ${quote('b')} ${joinSql.join(' ')}` +
      ` order by ${order.join(', ')}`;
    return { sql, params };
  }

  /**
   * Runs a statement built by `build` from the values it is given through `slots`. With the cache
   * on, the first call of a shape goes through MikroORM's QueryBuilder and learns a template of it;
   * later calls refill the template and skip the QueryBuilder (see query/statement-cache.ts). The
   * key is built from the EntityManager's target and the shape in `statementKey`, nowhere else.
   */
  async #cached<M extends 'all' | 'run'>(
    shape: StatementShape,
    em: EntityManager,
    method: M,
    build: (slots: ValueSlots) => () => Pick<QueryBuilderLike, 'toQuery'>,
  ): Promise<M extends 'all' ? Dictionary[] : QueryResult> {
    type Result = M extends 'all' ? Dictionary[] : QueryResult;
    const execute = (sql: string, params: readonly unknown[]) =>
      em
        .getConnection()
        .execute(sql, [...params], method, em.getTransactionContext()) as Promise<Result>;
    const cache = this.#shared.statements;
    if (!cache) {
      const query = build(DIRECT_SLOTS)().toQuery();
      return execute(query.sql, query.params);
    }
    const key = statementKey(statementTarget(em), shape);
    const cached = cache.get(key);
    if (cached) {
      // Only the values are needed: no filter objects, no QueryBuilder.
      const values = new ValueCollector(true);
      build(values);
      return execute(cached.sql, fill(cached, values.values));
    }
    const collector = new ValueCollector(false);
    const real = build(collector)().toQuery();
    if (cached === undefined) {
      const markers = new MarkerSlots();
      const marked = build(markers)().toQuery();
      cache.set(key, learn(real, marked, markers.markers, collector.values) ?? null);
    }
    return execute(real.sql, real.params);
  }

  /** A read through the statement cache, filtered by the shape's clauses. */
  #read(
    shape: StatementShape,
    em: EntityManager,
    alias: string | undefined,
    build: (filter: Filter, page: PageValues) => QueryBuilderLike,
  ): Promise<Dictionary[]> {
    const platform = em.getPlatform();
    return this.#cached(shape, em, 'all', (slots) => {
      // Every value is taken here, before the QueryBuilder is built, so a cache hit has them all.
      const filter = translateWhere(shape.model, shape.clauses ?? [], platform, alias, slots);
      const page = pageValues(shape.page ?? {}, slots);
      return () => build(filter, page);
    });
  }

  /**
   * Values to write, keyed by property, each passed through `slots`; values of converting types
   * are converted by core and passed as finished parameters (see query/convert.ts).
   */
  #slotted(
    info: ModelInfo,
    em: EntityManager,
    values: Dictionary,
    slots: ValueSlots = DIRECT_SLOTS,
  ): Dictionary {
    const platform = em.getPlatform();
    const out: Dictionary = {};
    for (const [name, value] of Object.entries(values)) {
      const field = info.field(name);
      if (value === null) out[name] = null;
      else if (convertsValues(field)) {
        out[name] = raw('?', [slots.param(toDatabaseValue(field, value, platform, 'query-data'))]);
      } else out[name] = slots.plain(field, value);
    }
    return out;
  }

  /** Written values as a read would return them: through the field type's conversions both ways. */
  #storedValues(info: ModelInfo, em: EntityManager, values: Dictionary): Dictionary {
    const platform = em.getPlatform();
    const out: Dictionary = {};
    for (const [name, value] of Object.entries(values)) {
      const field = info.field(name);
      out[name] = toJsValue(field, toDatabaseValue(field, value, platform, 'query-data'), platform);
    }
    return out;
  }

  /**
   * The row an insert wrote, from its values, the generated id and static defaults; `complete` is
   * false when a column has a database-side default (or no value) that only a read can tell.
   */
  #writtenRow(
    info: ModelInfo,
    em: EntityManager,
    values: Dictionary,
    id: unknown,
  ): { row: Row; complete: boolean } {
    const platform = em.getPlatform();
    const stored: Dictionary = {};
    for (const [name, value] of Object.entries(values)) {
      stored[name] = toDatabaseValue(info.field(name), value, platform, 'query-data');
    }
    const row: Row = {};
    let complete = true;
    for (const field of info.fields) {
      const prop = field.property;
      if (field.name in stored) row[field.name] = stored[field.name];
      else if (field.primary) row[field.name] = id;
      else if (prop.default !== undefined && prop.default !== null && field.type !== 'date') {
        row[field.name] = prop.default;
      } else if (field.nullable && prop.defaultRaw === undefined && prop.default === undefined) {
        row[field.name] = null;
      } else complete = false;
    }
    return { row: this.#row(info, em, row), complete };
  }

  async #run<T>(
    model: string,
    operation: string,
    body: (info: ModelInfo, em: EntityManager) => Promise<T>,
  ): Promise<T> {
    const info = this.model(model);
    const em = this.em();
    try {
      const guarding = guardConnectionLoss(em);
      if (guarding) await guarding;
      return await body(info, em);
    } catch (error) {
      throw translateError(error, info.name, operation, em);
    }
  }

  #dialectOf(em: EntityManager): Dialect {
    return dialectOf(em.getPlatform());
  }

  /** How `LOWER()` folds case on the database `em` talks to. */
  #caseFolding(em: EntityManager): CaseFolding {
    const dialect = this.#dialectOf(em);
    return dialect === 'sqlite' ? 'ascii' : dialect;
  }

  /** The MikroORM filter for `where` on `em`'s platform. */
  #filter(
    info: ModelInfo,
    where: Where | readonly ResolvedClause[] | undefined,
    em: EntityManager,
  ): Filter {
    const clauses = isResolved(where) ? where : resolveWhere(info, where);
    return translateWhere(info, clauses, em.getPlatform());
  }

  /** The fields a read returns: `select` resolved, or every field. */
  #selected(info: ModelInfo, select: readonly string[] | undefined): readonly FieldInfo[] {
    if (!select?.length) return info.fields;
    return [...new Set(select.map((name) => info.field(name)))];
  }

  #select(
    info: ModelInfo,
    em: EntityManager,
    fields: readonly FieldInfo[] = info.fields,
  ): QueryBuilderLike {
    return sqlEm(em)
      .createQueryBuilder(info.meta.class)
      .select(fields.map((field) => field.name));
  }

  /** Sort keys resolved to fields, with the primary key appended as the final tie-breaker. */
  #sortKeys(
    info: ModelInfo,
    sort: SortKey | readonly SortKey[] | undefined,
  ): Array<{ field: FieldInfo; direction: 'asc' | 'desc' }> {
    const keys: readonly SortKey[] =
      sort === undefined ? [] : Array.isArray(sort) ? sort : [sort as SortKey];
    const resolved = keys.map((key) => {
      if (key.direction !== 'asc' && key.direction !== 'desc') {
        throw new InvalidQueryError(
          `sort direction must be "asc" or "desc", got ${String(key.direction)}.`,
          {
            model: info.name,
            field: key.field,
          },
        );
      }
      return { field: info.field(key.field), direction: key.direction };
    });
    if (!resolved.some((key) => key.field.primary))
      resolved.push({ field: info.primaryKey, direction: 'asc' });
    return resolved;
  }

  /**
   * ORDER BY for the sort keys. Nulls sort lowest everywhere (MySQL and SQLite do so natively;
   * PostgreSQL is told to); strings sort by code point everywhere (MySQL/MariaDB compare the binary
   * form, their collations would tie 'a', 'A' and 'a ').
   */
  #orderBy(
    em: EntityManager,
    sortKeys: ReadonlyArray<{ field: FieldInfo; direction: 'asc' | 'desc' }>,
    alias?: string,
  ): Dictionary[] {
    const dialect = this.#dialectOf(em);
    return sortKeys.map(({ field, direction }) => {
      if (dialect === 'mysql' && field.type === 'string') {
        const column = alias ? `${alias}.${field.column}` : field.column;
        return { [raw('binary ??', [column])]: direction };
      }
      return {
        [field.name]:
          dialect === 'postgres'
            ? direction === 'asc'
              ? 'asc nulls first'
              : 'desc nulls last'
            : direction,
      };
    });
  }

  /** Data keyed by any field alias → values keyed by property name, coerced to the field types. */
  #values(info: ModelInfo, data: Readonly<Record<string, unknown>>): Dictionary {
    if (data === null || typeof data !== 'object') {
      throw new InvalidQueryError(`data must be an object, got ${String(data)}.`, {
        model: info.name,
      });
    }
    const values: Dictionary = {};
    for (const [name, value] of Object.entries(data)) {
      if (value === undefined) continue;
      const field = info.field(name);
      values[field.name] = coerceValue(field, value, {
        model: info.name,
        field: name,
        dialect: this.dialect(),
      });
    }
    return values;
  }

  /** The primary key value when `where` is a single equality on it. */
  #pinnedId(info: ModelInfo, clauses: readonly ResolvedClause[]): unknown {
    if (clauses.length !== 1) return undefined;
    const [clause] = clauses;
    if (clause?.operator !== 'eq' || clause.value === null) return undefined;
    if (clause.mode === 'insensitive' && typeof clause.value === 'string') return undefined;
    return clause.resolved === info.primaryKey ? clause.value : undefined;
  }

  /** A sub-select of the first matching primary key, portable to MySQL's no-LIMIT-in-IN rule. */
  #firstIds(info: ModelInfo, em: EntityManager, filter: Filter): QueryBuilderLike {
    const pk = info.primaryKey.name;
    const inner = sqlEm(em)
      .createQueryBuilder(info.meta.class, 'inner0')
      .select([pk])
      .where(filter)
      .limit(1);
    if (this.#dialectOf(em) !== 'mysql') return inner;
    return sqlEm(em)
      .createQueryBuilder(info.meta.class, 'first0')
      .from(inner, 'first0')
      .select([`first0.${pk}`]);
  }

  /** The first matching primary key, locked for update (`em` must be in a transaction). */
  async #lockFirstId(info: ModelInfo, em: EntityManager, filter: Filter): Promise<unknown> {
    const pk = info.primaryKey.name;
    const rows = (await sqlEm(em)
      .createQueryBuilder(info.meta.class)
      .select([pk])
      .where(filter)
      .limit(1)
      .setLockMode(LockMode.PESSIMISTIC_WRITE)
      .execute('all')) as Dictionary[];
    return rows[0]?.[pk];
  }

  async #byId(info: ModelInfo, em: EntityManager, id: unknown): Promise<Row | null> {
    const rows = (await this.#select(info, em)
      .where({ [info.primaryKey.name]: id })
      .limit(1)
      .execute('all')) as Dictionary[];
    return rows[0] ? this.#row(info, em, rows[0]) : null;
  }

  async #execute(
    em: EntityManager,
    sql: string,
    params: readonly unknown[],
  ): Promise<Dictionary[]> {
    const result = await em
      .getConnection()
      .execute(sql, [...params], 'all', em.getTransactionContext());
    return result as Dictionary[];
  }

  /**
   * Runs `fn` in the active transaction, or in a new one on a clean fork: `em.transactional` would
   * flush the app's pending changes of `em` at commit, and an internal transaction must not.
   */
  async #inTransaction<T>(em: EntityManager, fn: (tem: EntityManager) => Promise<T>): Promise<T> {
    if (em.isInTransaction()) return fn(em);
    const guarding = guardConnectionLoss(em);
    if (guarding) await guarding;
    return em.fork({ clear: true, useContext: false }).transactional((tem) => fn(tem));
  }

  /** Whether the mysql-family server has `INSERT/DELETE … RETURNING` (MariaDB 10.5+); asked once. */
  #mysqlReturning(em: EntityManager): Promise<boolean> {
    if (!this.#shared.mysqlReturning) {
      this.#shared.mysqlReturning = (async () => {
        const rows = await this.#execute(em, 'select version() as version', []);
        const version = String(rows[0]?.version ?? '');
        const match = /^(\d+)\.(\d+)/.exec(version);
        if (!/mariadb/i.test(version) || !match) return false;
        const [major, minor] = [Number(match[1]), Number(match[2])];
        return major > 10 || (major === 10 && minor >= 5);
      })();
      // A probe that failed (e.g. on a dropped connection) is asked again next time.
      this.#shared.mysqlReturning.catch(() => {
        this.#shared.mysqlReturning = undefined;
      });
    }
    return this.#shared.mysqlReturning;
  }

  /**
   * A row from a QueryBuilder result already mapped to property names: user-defined types
   * converted to their JS values, JSON and bigint values finished.
   */
  #row(info: ModelInfo, em: EntityManager, mapped: Dictionary): Row {
    const platform = em.getPlatform();
    const row: Row = {};
    for (const [key, value] of Object.entries(mapped)) {
      const field = info.findField(key);
      row[key] = field ? finishValue(field, toJsValue(field, value, platform), platform) : value;
    }
    return row;
  }

  /** A row straight from the driver (column names, database types) → a row keyed by property name. */
  #rawRow(info: ModelInfo, em: EntityManager, stored: Dictionary): Row {
    const mapped = em.getDriver().mapResult(stored, info.meta) as Dictionary;
    const row: Row = {};
    for (const field of info.fields) {
      if (field.name in mapped) row[field.name] = mapped[field.name];
    }
    return this.#row(info, em, row);
  }
}

function isResolved(
  where: Where | readonly ResolvedClause[] | undefined,
): where is readonly ResolvedClause[] {
  return Array.isArray(where) && where.every((clause) => 'resolved' in clause);
}

function finishValue(
  field: FieldInfo,
  value: unknown,
  platform: ReturnType<EntityManager['getPlatform']>,
): unknown {
  if (value === null || value === undefined) return value ?? null;
  if ((field.type === 'json' || field.type === 'array') && typeof value === 'string') {
    const type = field.property.customType;
    return type ? type.convertToJSValue(value, platform) : value;
  }
  if (field.type === 'bigint') {
    if (typeof value === 'number' && !Number.isSafeInteger(value)) {
      // Only a driver that returns integers as JS numbers (better-sqlite3) gets here: the stored
      // integer was already rounded, so returning it would change the value silently.
      throw new MikroAuthError(
        'UNSUPPORTED',
        `Field "${field.name}" (column "${field.column}") was read back as the JavaScript number ` +
          `${value}, which is not a safe integer: the stored value cannot be returned exactly. ` +
          'SQLite returns integers as numbers, exact only within ±9007199254740991; keep bigint ' +
          'values within that range on SQLite, or use PostgreSQL, MySQL or MariaDB.',
      );
    }
    // Numbers when exact, decimal strings beyond Number.MAX_SAFE_INTEGER (as pg and mysql2 return them).
    const number = Number(value);
    return Number.isSafeInteger(number) ? number : String(value);
  }
  if (field.type === 'number' && typeof value !== 'number') return Number(value);
  if (field.type === 'boolean' && typeof value !== 'boolean') return Boolean(Number(value));
  if (field.type === 'date' && !(value instanceof Date)) return new Date(value as string);
  if (field.kind === 'reference' && typeof value === 'object') {
    return (value as Dictionary)[field.property.targetMeta?.primaryKeys[0] ?? 'id'] ?? value;
  }
  return value;
}

/** Limit and offset as statement parameters (undefined when absent). */
interface PageValues {
  limit?: unknown;
  offset?: unknown;
}

/** Takes limit and offset through `slots`, so a cached template gets each call's values. */
function pageValues(
  page: { limit?: number | null; offset?: number | null },
  slots: ValueSlots,
): PageValues {
  return {
    limit: page.limit != null ? slots.param(page.limit) : undefined,
    offset: page.offset ? slots.param(page.offset) : undefined,
  };
}

/** Slots that pass every value straight through: the QueryBuilder path with no cache. */
const DIRECT_SLOTS: ValueSlots = { plain: (_field, value) => value, param: (value) => value };

/** A query whose SQL gets `suffix` appended (clauses the QueryBuilder cannot express). */
function withSuffix(
  qb: Pick<QueryBuilderLike, 'toQuery'>,
  suffix: string,
): Pick<QueryBuilderLike, 'toQuery'> {
  return {
    toQuery: () => {
      const query = qb.toQuery();
      return { sql: `${query.sql}${suffix}`, params: query.params };
    },
  };
}

/** Creates the store for an initialised MikroORM, an EntityManager, or a getter returning one. */
export function createStore(source: OrmSource, options: StoreOptions = {}): Store {
  return new Store({
    resolver: new EntityManagerResolver(source),
    registry: undefined,
    options,
    mysqlReturning: options.mysqlReturning === false ? Promise.resolve(false) : undefined,
    statements: options.statementCache === false ? undefined : new StatementCache(),
  });
}
