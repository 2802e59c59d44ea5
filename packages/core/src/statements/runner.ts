import type { Dictionary, EntityManager, QueryResult } from '@mikro-orm/core';
import type { StoreRuntime } from '../ops/context.js';
import { learnConnection, runPrepared } from '../orm/prepared.js';
import type { QueryBuilderLike } from '../orm/query-builder.js';
import type { Connection } from '../orm/replicas.js';
import { sqlOf, sqlReturningRows } from '../orm/versions.js';
import { DIRECT_SLOTS, type Filter, translateWhere, type ValueSlots } from '../query/where.js';
import { type StatementShape, statementKey, statementTarget } from './key.js';
import { fill, learn, MarkerSlots, ValueCollector } from './template.js';

/** Limit and offset as statement parameters (undefined when absent). */
export interface PageValues {
  limit?: unknown;
  offset?: unknown;
}

/** Takes limit and offset through `slots`, so a cached template gets each call's values. */
export function pageValues(
  page: { limit?: number | null; offset?: number | null },
  slots: ValueSlots,
): PageValues {
  return {
    limit: page.limit != null ? slots.param(page.limit) : undefined,
    offset: page.offset ? slots.param(page.offset) : undefined,
  };
}

/** Applies limit and offset (taken through the slots by `pageValues`) as parameters. */
export function applyPage(qb: QueryBuilderLike, page: PageValues): void {
  if (page.limit !== undefined) qb.limit(page.limit as number);
  else if (page.offset !== undefined) qb.limit(Number.MAX_SAFE_INTEGER); // MySQL and SQLite need LIMIT with OFFSET
  if (page.offset !== undefined) qb.offset(page.offset as number);
}

/**
 * Runs a statement built by `build` from the values it is given through `slots`. With the cache
 * on, the first call of a shape goes through MikroORM's QueryBuilder and learns a template of it;
 * later calls refill the template and skip the QueryBuilder (see template.ts) and, where the driver
 * allows, run it as a prepared statement with the values bound (orm/prepared.ts). The key comes from
 * `statementKey` (key.ts), nowhere else. `connection` is where it runs: the EntityManager's own
 * (the primary, or its transaction) unless a read was routed to a replica.
 */
export async function runStatement<M extends 'all' | 'run'>(
  state: StoreRuntime,
  shape: StatementShape,
  em: EntityManager,
  method: M,
  build: (slots: ValueSlots) => () => Pick<QueryBuilderLike, 'toQuery'>,
  connection: Connection = em.getConnection(),
): Promise<M extends 'all' ? Dictionary[] : QueryResult> {
  type Result = M extends 'all' ? Dictionary[] : QueryResult;
  const execute = (sql: string, params: readonly unknown[]) =>
    connection.execute(
      method === 'all' ? sqlReturningRows(em, sql) : sql,
      [...params],
      method,
      em.getTransactionContext(),
    ) as Promise<Result>;
  const cache = state.statements;
  if (!cache) {
    const query = sqlOf(build(DIRECT_SLOTS)());
    return execute(query.sql, query.params);
  }
  const key = statementKey(statementTarget(em), shape);
  const cached = cache.get(key);
  if (cached) {
    // Only the values are needed: no filter objects, no QueryBuilder.
    const values = new ValueCollector(true);
    build(values);
    const params = fill(cached, values.values);
    if (state.options.preparedStatements !== false) {
      const sql = method === 'all' ? sqlReturningRows(em, cached.sql) : cached.sql;
      const prepared = runPrepared(em, connection, sql, params, method);
      if (prepared) return prepared as Promise<Result>;
    }
    return execute(cached.sql, params);
  }
  if (state.options.preparedStatements !== false) learnConnection(connection);
  const collector = new ValueCollector(false);
  const real = sqlOf(build(collector)());
  if (cached === undefined) {
    const markers = new MarkerSlots();
    const marked = sqlOf(build(markers)());
    cache.set(key, learn(real, marked, markers.markers, collector.values) ?? null);
  }
  return execute(real.sql, real.params);
}

/** A read through the statement cache, filtered by the shape's clauses and paged by its page. */
export function runRead(
  state: StoreRuntime,
  shape: StatementShape,
  em: EntityManager,
  alias: string | undefined,
  build: (filter: Filter, page: PageValues) => QueryBuilderLike,
  connection?: Connection,
): Promise<Dictionary[]> {
  const platform = em.getPlatform();
  return runStatement(
    state,
    shape,
    em,
    'all',
    (slots) => {
      // Every value is taken here, before the QueryBuilder is built, so a cache hit has them all.
      const filter = translateWhere(shape.model, shape.clauses ?? [], platform, alias, slots);
      const page = pageValues(shape.page ?? {}, slots);
      return () => build(filter, page);
    },
    connection,
  );
}
