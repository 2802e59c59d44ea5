import { type Dictionary, type EntityManager, raw } from '@mikro-orm/core';
import { InvalidQueryError } from '../errors/classes.js';
import type { ModelInfo } from '../model/registry.js';
import { dialectOfEm } from '../orm/dialect.js';
import { coerceValue } from '../query/coerce.js';
import { convertsValues, toDatabaseValue, toJsValue } from '../query/convert.js';
import type { Row } from '../query/types.js';
import { DIRECT_SLOTS, type ValueSlots } from '../query/where.js';
import { rowFromResult } from '../rows/decode.js';

/** Values a write sends: checked, coerced, converted; and the row a write leaves behind. */

/** Data keyed by any field alias → values keyed by property name, coerced to the field types. */
export function writeValues(
  info: ModelInfo,
  em: EntityManager,
  data: Readonly<Record<string, unknown>>,
): Dictionary {
  if (data === null || typeof data !== 'object') {
    throw new InvalidQueryError(`data must be an object, got ${String(data)}.`, {
      model: info.name,
    });
  }
  const { integersAsNumbers } = dialectOfEm(em);
  const values: Dictionary = {};
  for (const [name, value] of Object.entries(data)) {
    if (value === undefined) continue;
    const field = info.field(name);
    values[field.name] = coerceValue(field, value, {
      model: info.name,
      field: name,
      integersAsNumbers,
      write: true,
    });
  }
  return values;
}

/**
 * Values to write, keyed by property, each passed through `slots`; values of converting types
 * are converted by core and passed as finished parameters (see query/convert.ts).
 *
 * `plainAs: 'param'` hands the other values to the QueryBuilder as plain parameters in the marked
 * build too: given a raw fragment (a marker) to set, MikroORM's QueryBuilder appends a `RETURNING`
 * of that column to an UPDATE, so the marked statement would differ from the real one and the
 * shape would never get a template (updateMany, which asks for no RETURNING of its own).
 */
export function slottedValues(
  info: ModelInfo,
  em: EntityManager,
  values: Dictionary,
  slots: ValueSlots = DIRECT_SLOTS,
  plainAs: 'plain' | 'param' = 'plain',
): Dictionary {
  const platform = em.getPlatform();
  const out: Dictionary = {};
  for (const [name, value] of Object.entries(values)) {
    const field = info.field(name);
    if (value === null) out[name] = null;
    else if (convertsValues(field)) {
      out[name] = raw('?', [slots.param(toDatabaseValue(field, value, platform, 'query-data'))]);
    } else out[name] = plainAs === 'param' ? slots.param(value) : slots.plain(field, value);
  }
  return out;
}

/** Written values as a read would return them: through the field type's conversions both ways. */
export function storedValues(info: ModelInfo, em: EntityManager, values: Dictionary): Dictionary {
  const platform = em.getPlatform();
  const out: Dictionary = {};
  for (const [name, value] of Object.entries(values)) {
    const field = info.field(name);
    out[name] = toJsValue(field, toDatabaseValue(field, value, platform, 'query-data'), platform);
  }
  return out;
}

/**
 * The row an insert wrote, from its values, the generated id and static defaults; `complete` is
 * false when a column has a database-side default (or no value) that only a read can tell.
 */
export function writtenRow(
  info: ModelInfo,
  em: EntityManager,
  values: Dictionary,
  id: unknown,
): { row: Row; complete: boolean } {
  const platform = em.getPlatform();
  const stored: Dictionary = {};
  for (const [name, value] of Object.entries(values)) {
    stored[name] = toDatabaseValue(info.field(name), value, platform, 'query-data');
  }
  const row: Row = {};
  let complete = true;
  for (const field of info.fields) {
    const prop = field.property;
    if (field.name in stored) row[field.name] = stored[field.name];
    else if (field.primary) row[field.name] = id;
    else if (prop.default !== undefined && prop.default !== null && field.type !== 'date') {
      row[field.name] = prop.default;
    } else if (field.nullable && prop.defaultRaw === undefined && prop.default === undefined) {
      row[field.name] = null;
    } else complete = false;
  }
  return { row: rowFromResult(info, em, row), complete };
}
