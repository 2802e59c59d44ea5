/** Primary keys of one column or several (composite), as every operation needs them. */
import type { Dictionary } from '@mikro-orm/core';
import { UnsupportedError } from '../errors/classes.js';
import type { Row } from '../query/types.js';
import type { FieldInfo, ModelInfo } from './registry.js';

/** Whether the model's primary key spans several columns. */
export function isComposite(info: ModelInfo): boolean {
  return info.primaryKeys.length > 1;
}

/** The filter selecting the one row with the key of `row` (a row keyed by property names). */
export function keyFilter(info: ModelInfo, row: Row): Dictionary {
  const filter: Dictionary = {};
  for (const field of info.primaryKeys) filter[field.name] = row[field.name];
  return filter;
}

/** The key of `row` as MikroORM's identity map takes it: the value, or the values in key order. */
export function identityOf(info: ModelInfo, row: Row): unknown {
  return isComposite(info)
    ? info.primaryKeys.map((field) => row[field.name])
    : row[info.primaryKey.name];
}

/** The single primary key field; a composite key gets an UnsupportedError naming `operation`. */
export function singleKey(info: ModelInfo, operation: string): FieldInfo {
  if (isComposite(info)) {
    throw new UnsupportedError(
      `${operation} on model "${info.name}" needs a single-column primary key; ` +
        `${info.meta.className} has a composite one (${info.primaryKeys.map((field) => field.name).join(', ')}). ` +
        'Supported on such models: create, findOne, findMany, count, consumeOne, deleteMany, updateMany.',
    );
  }
  return info.primaryKey;
}
