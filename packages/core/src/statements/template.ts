import { raw } from '@mikro-orm/core';
import type { FieldInfo } from '../model/registry.js';
import type { ValueSlots } from '../query/where.js';

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

/**
 * The first numeric marker: far above any limit or offset an app passes, so a marker never equals
 * a value (and `learn` verifies the refilled parameters anyway).
 */
const NUMERIC_MARKER_BASE = 7_340_000_000_000;

/** Puts a unique marker wherever a value would go. */
export class MarkerSlots implements ValueSlots {
  readonly markers: unknown[] = [];

  #next(): string {
    const marker = `\u0000mikro-auth-slot-${this.markers.length}\u0000`;
    this.markers.push(marker);
    return marker;
  }

  plain(): unknown {
    return raw('?', [this.#next()]);
  }

  /**
   * A number's marker is a number: MikroORM 6's Knex parses a limit or offset as an integer and
   * drops a string one, which left paged reads without a template.
   */
  param(value?: unknown): unknown {
    if (typeof value !== 'number') return this.#next();
    const marker = NUMERIC_MARKER_BASE + this.markers.length;
    this.markers.push(marker);
    return marker;
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
  markers: readonly unknown[],
  values: readonly unknown[],
): Template | undefined {
  if (real.sql !== marked.sql || real.params.length !== marked.params.length) return undefined;
  // A marker is a parameter itself (raw fragment parameters) or sits in a `?` raw fragment that
  // stands where a plain value would (the QueryBuilder leaves fragments for execution to expand).
  const holds = (param: unknown, marker: unknown) =>
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
