import { type Dictionary, type EntityManager, raw } from '@mikro-orm/core';
import { InvalidQueryError } from '../errors/classes.js';
import { singleKey } from '../model/keys.js';
import type { FieldInfo, ModelInfo } from '../model/registry.js';
import { dialectOfEm, type SqlDialect } from '../orm/dialect.js';
import { sqlEm } from '../orm/query-builder.js';
import { identifier, joinSql, type SqlFragment, sql, sqlText } from '../orm/sql.js';
import { qualifiedTable, tablePath } from '../orm/tables.js';
import { asSubquery, joinTarget, sqlOf } from '../orm/versions.js';
import { checkCount } from '../query/normalize.js';
import { orderBy, type ResolvedSortKey, resolveSort } from '../query/sort.js';
import type { FindManyQuery, Join, Row } from '../query/types.js';
import { type Filter, resolveWhere, translateWhere } from '../query/where.js';
import { rowFromDriver } from '../rows/decode.js';
import type { StatementShape } from '../statements/key.js';
import {
  applyPage,
  type PageValues,
  pageValues,
  runRead,
  runStatement,
} from '../statements/runner.js';
import type { OperationContext } from './context.js';

/**
 * Joined reads in one statement. Joins that hit at most one row (on a primary or unique key) are
 * plain LEFT JOINs; others read the base rows as a derived table and number the joined rows per
 * base row with a window function, so limits apply per row.
 */

/** A join resolved against the models: which fields meet, and the per-row limit. */
interface JoinPlan {
  join: Join;
  index: number;
  target: ModelInfo;
  from: FieldInfo;
  to: FieldInfo;
  limit: number;
}

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

/**
 * One-to-many joins: the base rows (filtered, sorted, paged) as a derived table, left-joined to
 * each target numbered per base row with a window function so the limit applies per row, and
 * restricted to keys the base filter selects so no table is scanned whole.
 */
async function joinDerived(
  ctx: OperationContext,
  query: FindManyQuery,
  baseFields: readonly FieldInfo[],
  sortKeys: readonly ResolvedSortKey[],
  plans: readonly JoinPlan[],
): Promise<Dictionary[]> {
  const { info, em } = ctx;
  const clauses = resolveWhere(info, query.where);
  const platform = em.getPlatform();
  const unionManyJoins = ctx.state.options.unionManyJoins !== false;
  const shape: StatementShape = {
    operation: 'joinDerived',
    model: info,
    fields: baseFields,
    clauses,
    sort: sortKeys,
    page: { limit: query.limit, offset: query.offset },
    joins: plans.map((plan) => ({ ...plan, relation: plan.join.relation })),
    ...(unionsManyJoins(plans, unionManyJoins, dialectOfEm(em)) ? { variant: 'union' } : {}),
  };
  return runStatement(
    ctx.state,
    shape,
    em,
    'all',
    (slots) => {
      // Every value is taken here, in this order, so learning and refilling agree.
      const baseFilter = translateWhere(info, clauses, platform, undefined, slots);
      const keyFilters = plans.map((plan) =>
        plan.join.relation === 'many'
          ? translateWhere(info, clauses, platform, undefined, slots)
          : undefined,
      );
      const page = pageValues(query, slots);
      // Only one-to-many joins have a limit in the SQL; a slot no SQL holds would fail learning.
      const joinLimits = plans.map((plan) =>
        plan.join.relation === 'many' ? slots.param(plan.limit) : undefined,
      );
      return () => ({
        toQuery: () =>
          derivedQuery(
            info,
            em,
            page,
            baseFields,
            sortKeys,
            plans,
            { baseFilter, keyFilters, joinLimits },
            unionManyJoins,
          ),
      });
    },
    ctx.reader,
  );
}

/** The SQL of #joinDerived for given filters. */
function derivedQuery(
  info: ModelInfo,
  em: EntityManager,
  page: PageValues,
  baseFields: readonly FieldInfo[],
  sortKeys: readonly ResolvedSortKey[],
  plans: readonly JoinPlan[],
  values: {
    baseFilter: Filter;
    keyFilters: ReadonlyArray<Filter | undefined>;
    joinLimits: readonly unknown[];
  },
  unionManyJoins: boolean,
): SqlFragment {
  const { baseFilter, keyFilters, joinLimits } = values;
  const platform = em.getPlatform();
  const name = (...parts: string[]) => identifier(platform, ...parts);
  const dialect = dialectOfEm(em);
  const base = sqlEm(em)
    .createQueryBuilder(info.meta.class, 'b0')
    .select(baseFields.map((field) => field.name))
    .where(baseFilter)
    .orderBy(orderBy(em, sortKeys, 'b0'));
  applyPage(base, page);

  const columns = baseFields.map(
    (field) => sql`${name('b', field.column)} as ${name(`b__${field.column}`)}`,
  );
  const joins: SqlFragment[] = [];
  const joinedOrder: SqlFragment[] = [];
  const many = plans.filter((plan) => plan.join.relation === 'many');
  const union = unionsManyJoins(plans, unionManyJoins, dialect);
  for (const plan of plans) {
    const alias = `j${plan.index}`;
    if (plan.join.relation === 'one') {
      // At most one row per base row is wanted: a plain join (duplicates are dropped below).
      const on = sql`${name(alias, plan.to.column)} = ${name('b', plan.from.column)}`;
      const table = sqlText(qualifiedTable(em, plan.target.meta));
      joins.push(sql`left join ${table} as ${name(alias)} on ${on}`);
    } else if (!union) {
      const inner = numberedRows(info, em, plan, keyFilters[plan.index]!);
      const on = sql`${name(alias, plan.to.column)} = ${name('b', plan.from.column)}`;
      const limit = joinLimits[plan.index];
      joins.push(
        sql`left join (${inner}) as ${name(alias)} on ${on} and ${name(alias, 'mikro_auth_rn')} <= ${limit}`,
      );
    }
    if (plan.join.relation === 'one' || !union) {
      for (const field of plan.target.fields) {
        columns.push(sql`${name(alias, field.column)} as ${name(`${alias}__${field.column}`)}`);
      }
      joinedOrder.push(sql`${name(alias, plan.target.primaryKey.column)} asc`);
    }
  }
  if (union) {
    // Two or more one-to-many joins side by side would multiply (n × m rows per base row): each
    // becomes a branch of one UNION ALL instead (n + m rows), tagged with its branch, carrying
    // its own columns and NULL in every other join's.
    const branches = many.map((plan, branch) => {
      const own = name(`i${plan.index}`);
      const cells = many.flatMap((other) =>
        other.target.fields.map((field) => {
          const label = name(`j${other.index}__${field.column}`);
          if (other === plan) return sql`${own}.${name(field.column)} as ${label}`;
          return dialect.unionNullsNeedTypes
            ? sql`cast(null as ${sqlText(columnType(field)!)}) as ${label}`
            : sql`null as ${label}`;
        }),
      );
      const inner = numberedRows(info, em, plan, keyFilters[plan.index]!);
      return sql`select ${sqlText(String(branch))} as ${name('mikro_auth_branch')}, ${own}.${name(plan.to.column)} as ${name('mikro_auth_key')}, ${joinSql(cells, ', ')} from (${inner}) as ${own} where ${own}.${name('mikro_auth_rn')} <= ${joinLimits[plan.index]}`;
    });
    const matches = many.map(
      (plan, branch) =>
        sql`(${name('m', 'mikro_auth_branch')} = ${sqlText(String(branch))} and ${name('m', 'mikro_auth_key')} = ${name('b', plan.from.column)})`,
    );
    joins.push(
      sql`left join (${joinSql(branches, ' union all ')}) as ${name('m')} on ${joinSql(matches, ' or ')}`,
    );
    for (const plan of many) {
      for (const field of plan.target.fields) {
        const label = `j${plan.index}__${field.column}`;
        columns.push(sql`${name('m', label)} as ${name(label)}`);
      }
    }
    joinedOrder.push(sql`${name('m', 'mikro_auth_branch')} asc`);
    for (const plan of many) {
      joinedOrder.push(sql`${name('m', `j${plan.index}__${plan.target.primaryKey.column}`)} asc`);
    }
  }
  const order = [
    ...sortKeys.map(({ field, direction }) => {
      const binary = sqlText(dialect.collatedStrings && field.type === 'string' ? 'binary ' : '');
      return sql`${binary}${name('b', field.column)} ${sqlText(dialect.orderDirection(direction))}`;
    }),
    ...joinedOrder,
  ];
  return sql`select ${joinSql(columns, ', ')} from (${sqlOf(base)}) as ${name('b')} ${joinSql(joins, ' ')} order by ${joinSql(order, ', ')}`;
}

/** The column's SQL type as MikroORM's metadata gives it (e.g. `timestamptz`), if known. */
function columnType(field: FieldInfo): string | undefined {
  return field.property.columnTypes?.[0];
}

/**
 * Whether the one-to-many joins of `plans` go into one UNION ALL (see derivedQuery): two or more
 * of them, the switch on, join keys of one column type (the branches share the key column), and,
 * where a NULL needs a type, every joined column's type known.
 */
function unionsManyJoins(
  plans: readonly JoinPlan[],
  enabled: boolean,
  dialect: SqlDialect,
): boolean {
  const many = plans.filter((plan) => plan.join.relation === 'many');
  if (!enabled || many.length < 2) return false;
  const keyType = (plan: JoinPlan) => `${plan.to.type}:${columnType(plan.to) ?? ''}`;
  if (!many.every((plan) => keyType(plan) === keyType(many[0]!))) return false;
  return (
    !dialect.unionNullsNeedTypes ||
    many.every((plan) => plan.target.fields.every((field) => columnType(field) !== undefined))
  );
}

/**
 * The rows of a one-to-many join whose key the base filter can select (`keyFilter`, so no table
 * is scanned whole), numbered per base row by the window function (`mikro_auth_rn`).
 */
function numberedRows(
  info: ModelInfo,
  em: EntityManager,
  plan: JoinPlan,
  keyFilter: Filter,
): SqlFragment {
  const keys = sqlEm(em)
    .createQueryBuilder(info.meta.class, `k${plan.index}`)
    .select([plan.from.name])
    .where(keyFilter);
  return sqlOf(
    sqlEm(em)
      .createQueryBuilder(plan.target.meta.class, `i${plan.index}`)
      .select([
        ...plan.target.fields.map((field) => field.name),
        raw('row_number() over (partition by ?? order by ??) as ??', [
          `i${plan.index}.${plan.to.column}`,
          `i${plan.index}.${plan.target.primaryKey.column}`,
          'mikro_auth_rn',
        ]) as unknown as string,
      ])
      .where({ [plan.to.name]: { $in: asSubquery(keys) } }),
  );
}
