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
import { isConnectionLoss, translateError } from './errors-map.js';
import { type FieldInfo, type ModelInfo, ModelRegistry, type ModelTarget } from './model.js';
import { coerceValue } from './query/coerce.js';
import type { CaseFolding } from './query/evaluate.js';
import {
  clauseShape,
  fill,
  learn,
  MarkerSlots,
  StatementCache,
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
import { forgetMatching, forgetRows, syncMatching, syncRows } from './write/identity-map.js';
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
  /** Whether the mysql-family server understands `DELETE … RETURNING` (MariaDB 10.5+). */
  deleteReturning: Promise<boolean> | undefined;
  /** Templates of reads by shape. */
  statements: StatementCache;
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
    return this.dialect() === 'sqlite' ? 'ascii' : 'unicode';
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
      const key = `one|${info.name}|${options.select?.join(',') ?? '*'}|${clauseShape(clauses)}`;
      const rows = await this.#read(key, info, em, clauses, undefined, (filter) =>
        this.#select(info, em, options.select).where(filter).limit(1),
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
      const key = `many|${info.name}|${query.select?.join(',') ?? '*'}|${sortShape(query.sort)}|${query.limit}|${query.offset}|${clauseShape(clauses)}`;
      const rows = await this.#read(key, info, em, clauses, undefined, (filter) => {
        const qb = this.#select(info, em, query.select).where(filter);
        qb.orderBy(this.#orderBy(info, query.sort));
        this.#page(qb, query);
        return qb;
      });
      return rows.map((row) => this.#rawRow(info, em, row));
    });
  }

  /** Counts rows matching `where`. One statement. */
  async count(model: string, where?: Where): Promise<number> {
    return this.#run(model, 'count', async (info, em) => {
      const clauses = resolveWhere(info, where);
      const key = `count|${info.name}|${clauseShape(clauses)}`;
      const rows = await this.#read(key, info, em, clauses, undefined, (filter) =>
        sqlEm(em).createQueryBuilder(info.meta.class).count().where(filter),
      );
      return Number((rows[0] as { count?: number | string } | undefined)?.count ?? 0);
    });
  }

  /** Inserts a row and returns it as stored. One statement on PostgreSQL/SQLite, two on MySQL. */
  async create(model: string, data: Readonly<Record<string, unknown>>): Promise<Row> {
    return this.#run(model, 'create', async (info, em) => {
      const values = this.#values(info, data);
      if (this.#dialectOf(em) !== 'mysql') {
        const key = `insert|${info.name}|${valueShape(values)}`;
        const result = await this.#cached(key, em, 'run', (slots) => {
          const inserted = this.#slotted(info, values, slots);
          return () =>
            sqlEm(em).createQueryBuilder(info.meta.class).insert(inserted).returning('*');
        });
        const stored = (result.rows as Dictionary[] | undefined)?.[0];
        if (stored) return this.#rawRow(info, em, stored);
      } else {
        const qb = sqlEm(em).createQueryBuilder(info.meta.class).insert(values);
        const result = (await qb.execute('run')) as { insertId?: unknown };
        const id = values[info.primaryKey.name] ?? result.insertId;
        const stored = await this.#byId(info, em, id);
        if (stored) return stored;
      }
      throw new InvalidQueryError('the database did not return the inserted row.', { model });
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
        const dialect = this.dialect();
        const key = `updateOne|${info.name}|${pinned !== undefined}|${valueShape(values)}|${clauseShape(clauses)}`;
        const result = await this.#cached(key, em, 'run', (slots) => {
          const filter = translateWhere(info, clauses, dialect, undefined, slots);
          // The sub-select's values go through `slots` too, or a cached template would keep the
          // first call's values.
          const first =
            pinned === undefined
              ? translateWhere(info, clauses, dialect, undefined, slots)
              : undefined;
          const updated = this.#slotted(info, values, slots);
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
        const filter = this.#filter(info, clauses);
        const id =
          pinned !== undefined && !(pk in values) ? pinned : await this.#firstId(info, em, filter);
        if (id === undefined) return null;
        const result = (await sqlEm(em)
          .createQueryBuilder(info.meta.class)
          .update(values)
          .where({ $and: [{ [pk]: id }, filter] })
          .execute('run')) as { affectedRows?: number };
        if (!result.affectedRows) return null;
        row = await this.#byId(info, em, values[pk] ?? id);
      }
      if (row) syncRows(em, info, [row]);
      return row;
    });
  }

  /** Updates every row matching `where` in one statement; returns how many matched. */
  async updateMany(
    model: string,
    where: Where | undefined,
    data: Readonly<Record<string, unknown>>,
  ): Promise<number> {
    return this.#run(model, 'updateMany', async (info, em) => {
      const values = this.#values(info, data);
      if (Object.keys(values).length === 0) return this.count(model, where);
      const clauses = resolveWhere(info, where);
      const dialect = this.dialect();
      const key = `updateMany|${info.name}|${valueShape(values)}|${clauseShape(clauses)}`;
      const result = await this.#cached(key, em, 'run', (slots) => {
        const updated = this.#slotted(info, values, slots);
        const filter = translateWhere(info, clauses, dialect, undefined, slots);
        return () => sqlEm(em).createQueryBuilder(info.meta.class).update(updated).where(filter);
      });
      syncMatching(em, info, clauses, values, this.caseFolding());
      return Number(result.affectedRows ?? 0);
    });
  }

  /** Deletes every row matching `where` (every row for an empty where) in one statement; returns the count. */
  async deleteMany(model: string, where?: Where): Promise<number> {
    return this.#run(model, 'deleteMany', async (info, em) => {
      const clauses = resolveWhere(info, where);
      const dialect = this.dialect();
      const key = `deleteMany|${info.name}|${clauseShape(clauses)}`;
      const result = await this.#cached(key, em, 'run', (slots) => {
        const filter = translateWhere(info, clauses, dialect, undefined, slots);
        return () => sqlEm(em).createQueryBuilder(info.meta.class).delete().where(filter);
      });
      forgetMatching(em, info, clauses, this.caseFolding());
      return Number(result.affectedRows ?? 0);
    });
  }

  /**
   * Deletes exactly one row matching `where` and returns it; under concurrency exactly one caller
   * gets a given row. `DELETE … RETURNING` where the database has it, else a locking read and a
   * delete in one transaction.
   */
  async consumeOne(model: string, where: Where): Promise<Row | null> {
    return this.#run(model, 'consumeOne', async (info, em) => {
      const filter = this.#filter(info, where);
      const pk = info.primaryKey.name;
      const dialect = this.#dialectOf(em);
      let row: Row | null = null;
      if (dialect !== 'mysql') {
        const query = sqlEm(em)
          .createQueryBuilder(info.meta.class)
          .delete()
          .where({ [pk]: { $in: this.#firstIds(info, em, filter) } })
          .toQuery();
        const rows = await this.#execute(em, `${query.sql} returning *`, query.params);
        row = rows[0] ? this.#rawRow(info, em, rows[0]) : null;
      } else if (await this.#deleteReturning(em)) {
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
      const values: Dictionary = this.#values(info, args.set ?? {});
      for (const [name, delta] of increments) {
        const field = info.field(name);
        if (typeof delta !== 'number' || !Number.isFinite(delta)) {
          throw new InvalidQueryError(
            `increment for "${name}" must be a finite number, got ${String(delta)}.`,
            {
              model,
              field: name,
            },
          );
        }
        if (field.type !== 'number' && field.type !== 'bigint') {
          throw new InvalidQueryError(
            `only numeric fields can be incremented; "${name}" holds ${field.type} values.`,
            {
              model,
              field: name,
            },
          );
        }
        values[field.name] = raw('?? + ?', [field.column, delta]);
      }
      const filter = this.#filter(info, args.where);
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
      if (row) syncRows(em, info, [row]);
      return row;
    });
  }

  /**
   * Runs `fn` in a transaction with a store bound to it; nested calls use savepoints. A thrown
   * error rolls everything back and reaches the caller unchanged.
   */
  async transaction<T>(fn: (store: Store) => Promise<T>): Promise<T> {
    const em = this.em();
    try {
      return await em.transactional((tem) =>
        fn(new Store({ ...this.#shared, resolver: new EntityManagerResolver(tem) })),
      );
    } catch (error) {
      // The callback's own errors pass unchanged; a lost connection (often surfacing from the
      // rollback that followed) becomes a ConnectionError that keeps the driver error as cause.
      if (!(error instanceof MikroAuthError) && isConnectionLoss(error)) {
        throw new ConnectionError('a transaction', error);
      }
      throw error;
    }
  }

  #page(qb: QueryBuilderLike, query: FindManyQuery): void {
    if (query.limit !== undefined) qb.limit(query.limit);
    else if (query.offset) qb.limit(Number.MAX_SAFE_INTEGER); // MySQL and SQLite need LIMIT with OFFSET
    if (query.offset) qb.offset(query.offset);
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
    const joinShape = plans
      .map((plan) => `${plan.target.name}:${plan.from.name}=${plan.to.name}`)
      .join(',');
    const key = `join|${info.name}|${baseFields.map((field) => field.name).join(',')}|${joinShape}|${sortShape(query.sort)}|${query.limit}|${query.offset}|${clauseShape(clauses)}`;
    return this.#read(key, info, em, clauses, 'b', (filter) => {
      const columns: unknown[] = baseFields.map((field) =>
        raw('?? as ??', [`b.${field.column}`, `b__${field.column}`]),
      );
      const qb = sqlEm(em).createQueryBuilder(info.meta.class, 'b');
      for (const plan of plans) {
        const alias = `j${plan.index}`;
        for (const field of plan.target.fields) {
          columns.push(raw('?? as ??', [`${alias}.${field.column}`, `${alias}__${field.column}`]));
        }
        qb.leftJoin(raw('??', [plan.target.tableName]), alias, {
          [raw('?? = ??', [`${alias}.${plan.to.column}`, `b.${plan.from.column}`])]: [],
        });
      }
      qb.select(columns as string[])
        .where(filter)
        .orderBy(this.#orderBy(info, query.sort));
      this.#page(qb, query);
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
    const dialect = this.dialect();
    const joinShape = plans
      .map(
        (plan) =>
          `${plan.target.name}:${plan.from.name}=${plan.to.name}:${plan.join.relation}:${plan.limit}`,
      )
      .join(',');
    const key = `derived|${info.name}|${baseFields.map((field) => field.name).join(',')}|${joinShape}|${sortShape(query.sort)}|${query.limit}|${query.offset}|${clauseShape(clauses)}`;
    return this.#cached(key, em, 'all', (slots) => {
      // Every filter is translated here, in this order, so learning and refilling agree.
      const baseFilter = translateWhere(info, clauses, dialect, undefined, slots);
      const keyFilters = plans.map((plan) =>
        plan.join.relation === 'many'
          ? translateWhere(info, clauses, dialect, undefined, slots)
          : undefined,
      );
      return () => ({
        toQuery: () =>
          this.#derivedQuery(info, em, query, baseFields, sortKeys, plans, baseFilter, keyFilters),
      });
    });
  }

  /** The SQL of #joinDerived for given filters. */
  #derivedQuery(
    info: ModelInfo,
    em: EntityManager,
    query: FindManyQuery,
    baseFields: readonly FieldInfo[],
    sortKeys: ReadonlyArray<{ field: FieldInfo; direction: 'asc' | 'desc' }>,
    plans: readonly JoinPlan[],
    baseFilter: Filter,
    keyFilters: ReadonlyArray<Filter | undefined>,
  ): { sql: string; params: readonly unknown[] } {
    const platform = em.getPlatform();
    const quote = (...parts: string[]) =>
      parts.map((part) => platform.quoteIdentifier(part)).join('.');
    const postgres = this.#dialectOf(em) === 'postgres';
    const base = sqlEm(em)
      .createQueryBuilder(info.meta.class, 'b0')
      .select(baseFields.map((field) => field.name))
      .where(baseFilter)
      .orderBy(this.#orderBy(info, query.sort));
    this.#page(base, query);
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
        joinSql.push(`left join ${quote(plan.target.tableName)} as ${quote(alias)} on ${on}`);
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
        params.push(...inner.params, plan.limit);
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
        return `${quote('b', field.column)} ${direction}${nulls}`;
      }),
      ...plans.map((plan) => `${quote(`j${plan.index}`, plan.target.primaryKey.column)} asc`),
    ];
    const sql =
      `select ${columns.join(', ')} from (${baseQuery.sql}) as ${quote('b')} ${joinSql.join(' ')}` +
      ` order by ${order.join(', ')}`;
    return { sql, params };
  }

  /**
   * Runs a statement built by `build` from the values it is given through `slots`. The first call
   * of a shape (`key`) goes through MikroORM's QueryBuilder and learns a template of it; later
   * calls refill the template and skip the QueryBuilder (see query/statement-cache.ts).
   */
  async #cached<M extends 'all' | 'run'>(
    key: string,
    em: EntityManager,
    method: M,
    build: (slots: ValueSlots) => () => Pick<QueryBuilderLike, 'toQuery'>,
  ): Promise<M extends 'all' ? Dictionary[] : QueryResult> {
    type Result = M extends 'all' ? Dictionary[] : QueryResult;
    const cache = this.#shared.statements;
    const cached = cache.get(key);
    const execute = (sql: string, params: readonly unknown[]) =>
      em
        .getConnection()
        .execute(sql, [...params], method, em.getTransactionContext()) as Promise<Result>;
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

  /** A read through the statement cache, filtered by `clauses`. */
  #read(
    key: string,
    info: ModelInfo,
    em: EntityManager,
    clauses: readonly ResolvedClause[],
    alias: string | undefined,
    build: (filter: Filter) => QueryBuilderLike,
  ): Promise<Dictionary[]> {
    const dialect = this.dialect();
    return this.#cached(key, em, 'all', (slots) => {
      const filter = translateWhere(info, clauses, dialect, alias, slots);
      return () => build(filter);
    });
  }

  /** Values keyed by property, each passed through `slots`. */
  #slotted(info: ModelInfo, values: Dictionary, slots: ValueSlots): Dictionary {
    const out: Dictionary = {};
    for (const [name, value] of Object.entries(values)) {
      out[name] = value === null ? null : slots.plain(info.field(name), value);
    }
    return out;
  }

  async #run<T>(
    model: string,
    operation: string,
    body: (info: ModelInfo, em: EntityManager) => Promise<T>,
  ): Promise<T> {
    const info = this.model(model);
    const em = this.em();
    try {
      return await body(info, em);
    } catch (error) {
      throw translateError(error, info.name, operation, em);
    }
  }

  #dialectOf(em: EntityManager): Dialect {
    return dialectOf(em.getPlatform());
  }

  /** The MikroORM filter for `where`; `alias` qualifies raw column references (needed with joins). */
  #filter(
    info: ModelInfo,
    where: Where | readonly ResolvedClause[] | undefined,
    alias?: string,
  ): Filter {
    const clauses = isResolved(where) ? where : resolveWhere(info, where);
    return translateWhere(info, clauses, this.dialect(), alias);
  }

  #select(info: ModelInfo, em: EntityManager, select?: readonly string[]): QueryBuilderLike {
    const fields = select?.length ? select.map((name) => info.field(name)) : info.fields;
    return sqlEm(em)
      .createQueryBuilder(info.meta.class)
      .select([...new Set(fields.map((field) => field.name))]);
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

  #orderBy(info: ModelInfo, sort: SortKey | readonly SortKey[] | undefined): Dictionary[] {
    const postgres = this.dialect() === 'postgres';
    // Nulls sort lowest everywhere (MySQL and SQLite do so natively; PostgreSQL is told to).
    return this.#sortKeys(info, sort).map(({ field, direction }) => ({
      [field.name]: postgres
        ? direction === 'asc'
          ? 'asc nulls first'
          : 'desc nulls last'
        : direction,
    }));
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
      values[field.name] = coerceValue(field, value, { model: info.name, field: name });
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

  async #firstId(info: ModelInfo, em: EntityManager, filter: Filter): Promise<unknown> {
    const pk = info.primaryKey.name;
    const rows = (await sqlEm(em)
      .createQueryBuilder(info.meta.class)
      .select([pk])
      .where(filter)
      .limit(1)
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

  async #inTransaction<T>(em: EntityManager, fn: (tem: EntityManager) => Promise<T>): Promise<T> {
    if (em.isInTransaction()) return fn(em);
    return em.transactional((tem) => fn(tem));
  }

  #deleteReturning(em: EntityManager): Promise<boolean> {
    if (!this.#shared.deleteReturning) {
      this.#shared.deleteReturning = (async () => {
        const rows = await this.#execute(em, 'select version() as version', []);
        const version = String(rows[0]?.version ?? '');
        const match = /^(\d+)\.(\d+)/.exec(version);
        if (!/mariadb/i.test(version) || !match) return false;
        const [major, minor] = [Number(match[1]), Number(match[2])];
        return major > 10 || (major === 10 && minor >= 5);
      })();
    }
    return this.#shared.deleteReturning;
  }

  /** A row from a QueryBuilder result already mapped to property names: JSON and bigint values finished. */
  #row(info: ModelInfo, em: EntityManager, mapped: Dictionary): Row {
    const platform = em.getPlatform();
    const row: Row = {};
    for (const [key, value] of Object.entries(mapped)) {
      const field = info.findField(key);
      row[key] = field ? finishValue(field, value, platform) : value;
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

/** What an insert or update statement depends on besides its values. */
function valueShape(values: Dictionary): string {
  return Object.entries(values)
    .map(
      ([name, value]) =>
        `${name}:${value === null ? 'null' : value instanceof Date ? 'date' : typeof value}`,
    )
    .join(',');
}

function sortShape(sort: SortKey | readonly SortKey[] | undefined): string {
  const keys: readonly SortKey[] =
    sort === undefined ? [] : Array.isArray(sort) ? sort : [sort as SortKey];
  return keys.map((key) => `${key.field}:${key.direction}`).join(',');
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
  if (field.type === 'bigint' || (field.type === 'number' && typeof value !== 'number')) {
    const number = Number(value);
    return Number.isSafeInteger(number) || field.type === 'number' ? number : value;
  }
  if (field.type === 'boolean' && typeof value !== 'boolean') return Boolean(Number(value));
  if (field.type === 'date' && !(value instanceof Date)) return new Date(value as string);
  if (field.kind === 'reference' && typeof value === 'object') {
    return (value as Dictionary)[field.property.targetMeta?.primaryKeys[0] ?? 'id'] ?? value;
  }
  return value;
}

/** Creates the store for an initialised MikroORM, an EntityManager, or a getter returning one. */
export function createStore(source: OrmSource, options: StoreOptions = {}): Store {
  return new Store({
    resolver: new EntityManagerResolver(source),
    registry: undefined,
    options,
    deleteReturning: undefined,
    statements: new StatementCache(),
  });
}
