import type { Dictionary, EntityManager, Platform } from '@mikro-orm/core';
import { UnsupportedError } from '../errors/classes.js';
import type { FieldInfo, ModelInfo } from '../model/registry.js';
import { readsJsonAsText } from '../orm/versions.js';
import { toJsValue } from '../query/convert.js';
import type { Row } from '../query/types.js';

/** How values read from the database become the values rows carry, the same on every driver. */

/**
 * A row from a QueryBuilder result already mapped to property names: user-defined types
 * converted to their JS values, JSON and bigint values finished.
 */
export function rowFromResult(info: ModelInfo, em: EntityManager, mapped: Dictionary): Row {
  const platform = em.getPlatform();
  const row: Row = {};
  for (const [key, value] of Object.entries(mapped)) {
    const field = info.findField(key);
    row[key] = field ? finishValue(field, toJsValue(field, value, platform), platform) : value;
  }
  return row;
}

/** A row straight from the driver (column names, database types) → a row keyed by property name. */
export function rowFromDriver(info: ModelInfo, em: EntityManager, stored: Dictionary): Row {
  const mapped = em.getDriver().mapResult(stored, info.meta) as Dictionary;
  const row: Row = {};
  for (const field of info.fields) {
    if (field.name in mapped) row[field.name] = mapped[field.name];
  }
  return rowFromResult(info, em, row);
}

/** A database value as rows carry it: JSON parsed, bigints as numbers while exact, booleans, dates, ids. */
function finishValue(field: FieldInfo, value: unknown, platform: Platform): unknown {
  if (value === null || value === undefined) return value ?? null;
  if ((field.type === 'json' || field.type === 'array') && typeof value === 'string') {
    if (field.type === 'json' && readsJsonAsText(platform))
      return platform.convertJsonToJSValue(value);
    const type = field.property.customType;
    return type ? type.convertToJSValue(value, platform) : value;
  }
  if (field.type === 'bigint') {
    if (typeof value === 'number' && !Number.isSafeInteger(value)) {
      // Only a driver that returns integers as JS numbers (better-sqlite3) gets here: the stored
      // integer was already rounded, so returning it would change the value silently.
      throw new UnsupportedError(
        `Field "${field.name}" (column "${field.column}") was read back as the JavaScript number ` +
          `${value}, which is not a safe integer: the stored value cannot be returned exactly. ` +
          'SQLite returns integers as numbers, exact only within ±9007199254740991; keep bigint ' +
          'values within that range on SQLite, or use PostgreSQL, MySQL or MariaDB.',
      );
    }
    // Numbers when exact, decimal strings beyond Number.MAX_SAFE_INTEGER (as pg and mysql2 return them).
    const number = Number(value);
    return Number.isSafeInteger(number) ? number : String(value);
  }
  if (field.type === 'number' && typeof value !== 'number') return Number(value);
  if (field.type === 'boolean' && typeof value !== 'boolean') return Boolean(Number(value));
  if (field.type === 'date' && !(value instanceof Date)) return new Date(value as string);
  if (field.kind === 'reference' && typeof value === 'object') {
    return (value as Dictionary)[field.property.targetMeta?.primaryKeys[0] ?? 'id'] ?? value;
  }
  return value;
}
