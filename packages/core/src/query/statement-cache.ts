import { type EntityManager, raw } from '@mikro-orm/core';
import { type Dialect, dialectOf } from '../dialect.js';
import type { FieldInfo, ModelInfo } from '../model.js';
import type { ResolvedClause, ValueSlots } from './where.js';

/**
 * Reads whose SQL depends only on their shape skip MikroORM's QueryBuilder after the first call.
 *
 * The first call of a shape builds its query twice: once with the real values (that result is used)
 * and once with markers in place of the values. The marked query is a template; it is kept only if
 * refilling it with the first call's values gives exactly the QueryBuilder's own SQL and parameters.
 * A shape where the QueryBuilder transforms a value itself (rather than leaving it to execution) is
 * remembered as not cacheable and keeps going through the QueryBuilder.
 */

export interface Template {
  sql: string;
  /** The QueryBuilder's parameters with markers where the values go. */
  params: readonly unknown[];
  /** For the n-th value of a translation, its index in `params`. */
  positions: readonly number[];
}

/** Records the values of a translation in order. */
export class ValueCollector implements ValueSlots {
  readonly values: unknown[] = [];
  /** True when only the values are wanted, so the translation may skip building SQL fragments. */
  readonly collectOnly: boolean;

  constructor(collectOnly = false) {
    this.collectOnly = collectOnly;
  }

  plain(_field: FieldInfo, value: unknown): unknown {
    this.values.push(value);
    return value;
  }

  param(value: unknown): unknown {
    this.values.push(value);
    return value;
  }
}

/** Puts a unique marker wherever a value would go. */
export class MarkerSlots implements ValueSlots {
  readonly markers: string[] = [];

  #next(): string {
    const marker = `\u0000mikro-auth-slot-${this.markers.length}\u0000`;
    this.markers.push(marker);
    return marker;
  }

  plain(): unknown {
    return raw('?', [this.#next()]);
  }

  param(): unknown {
    return this.#next();
  }
}

/** A `?` raw fragment with one parameter stands for that parameter once execution expands it. */
function expanded(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const fragment = value as { sql?: unknown; params?: unknown };
  return fragment.sql === '?' && Array.isArray(fragment.params) && fragment.params.length === 1
    ? fragment.params[0]
    : value;
}

function same(a: unknown, b: unknown): boolean {
  a = expanded(a);
  b = expanded(b);
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((item, i) => same(item, b[i]));
  return Object.is(a, b) || (typeof a === 'bigint' && typeof b === 'bigint' && a === b);
}

/** The template's parameters refilled with one call's database values. */
export function fill(template: Template, values: readonly unknown[]): unknown[] {
  const params = [...template.params];
  template.positions.forEach((position, index) => {
    params[position] = values[index];
  });
  return params;
}

/**
 * Learns a template from a marked query, or returns undefined when the marked query differs from
 * the real one other than in the markers, or refilling it does not reproduce the real parameters.
 */
export function learn(
  real: { sql: string; params: readonly unknown[] },
  marked: { sql: string; params: readonly unknown[] },
  markers: readonly string[],
  values: readonly unknown[],
): Template | undefined {
  if (real.sql !== marked.sql || real.params.length !== marked.params.length) return undefined;
  // A marker is a parameter itself (raw fragment parameters) or sits in a `?` raw fragment that
  // stands where a plain value would (the QueryBuilder leaves fragments for execution to expand).
  const holds = (param: unknown, marker: string) =>
    param === marker ||
    (typeof param === 'object' &&
      param !== null &&
      (param as { sql?: unknown }).sql === '?' &&
      (param as { params?: unknown[] }).params?.length === 1 &&
      (param as { params: unknown[] }).params[0] === marker);
  const positions = markers.map((marker) =>
    marked.params.findIndex((param) => holds(param, marker)),
  );
  if (positions.some((position) => position < 0) || new Set(positions).size !== positions.length)
    return undefined;
  const template: Template = { sql: marked.sql, params: marked.params, positions };
  const refilled = fill(template, values);
  return refilled.every((param, index) => same(param, real.params[index])) ? template : undefined;
}

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
  return { connection, dialect: dialectOf(em.getPlatform()), schema: em.schema ?? '' };
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

/** Templates by key, least recently used evicted first; `null` marks a shape that cannot be cached. */
export class StatementCache {
  readonly #entries = new Map<string, Template | null>();
  readonly #capacity: number;

  constructor(capacity = 1000) {
    this.#capacity = capacity;
  }

  /** Number of shapes held. */
  get size(): number {
    return this.#entries.size;
  }

  /** The template of `key`; a hit makes it the most recently used. */
  get(key: string): Template | null | undefined {
    const entry = this.#entries.get(key);
    if (entry !== undefined) {
      this.#entries.delete(key);
      this.#entries.set(key, entry);
    }
    return entry;
  }

  /** Remembers a template, evicting the least recently used one when full. */
  set(key: string, template: Template | null): void {
    this.#entries.delete(key);
    if (this.#entries.size >= this.#capacity) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
    this.#entries.set(key, template);
  }
}
