import type { Dictionary, EntityManager } from '@mikro-orm/core';
import type { FieldInfo, ModelInfo } from '../model/registry.js';
import { selectFields, sqlEm } from '../orm/query-builder.js';
import { checkCount } from '../query/normalize.js';
import { orderBy, resolveSort } from '../query/sort.js';
import type { FindManyQuery, FindOneOptions, ResolvedClause, Row, Where } from '../query/types.js';
import { type Filter, resolveWhere, translateWhere } from '../query/where.js';
import { rowFromDriver, rowFromResult } from '../rows/decode.js';
import { applyPage, runRead } from '../statements/runner.js';
import type { OperationContext } from './context.js';
import { findJoined } from './join.js';

/** Reads: findOne, findMany, count, and the helpers other operations read with. */

/** The fields a read returns: `select` resolved, or every field. */
export function selectedFields(
  info: ModelInfo,
  select: readonly string[] | undefined,
): readonly FieldInfo[] {
  if (!select?.length) return info.fields;
  return [...new Set(select.map((name) => info.field(name)))];
}

function isResolved(
  where: Where | readonly ResolvedClause[] | undefined,
): where is readonly ResolvedClause[] {
  return Array.isArray(where) && where.every((clause) => 'resolved' in clause);
}

/** The MikroORM filter for `where` on `em`'s platform (no statement cache). */
export function filterFor(
  info: ModelInfo,
  where: Where | readonly ResolvedClause[] | undefined,
  em: EntityManager,
): Filter {
  const clauses = isResolved(where) ? where : resolveWhere(info, where);
  return translateWhere(info, clauses, em.getPlatform());
}

/** The row with this (single-column) primary key, read on `em`, or null. */
export function readById(info: ModelInfo, em: EntityManager, id: unknown): Promise<Row | null> {
  return readByKey(info, em, { [info.primaryKey.name]: id });
}

/** The row a primary key filter (every key field → its value) selects, read on `em`, or null. */
export async function readByKey(
  info: ModelInfo,
  em: EntityManager,
  key: Dictionary,
): Promise<Row | null> {
  const rows = (await selectFields(info, em).where(key).limit(1).execute('all')) as Dictionary[];
  return rows[0] ? rowFromResult(info, em, rows[0]) : null;
}

/** Finds the first row matching `where`, or null; joined rows ride along. One statement. */
export async function findOne(
  ctx: OperationContext,
  where: Where,
  options: FindOneOptions = {},
): Promise<Row | null> {
  if (options.joins?.length) {
    const rows = await findMany(ctx, { where, limit: 1, ...options });
    return rows[0] ?? null;
  }
  const { info, em } = ctx;
  const clauses = resolveWhere(info, where);
  const fields = selectedFields(info, options.select);
  const shape = { operation: 'findOne', model: info, fields, clauses } as const;
  const rows = await runRead(
    ctx.state,
    shape,
    em,
    undefined,
    (filter) => selectFields(info, em, fields).where(filter).limit(1),
    ctx.reader,
  );
  return rows[0] ? rowFromDriver(info, em, rows[0]) : null;
}

/**
 * Finds rows with sort (stable: ties broken by primary key), limit, offset, select and joins.
 * One statement, joins included.
 */
export async function findMany(ctx: OperationContext, query: FindManyQuery = {}): Promise<Row[]> {
  const { info, em } = ctx;
  checkCount('limit', query.limit, info.name);
  checkCount('offset', query.offset, info.name);
  if (query.joins?.length) return findJoined(ctx, query, query.joins);
  const clauses = resolveWhere(info, query.where);
  const fields = selectedFields(info, query.select);
  const sort = resolveSort(info, query.sort);
  const page = { limit: query.limit, offset: query.offset };
  const shape = { operation: 'findMany', model: info, fields, clauses, sort, page } as const;
  const rows = await runRead(
    ctx.state,
    shape,
    em,
    undefined,
    (filter, values) => {
      const qb = selectFields(info, em, fields).where(filter);
      qb.orderBy(orderBy(em, sort));
      applyPage(qb, values);
      return qb;
    },
    ctx.reader,
  );
  return rows.map((row) => rowFromDriver(info, em, row));
}

/** Counts rows matching `where`. One statement. */
export async function count(ctx: OperationContext, where?: Where): Promise<number> {
  const { info, em } = ctx;
  const clauses = resolveWhere(info, where);
  const shape = { operation: 'count', model: info, clauses } as const;
  const rows = await runRead(
    ctx.state,
    shape,
    em,
    undefined,
    (filter) => sqlEm(em).createQueryBuilder(info.meta.class).count().where(filter),
    ctx.reader,
  );
  return Number((rows[0] as { count?: number | string } | undefined)?.count ?? 0);
}
