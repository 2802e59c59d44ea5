import { type Dictionary, raw } from '@mikro-orm/core';
import { InvalidQueryError } from '../errors/classes.js';
import { singleKey } from '../model/keys.js';
import type { FieldInfo } from '../model/registry.js';
import { sqlEm } from '../orm/query-builder.js';
import { tablePath } from '../orm/tables.js';
import { joinTarget } from '../orm/versions.js';
import { checkCount } from '../query/normalize.js';
import { orderBy, resolveSort } from '../query/sort.js';
import type { FindManyQuery, Join, Row } from '../query/types.js';
import { resolveWhere } from '../query/where.js';
import { rowFromDriver } from '../rows/decode.js';
import type { StatementShape } from '../statements/key.js';
import { applyPage, runRead } from '../statements/runner.js';
import type { OperationContext } from './context.js';
import { type JoinPlan, joinDerived } from './join-derived.js';

/**
 * Joined reads in one statement. Joins that hit at most one row (on a primary or unique key) are
 * plain LEFT JOINs (joinFlat, here); others read the base rows as a derived table and number the
 * joined rows per base row with a window function, so limits apply per row (./join-derived.ts).
 */

/**
 * One statement: the base rows (filtered, sorted, paged) as a derived table, left-joined to each
 * joined model; one-to-many joins are numbered per base row with a window function so the limit
 * applies per row, and restricted to keys the base filter selects so no table is scanned whole.
 */
export async function findJoined(
  ctx: OperationContext,
  query: FindManyQuery,
  joins: readonly Join[],
): Promise<Row[]> {
  const { info, em } = ctx;
  const pk = singleKey(info, 'A join');
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
    const target = ctx.model(join.model);
    singleKey(target, 'A join');
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
  const sortKeys = resolveSort(info, query.sort);
  // The derived table also carries what the outer query joins and sorts on; only `selected` is returned.
  const baseFields = [
    ...new Set([
      ...selected,
      pk,
      ...plans.map((plan) => plan.from),
      ...sortKeys.map((key) => key.field),
    ]),
  ];

  // One base row with one one-to-many join (findOne with a join, e.g. a user and their accounts):
  // a plain LEFT JOIN limited to the join's limit returns the first base row's joined rows, with
  // none of the window function and key sub-select that paging many base rows needs.
  const singleMany =
    query.limit === 1 &&
    !query.offset &&
    plans.length === 1 &&
    plans[0]!.join.relation === 'many' &&
    ctx.state.options.plainSingleRowJoins !== false;
  const raws = plans.every(
    (plan) => plan.join.relation === 'one' && (plan.to.primary || plan.to.property.unique),
  )
    ? await joinFlat(ctx, query, baseFields, plans)
    : singleMany
      ? await joinFlat(ctx, { ...query, limit: plans[0]!.limit }, baseFields, plans, true)
      : await joinDerived(ctx, query, baseFields, sortKeys, plans);

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
    const key = sameKey(baseRaw[pk.column]);
    let entry = results.get(key);
    if (!entry) {
      const full = rowFromDriver(info, em, baseRaw);
      const row: Row = {};
      for (const [name, value] of Object.entries(full)) if (keep.has(name)) row[name] = value;
      for (const plan of plans) row[plan.join.as] = plan.join.relation === 'one' ? null : [];
      entry = { row, seen: plans.map(() => new Set()) };
      results.set(key, entry);
    }
    for (const plan of plans) {
      const joinedRaw = split(raw, `j${plan.index}__`);
      const joinedKey = sameKey(joinedRaw[plan.target.primaryKey.column]);
      if (joinedKey === null || joinedKey === undefined || entry.seen[plan.index]!.has(joinedKey))
        continue;
      entry.seen[plan.index]!.add(joinedKey);
      const joined = rowFromDriver(plan.target, em, joinedRaw);
      if (plan.join.relation === 'one') entry.row[plan.join.as] ??= joined;
      else (entry.row[plan.join.as] as Row[]).push(joined);
    }
  }
  const rows = [...results.values()].map((entry) => entry.row);
  // The single-row path's limit counted joined rows: rows of later base rows may have come along.
  return singleMany ? rows.slice(0, 1) : rows;
}

/**
 * A key that is equal for equal raw key values. Drivers hand binary keys back as a new Buffer (and
 * dates as a new Date) per row, which a Map would tell apart by identity.
 */
function sameKey(value: unknown): unknown {
  if (value instanceof Uint8Array) return `bytes:${Buffer.from(value).toString('hex')}`;
  if (value instanceof Date) return `date:${value.getTime()}`;
  return value;
}

/**
 * Joins that match at most one row each (on a primary or unique key): one plain statement, the
 * base table left-joined to each target table, filtered, sorted and paged as usual. With
 * `joinedOrder` (one one-to-many join, see findJoined) the rows of a base row are also ordered by
 * the joined key, as the window function of joinDerived numbers them.
 */
async function joinFlat(
  ctx: OperationContext,
  query: FindManyQuery,
  baseFields: readonly FieldInfo[],
  plans: readonly JoinPlan[],
  joinedOrder = false,
): Promise<Dictionary[]> {
  const { info, em } = ctx;
  const clauses = resolveWhere(info, query.where);
  const sort = resolveSort(info, query.sort);
  const shape: StatementShape = {
    operation: 'joinFlat',
    model: info,
    fields: baseFields,
    clauses,
    sort,
    page: { limit: query.limit, offset: query.offset },
    joins: plans.map((plan) => ({ ...plan, relation: plan.join.relation })),
    ...(joinedOrder ? { variant: 'joined-order' } : {}),
  };
  return runRead(
    ctx.state,
    shape,
    em,
    'b',
    (filter, page) => {
      const columns: unknown[] = baseFields.map((field) =>
        raw('?? as ??', [`b.${field.column}`, `b__${field.column}`]),
      );
      const qb = sqlEm(em).createQueryBuilder(info.meta.class, 'b');
      for (const plan of plans) {
        const alias = `j${plan.index}`;
        for (const field of plan.target.fields) {
          columns.push(raw('?? as ??', [`${alias}.${field.column}`, `${alias}__${field.column}`]));
        }
        qb.leftJoin(joinTarget(em, tablePath(em, plan.target.meta)), alias, {
          [raw('?? = ??', [`${alias}.${plan.to.column}`, `b.${plan.from.column}`])]: [],
        });
      }
      const joinedKeys = joinedOrder
        ? plans.map((plan) => ({
            [raw('??', [`j${plan.index}.${plan.target.primaryKey.column}`])]: 'asc',
          }))
        : [];
      qb.select(columns as string[])
        .where(filter)
        .orderBy([...orderBy(em, sort, 'b'), ...joinedKeys]);
      applyPage(qb, page);
      return qb;
    },
    ctx.reader,
  );
}
