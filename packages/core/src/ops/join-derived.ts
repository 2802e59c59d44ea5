import { type Dictionary, type EntityManager, raw } from '@mikro-orm/core';
import type { FieldInfo, ModelInfo } from '../model/registry.js';
import { dialectOfEm, type SqlDialect } from '../orm/dialect.js';
import { sqlEm } from '../orm/query-builder.js';
import { identifier, joinSql, type SqlFragment, sql, sqlText } from '../orm/sql.js';
import { qualifiedTable } from '../orm/tables.js';
import { asSubquery, sqlOf } from '../orm/versions.js';
import { orderBy, type ResolvedSortKey } from '../query/sort.js';
import type { FindManyQuery, Join } from '../query/types.js';
import { type Filter, resolveWhere, translateWhere } from '../query/where.js';
import type { StatementShape } from '../statements/key.js';
import { applyPage, type PageValues, pageValues, runStatement } from '../statements/runner.js';
import type { OperationContext } from './context.js';

/**
 * The general joined read (joinDerived): the base rows as a derived table, one-to-one joins as
 * plain LEFT JOINs, one-to-many joins numbered per base row by a window function (side by side, or
 * as branches of one UNION ALL when there are two or more).
 */

/** A join resolved against the models: which fields meet, and the per-row limit. */
export interface JoinPlan {
  join: Join;
  index: number;
  target: ModelInfo;
  from: FieldInfo;
  to: FieldInfo;
  limit: number;
}

/**
 * One-to-many joins: the base rows (filtered, sorted, paged) as a derived table, left-joined to
 * each target numbered per base row with a window function so the limit applies per row, and
 * restricted to keys the base filter selects so no table is scanned whole.
 */
export async function joinDerived(
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
    // Usually every join starts from the same base column (the base row's id): then one equality
    // matches, which the database can hash-join; else each branch is matched on its own column.
    const key = name('m', 'mikro_auth_key');
    const matches = many.every((plan) => plan.from === many[0]!.from)
      ? [sql`${key} = ${name('b', many[0]!.from.column)}`]
      : many.map(
          (plan, branch) =>
            sql`(${name('m', 'mikro_auth_branch')} = ${sqlText(String(branch))} and ${key} = ${name('b', plan.from.column)})`,
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
