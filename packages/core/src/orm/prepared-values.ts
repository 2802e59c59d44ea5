/**
 * The values of a cached statement as bound parameters, for orm/prepared.ts: which placeholders
 * hold values (MikroORM's `??` identifiers are filled into the SQL text instead), and for each
 * value the parameter that means what MikroORM's inlined literal (`platform.formatQuery`) means on
 * that database. Undefined wherever there is no such parameter: that call then takes MikroORM's
 * own path.
 */

/** What core uses of a MikroORM 7 SQL platform here. */
export interface SqlPlatform {
  formatQuery(sql: string, params: readonly unknown[]): string;
  quoteIdentifier(name: string): string;
  formatDate?(date: Date): string;
}

/** SQL texts whose placeholders are counted once. */
const COUNTED_TEXTS = 2000;

export interface Cached<T> {
  readonly value: T | undefined;
}

/** Least recently used first; `undefined` values remember SQL that cannot be prepared. */
export function remember<K, V>(
  map: Map<K, Cached<V>>,
  key: K,
  make: () => V | undefined,
  cap: number,
) {
  let entry = map.get(key);
  if (entry) {
    map.delete(key);
  } else {
    entry = { value: make() };
    if (map.size >= cap) map.delete(map.keys().next().value as K);
  }
  map.set(key, entry);
  return entry.value;
}

/**
 * The SQL with MikroORM's `??` identifier placeholders filled in (quoted, as `formatQuery` does)
 * and one `?` per value left, with those values in order; undefined when the SQL holds a `\?`
 * escape (a literal question mark) or the placeholders do not match the parameters.
 */
export function valuesOf(
  sql: string,
  params: readonly unknown[],
  platform: SqlPlatform,
): { text: string; params: readonly unknown[] } | undefined {
  if (!sql.includes('??') && !sql.includes('\\?')) {
    return placeholderCount(sql) === params.length ? { text: sql, params } : undefined;
  }
  if (sql.includes('\\?')) return undefined;
  let text = '';
  const values: unknown[] = [];
  let from = 0;
  let index = 0;
  for (let at = sql.indexOf('?'); at !== -1; at = sql.indexOf('?', from)) {
    if (index >= params.length) return undefined;
    if (sql[at + 1] === '?') {
      const name = params[index++];
      if (typeof name !== 'string') return undefined;
      text += sql.slice(from, at) + platform.quoteIdentifier(name);
      from = at + 2;
    } else {
      values.push(params[index++]);
      text += sql.slice(from, at + 1);
      from = at + 1;
    }
  }
  return index === params.length ? { text: text + sql.slice(from), params: values } : undefined;
}

const counts = new Map<string, Cached<number>>();

/** The number of `?` in SQL without `??` or `\?`, counted once per text. */
function placeholderCount(sql: string): number {
  return remember(
    counts,
    sql,
    () => {
      let count = 0;
      for (let at = sql.indexOf('?'); at !== -1; at = sql.indexOf('?', at + 1)) count++;
      return count;
    },
    COUNTED_TEXTS,
  ) as number;
}

/** The value SQLite gets from MikroORM's inlined literal, or undefined when there is no such one. */
export function bindSqlite(params: readonly unknown[]): unknown[] | undefined {
  const bound = new Array<unknown>(params.length);
  for (let index = 0; index < params.length; index++) {
    const value = params[index];
    let out: unknown;
    if (value === null || value === undefined) out = null;
    else if (typeof value === 'string' || typeof value === 'bigint') out = value;
    else if (typeof value === 'number') {
      if (!Number.isFinite(value)) return undefined;
      // An integer literal is an INTEGER; better-sqlite3 binds JS numbers as REAL.
      out = Number.isInteger(value) && Math.abs(value) < 2 ** 63 ? BigInt(value) : value;
    } else if (typeof value === 'boolean') out = value ? 1n : 0n;
    else if (value instanceof Date) {
      const time = value.getTime();
      if (!Number.isFinite(time)) return undefined;
      out = BigInt(time);
    } else if (Buffer.isBuffer(value)) out = value;
    else if (isPlainObject(value)) out = JSON.stringify(value);
    else return undefined;
    bound[index] = out;
  }
  return bound;
}

/** The text PostgreSQL gets from MikroORM's inlined literal, or undefined when it differs. */
export function bindPostgres(
  params: readonly unknown[],
  platform: SqlPlatform,
): unknown[] | undefined {
  const bound = new Array<unknown>(params.length);
  for (let index = 0; index < params.length; index++) {
    const value = params[index];
    let out: unknown;
    if (value === null || value === undefined) out = null;
    else if (typeof value === 'string') out = value;
    else if (typeof value === 'bigint') out = value.toString();
    else if (typeof value === 'number') {
      // A fractional literal is numeric; an untyped parameter takes the column's type instead.
      if (!Number.isSafeInteger(value)) return undefined;
      out = String(value);
    } else if (typeof value === 'boolean') out = value ? 'true' : 'false';
    else if (value instanceof Date) {
      if (!Number.isFinite(value.getTime()) || typeof platform.formatDate !== 'function')
        return undefined;
      out = platform.formatDate(value);
    } else if (Buffer.isBuffer(value)) out = value;
    else if (isPlainObject(value)) out = JSON.stringify(value);
    else return undefined;
    bound[index] = out;
  }
  return bound;
}

function isPlainObject(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
