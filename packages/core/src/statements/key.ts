import type { EntityManager } from '@mikro-orm/core';
import type { FieldInfo, ModelInfo } from '../model/registry.js';
import { type Dialect, dialectOf } from '../orm/dialect.js';
import type { ResolvedClause } from '../query/types.js';

/**
 * The one place statement cache keys are built. A key is the statement's target (what changes the
 * SQL or where it runs besides its shape) plus its shape (what the SQL depends on); values never
 * are part of it.
 */

/** Where a statement runs: what besides its shape changes its SQL or the tables it reaches. */
export interface StatementTarget {
  /** One id per MikroORM driver instance, so per ORM, connection pool and platform. */
  readonly connection: number;
  readonly dialect: Dialect;
  /** The EntityManager's schema (`em.fork({ schema })`, a RequestContext's `schema`); '' for none. */
  readonly schema: string;
}

/** What a statement's SQL depends on besides its target. Values never are part of it. */
export interface StatementShape {
  readonly operation:
    | 'findOne'
    | 'findMany'
    | 'count'
    | 'insert'
    | 'updateOne'
    | 'updateMany'
    | 'deleteMany'
    | 'upsert'
    | 'joinFlat'
    | 'joinDerived';
  readonly model: ModelInfo;
  /** The fields read (or, for joins, carried by the base rows). */
  readonly fields?: readonly FieldInfo[];
  readonly clauses?: readonly ResolvedClause[];
  /** Written values: only their field names and value kinds count. */
  readonly values?: Readonly<Record<string, unknown>>;
  readonly sort?: readonly { field: FieldInfo; direction: 'asc' | 'desc' }[];
  /** Whether a limit and an offset are given; their values are parameters. */
  readonly page?: { readonly limit?: number; readonly offset?: number };
  /** Each join's target model, key fields, relation. */
  readonly joins?: readonly {
    target: ModelInfo;
    from: FieldInfo;
    to: FieldInfo;
    relation: 'one' | 'many';
  }[];
  /** Anything else that selects a different statement (e.g. `pinned`, `returning-ids`). */
  readonly variant?: string;
}

const driverIds = new WeakMap<object, number>();
let lastDriverId = 0;

/** The statement target of an EntityManager: its driver instance, dialect and schema. */
export function statementTarget(em: EntityManager): StatementTarget {
  const driver = em.getDriver();
  let connection = driverIds.get(driver);
  if (connection === undefined) {
    connection = ++lastDriverId;
    driverIds.set(driver, connection);
  }
  return { connection, dialect: dialectOf(em.getPlatform()).name, schema: em.schema ?? '' };
}

/** A value's kind as far as SQL goes: the JS type, Date, or null. */
function kindOf(value: unknown): string {
  return value === null ? 'null' : value instanceof Date ? 'date' : typeof value;
}

/** A list's kinds and its padded length (see `paddedList`), never its values. */
function listShape(values: readonly unknown[]): string {
  return `[${[...new Set(values.map(kindOf))].sort().join('|')}]x${paddedLength(values.length)}`;
}

/** Describes what a where's translation depends on besides its values. */
export function clauseShape(clauses: readonly ResolvedClause[]): string {
  return clauses
    .map((clause) => {
      const value = clause.value;
      const shape = Array.isArray(value) ? listShape(value) : kindOf(value);
      return `${clause.field}|${clause.operator}|${clause.mode}|${clause.connector}|${shape}`;
    })
    .join(';');
}

/** The cache key of a statement: its target and its shape, built in this one place. */
export function statementKey(target: StatementTarget, shape: StatementShape): string {
  const parts = [
    `${target.connection}`,
    target.dialect,
    JSON.stringify(target.schema),
    shape.operation,
    shape.model.meta.className,
    shape.variant ?? '',
    shape.fields?.map((field) => field.name).join(',') ?? '*',
    shape.sort?.map((key) => `${key.field.name}:${key.direction}`).join(',') ?? '',
    shape.page ? `${shape.page.limit != null ? 'L' : ''}${shape.page.offset ? 'O' : ''}` : '',
    shape.joins
      ?.map(
        (join) =>
          `${join.target.meta.className}:${join.from.name}=${join.to.name}:${join.relation}`,
      )
      .join(',') ?? '',
    shape.values
      ? Object.entries(shape.values)
          .map(([name, value]) => `${name}:${kindOf(value)}`)
          .join(',')
      : '',
    shape.clauses ? clauseShape(shape.clauses) : '',
  ];
  return parts.join('\u0001');
}

/** The length an `in` list is padded to: the next power of two, so list lengths share templates. */
export function paddedLength(length: number): number {
  return length <= 1 ? length : 2 ** Math.ceil(Math.log2(length));
}

/** The list padded to `paddedLength` by repeating its last item, which changes no `in` result. */
export function paddedList<T>(values: readonly T[]): readonly T[] {
  const length = paddedLength(values.length);
  if (length === values.length) return values;
  const last = values[values.length - 1] as T;
  return [...values, ...Array.from({ length: length - values.length }, () => last)];
}
