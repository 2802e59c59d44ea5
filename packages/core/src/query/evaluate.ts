import { type CaseFolding, compareStrings, foldCase } from './case-folding.js';
import { groupClauses, normalizeWhere } from './normalize.js';
import type { NormalizedClause, Row, ScalarValue, SortKey, Where } from './types.js';

/**
 * Evaluates the neutral where against a plain object, with the databases' semantics: comparisons
 * with NULL never match (so `ne 'x'` skips rows where the field is null), `eq`/`ne` with null test
 * for null, an empty `in` matches nothing and an empty `not_in` everything.
 */

type Comparable = number | bigint | string | boolean;

function comparable(value: unknown): Comparable | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean')
    return value;
  return String(value);
}

export type { CaseFolding } from './case-folding.js';

/** Options of the evaluator. */
export interface EvaluateOptions {
  /** Default `unicode`; use the store's `caseFolding()` to match its database exactly. */
  caseFolding?: CaseFolding;
}

/** The value as the database's LOWER() returns it when `insensitive`, else unchanged. */
function fold(value: Comparable, insensitive: boolean, folding: CaseFolding): Comparable {
  if (!insensitive || typeof value !== 'string') return value;
  return foldCase(value, folding);
}

/** -1, 0 or 1; numbers and bigints compare numerically, strings by code point (UTF-8 byte order). */
function compare(a: Comparable, b: Comparable): number {
  if (typeof a === 'string' && typeof b === 'string') return compareStrings(a, b);
  const x = typeof a === 'boolean' ? Number(a) : a;
  const y = typeof b === 'boolean' ? Number(b) : b;
  if (typeof x === 'string' || typeof y === 'string') return compareStrings(String(x), String(y));
  return x < y ? -1 : x > y ? 1 : 0;
}

function clauseMatches(row: Row, clause: NormalizedClause, folding: CaseFolding): boolean {
  const raw = row[clause.field];
  const { operator, value } = clause;
  const insensitive = clause.mode === 'insensitive';

  if ((operator === 'eq' || operator === 'ne') && value === null) {
    const isNull = raw === null || raw === undefined;
    return operator === 'eq' ? isNull : !isNull;
  }
  if ((operator === 'in' || operator === 'not_in') && (value as readonly unknown[]).length === 0) {
    // x IN () is false and x NOT IN () true for every x, null included.
    return operator === 'not_in';
  }
  const actual = comparable(raw);
  if (actual === null) return false;
  const left = fold(actual, insensitive, folding);

  if (operator === 'in' || operator === 'not_in') {
    const list = (value as readonly ScalarValue[]).map((item) =>
      fold(comparable(item)!, insensitive, folding),
    );
    const found = list.some((item) => compare(left, item) === 0);
    return operator === 'in' ? found : !found;
  }
  if (operator === 'contains' || operator === 'starts_with' || operator === 'ends_with') {
    if (typeof left !== 'string') return false;
    const needle = fold(value as string, insensitive, folding) as string;
    if (operator === 'contains') return left.includes(needle);
    if (operator === 'starts_with') return left.startsWith(needle);
    return left.endsWith(needle);
  }
  const right = fold(comparable(value as ScalarValue)!, insensitive, folding);
  const order = compare(left, right);
  switch (operator) {
    case 'eq':
      return order === 0;
    case 'ne':
      return order !== 0;
    case 'lt':
      return order < 0;
    case 'lte':
      return order <= 0;
    case 'gt':
      return order > 0;
    case 'gte':
      return order >= 0;
  }
}

/** Whether `row` satisfies `where`: every AND clause, and at least one OR clause when there are any. */
export function matchesWhere(
  row: Row,
  where: Where | readonly NormalizedClause[] | undefined,
  options: EvaluateOptions = {},
): boolean {
  const folding = options.caseFolding ?? 'unicode';
  const { and, or } = groupClauses(normalizeWhere(where));
  return (
    and.every((clause) => clauseMatches(row, clause, folding)) &&
    (or.length === 0 || or.some((clause) => clauseMatches(row, clause, folding)))
  );
}

/**
 * Sorts rows by the keys in order; nulls sort first ascending and last descending (as on every
 * database we run), strings by code point (as SQLite's BINARY, MySQL's `binary` and PostgreSQL's
 * C/C.UTF-8 collations order them).
 */
export function compareRows(a: Row, b: Row, keys: readonly SortKey[]): number {
  for (const key of keys) {
    const x = comparable(a[key.field]);
    const y = comparable(b[key.field]);
    let order: number;
    if (x === null || y === null) order = x === y ? 0 : x === null ? -1 : 1;
    else order = compare(x, y);
    if (order !== 0) return key.direction === 'desc' ? -order : order;
  }
  return 0;
}
