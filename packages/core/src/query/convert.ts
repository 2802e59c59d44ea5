import { type Platform, Type, types } from '@mikro-orm/core';
import type { FieldInfo } from '../model/registry.js';

/**
 * Values of fields whose MikroORM `Type` changes them on the way to the database (custom types,
 * normalising string types, bigint) are converted here, by core, on every call and on every path
 * (filters, raw SQL fragments, written data; statement cache on or off), and reach MikroORM as
 * finished parameters it does not convert again. Values of other fields pass as they are.
 */

const BUILT_IN: ReadonlySet<unknown> = new Set(Object.values(types));
const converting = new WeakMap<FieldInfo, boolean>();

/** Whether core converts the field's values itself before they reach SQL. */
export function convertsValues(field: FieldInfo): boolean {
  let converts = converting.get(field);
  if (converts === undefined) {
    const type = field.property.customType;
    const sqlLevel = Boolean(
      (field.property as { hasConvertToDatabaseValueSQL?: boolean }).hasConvertToDatabaseValueSQL,
    );
    // JSON and array values are left to MikroORM (it serialises them per platform, sometimes in
    // SQL); a cached statement never holds them because their conversion is never an identity.
    converts =
      type !== undefined &&
      !sqlLevel &&
      field.type !== 'json' &&
      field.type !== 'array' &&
      type.convertToDatabaseValue !== Type.prototype.convertToDatabaseValue;
    converting.set(field, converts);
  }
  return converts;
}

/** Where a value goes: compared in a where (`query`) or written (`query-data`), as MikroORM says it. */
export type ConversionMode = 'query' | 'query-data';

/** The value as the database stores it: the field type's `convertToDatabaseValue`, when it converts. */
export function toDatabaseValue(
  field: FieldInfo,
  value: unknown,
  platform: Platform,
  mode: ConversionMode,
): unknown {
  if (value === null || value === undefined || !convertsValues(field)) return value;
  return field.property.customType!.convertToDatabaseValue(value, platform, {
    fromQuery: true,
    key: mode === 'query-data' ? field.column : undefined,
    mode,
  });
}

/** The value as the entity holds it: a user-defined type's `convertToJSValue` (built-in types are decoded elsewhere). */
export function toJsValue(field: FieldInfo, value: unknown, platform: Platform): unknown {
  const type = field.property.customType;
  if (value === null || value === undefined || type === undefined) return value;
  if (field.kind !== 'scalar' || BUILT_IN.has(type.constructor)) return value;
  if (type.convertToJSValue === Type.prototype.convertToJSValue) return value;
  return type.convertToJSValue(value, platform);
}
