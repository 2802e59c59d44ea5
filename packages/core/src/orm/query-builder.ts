import { type Dictionary, type EntityManager, LockMode } from '@mikro-orm/core';
import { UnsupportedError } from '../errors/classes.js';
import type { FieldInfo, ModelInfo } from '../model/registry.js';
import { dialectOfEm } from './dialect.js';
import { identifier, joinSql, type SqlFragment, sql } from './sql.js';
import { asSubquery, sqlOf, sqlReturningRows } from './versions.js';

/** The part of MikroORM's SQL QueryBuilder that core uses (present in @mikro-orm/sql 7.x). */
export interface QueryBuilderLike {
  select(fields: readonly string[]): QueryBuilderLike;
  where(filter: Dictionary): QueryBuilderLike;
  andWhere(condition: string, params: unknown[]): QueryBuilderLike;
  orderBy(order: Dictionary | readonly Dictionary[]): QueryBuilderLike;
  limit(limit: number): QueryBuilderLike;
  offset(offset: number): QueryBuilderLike;
  insert(data: Dictionary): QueryBuilderLike;
  update(data: Dictionary): QueryBuilderLike;
  delete(): QueryBuilderLike;
  count(): QueryBuilderLike;
  returning(fields: '*' | readonly string[]): QueryBuilderLike;
  from(source: QueryBuilderLike, alias: string): QueryBuilderLike;
  leftJoin(table: unknown, alias: string, condition: Dictionary): QueryBuilderLike;
  setLockMode(mode: number): QueryBuilderLike;
  /** An insert's conflict target (its key fields), then `merge(fields)` or `ignore()`. */
  onConflict(fields: readonly string[]): QueryBuilderLike;
  merge(fields: readonly string[]): QueryBuilderLike;
  ignore(): QueryBuilderLike;
  execute(method?: 'all' | 'get' | 'run', mapResults?: boolean): Promise<unknown>;
  toQuery(): { sql: string; params: readonly unknown[] };
}

/** An EntityManager of a SQL driver, as core builds queries on it. */
export interface SqlEntityManagerLike {
  createQueryBuilder(entity: unknown, alias?: string): QueryBuilderLike;
}

/** MikroORM's own signature (6.x and 7.x): the third argument picks the connection. */
interface MikroOrmSqlEntityManager {
  createQueryBuilder(entity: unknown, alias?: string, type?: 'read' | 'write'): QueryBuilderLike;
}

/**
 * The EntityManager as a SQL one; throws a clear error for non-SQL drivers (e.g. MongoDB).
 *
 * Its QueryBuilders run on the primary. MikroORM itself sends a SELECT outside a transaction to a
 * random read replica whenever the config lists `replicas` (`preferReadReplicas` defaults to
 * true), which would break `reads: 'primary'` and read-your-writes (e.g. MySQL's read-back after an
 * insert). Reads that may go to a replica are routed explicitly (store.ts, `runStatement`'s
 * `connection`), never by MikroORM's default.
 */
export function sqlEm(em: EntityManager): SqlEntityManagerLike {
  const sql = em as unknown as Partial<MikroOrmSqlEntityManager>;
  if (typeof sql.createQueryBuilder !== 'function') {
    throw new UnsupportedError(
      'mikro-auth needs a SQL driver (@mikro-orm/postgresql, mysql, mariadb, sqlite or libsql); ' +
        'this EntityManager has no QueryBuilder.',
    );
  }
  const create = sql.createQueryBuilder;
  return { createQueryBuilder: (entity, alias) => create.call(sql, entity, alias, 'write') };
}

/** A select of `fields` (every field by default) from the model's table. */
export function selectFields(
  info: ModelInfo,
  em: EntityManager,
  fields: readonly FieldInfo[] = info.fields,
): QueryBuilderLike {
  return sqlEm(em)
    .createQueryBuilder(info.meta.class)
    .select(fields.map((field) => field.name));
}

/** A sub-select of the first matching primary key (for `$in`), portable to MySQL's no-LIMIT-in-IN rule. */
export function firstIds(info: ModelInfo, em: EntityManager, filter: Dictionary): unknown {
  const pk = info.primaryKey.name;
  const inner = sqlEm(em)
    .createQueryBuilder(info.meta.class, 'inner0')
    .select([pk])
    .where(filter)
    .limit(1);
  if (!dialectOfEm(em).limitInSubqueryNeedsDerivedTable) return asSubquery(inner);
  return asSubquery(
    sqlEm(em)
      .createQueryBuilder(info.meta.class, 'first0')
      .from(inner, 'first0')
      .select([`first0.${pk}`]),
  );
}

/**
 * A statement narrowed to the rows whose primary key a sub-select picked: `(key columns) in (…)`,
 * for single and composite keys alike (not on MySQL/MariaDB, which allow no LIMIT in it).
 */
export function whereKeyIn(
  info: ModelInfo,
  em: EntityManager,
  qb: QueryBuilderLike,
  select: SqlFragment,
): QueryBuilderLike {
  const platform = em.getPlatform();
  const columns = joinSql(
    info.primaryKeys.map((field) => identifier(platform, field.column)),
    ', ',
  );
  const condition = sql`(${columns}) in (${select})`;
  return qb.andWhere(condition.sql, [...condition.params]);
}

/** The first matching primary key, locked for update (`em` must be in a transaction). */
export async function lockFirstId(
  info: ModelInfo,
  em: EntityManager,
  filter: Dictionary,
): Promise<unknown> {
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

/** Runs raw SQL on the EntityManager's connection and transaction; returns the rows. */
export async function executeAll(
  em: EntityManager,
  sql: string,
  params: readonly unknown[],
): Promise<Dictionary[]> {
  const result = await em
    .getConnection()
    .execute(sqlReturningRows(em, sql), [...params], 'all', em.getTransactionContext());
  return result as Dictionary[];
}

/** A query whose SQL gets `suffix` appended (clauses the QueryBuilder cannot express). */
export function withSuffix(
  qb: Pick<QueryBuilderLike, 'toQuery'>,
  suffix: string,
): Pick<QueryBuilderLike, 'toQuery'> {
  return {
    toQuery: () => {
      const query = sqlOf(qb);
      return { sql: `${query.sql}${suffix}`, params: query.params };
    },
  };
}
