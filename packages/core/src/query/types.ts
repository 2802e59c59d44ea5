/** The neutral query language shared by every adapter. */

import type { FieldInfo } from '../model/registry.js';

export const OPERATORS = [
  'eq',
  'ne',
  'lt',
  'lte',
  'gt',
  'gte',
  'in',
  'not_in',
  'contains',
  'starts_with',
  'ends_with',
] as const;

/** A comparison operator of a where clause. */
export type Operator = (typeof OPERATORS)[number];

/** How a clause joins the others: all AND clauses must hold, and at least one OR clause. */
export type Connector = 'AND' | 'OR';

/** Whether string comparisons respect case. */
export type Mode = 'sensitive' | 'insensitive';

/** A single value a field can be compared with. */
export type ScalarValue = string | number | bigint | boolean | Date | null;

/** The value of a clause: a scalar, or a list for `in` / `not_in`. */
export type ClauseValue = ScalarValue | readonly ScalarValue[];

/** One condition on one field. Defaults: operator `eq`, connector `AND`, mode `sensitive`. */
export interface Clause {
  field: string;
  value: ClauseValue;
  operator?: Operator;
  connector?: Connector;
  mode?: Mode;
}

/** A where: `(every AND clause) AND (any OR clause)`; empty means every row. */
export type Where = readonly Clause[];

/** A clause with every default applied and its value checked against its operator. */
export interface NormalizedClause {
  field: string;
  operator: Operator;
  value: ClauseValue;
  connector: Connector;
  mode: Mode;
}

/** A normalized clause with its field resolved against the model. */
export interface ResolvedClause extends NormalizedClause {
  resolved: FieldInfo;
}

/** One sort key. */
export interface SortKey {
  field: string;
  direction: 'asc' | 'desc';
}

/**
 * Rows of another model read in the same statement and placed on each returned row under `as`:
 * for `one`, an object or null; for `many`, an array of at most `limit` rows (default 100),
 * ordered by the joined model's primary key.
 */
export interface Join {
  as: string;
  model: string;
  /** A field of the base model (`from`) and the joined model's field that must equal it (`to`). */
  on: { from: string; to: string };
  relation: 'one' | 'many';
  limit?: number;
}

/** Options of a single-row read. */
export interface FindOneOptions {
  /** Fields to read; all fields when absent or empty. */
  select?: readonly string[];
  joins?: readonly Join[];
}

/** Options of a multi-row read. */
export interface FindManyQuery {
  where?: Where;
  sort?: SortKey | readonly SortKey[];
  limit?: number;
  offset?: number;
  /** Fields to read; all fields when absent or empty. */
  select?: readonly string[];
  joins?: readonly Join[];
}

/** A stored row as adapters see it: field name → value (references as ids). */
export type Row = Record<string, unknown>;
