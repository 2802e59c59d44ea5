import type { Dictionary, EntityManager } from '@mikro-orm/core';
import { MikroAuthError } from '../errors.js';

/** The part of MikroORM's SQL QueryBuilder that core uses (present in @mikro-orm/sql 7.x). */
export interface QueryBuilderLike {
  select(fields: readonly string[]): QueryBuilderLike;
  where(filter: Dictionary): QueryBuilderLike;
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
  execute(method?: 'all' | 'get' | 'run', mapResults?: boolean): Promise<unknown>;
  toQuery(): { sql: string; params: readonly unknown[] };
}

/** An EntityManager of a SQL driver. */
export interface SqlEntityManagerLike {
  createQueryBuilder(entity: unknown, alias?: string): QueryBuilderLike;
}

/** The EntityManager as a SQL one; throws a clear error for non-SQL drivers (e.g. MongoDB). */
export function sqlEm(em: EntityManager): SqlEntityManagerLike {
  if (typeof (em as unknown as Partial<SqlEntityManagerLike>).createQueryBuilder !== 'function') {
    throw new MikroAuthError(
      'UNSUPPORTED',
      'mikro-auth needs a SQL driver (@mikro-orm/postgresql, mysql, mariadb, sqlite or libsql); ' +
        'this EntityManager has no QueryBuilder.',
    );
  }
  return em as unknown as SqlEntityManagerLike;
}
