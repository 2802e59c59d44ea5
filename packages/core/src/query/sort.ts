import { type Dictionary, type EntityManager, raw } from '@mikro-orm/core';
import { InvalidQueryError } from '../errors/classes.js';
import type { FieldInfo, ModelInfo } from '../model/registry.js';
import { dialectOfEm } from '../orm/dialect.js';
import type { SortKey } from './types.js';

/** One resolved sort key. */
export interface ResolvedSortKey {
  readonly field: FieldInfo;
  readonly direction: 'asc' | 'desc';
}

/** Sort keys resolved to fields, with the primary key appended as the final tie-breaker. */
export function resolveSort(
  info: ModelInfo,
  sort: SortKey | readonly SortKey[] | undefined,
): ResolvedSortKey[] {
  const keys: readonly SortKey[] =
    sort === undefined ? [] : Array.isArray(sort) ? sort : [sort as SortKey];
  const resolved = keys.map((key) => {
    if (key.direction !== 'asc' && key.direction !== 'desc') {
      throw new InvalidQueryError(
        `sort direction must be "asc" or "desc", got ${String(key.direction)}.`,
        { model: info.name, field: key.field },
      );
    }
    return { field: info.field(key.field), direction: key.direction };
  });
  // The primary key breaks ties, so pages never overlap or skip rows.
  for (const field of info.primaryKeys) {
    if (!resolved.some((key) => key.field === field)) resolved.push({ field, direction: 'asc' });
  }
  return resolved;
}

/**
 * ORDER BY for the sort keys. Nulls sort lowest everywhere (MySQL and SQLite do so natively;
 * PostgreSQL is told to); strings sort by code point everywhere (MySQL/MariaDB compare the binary
 * form, their collations would tie 'a', 'A' and 'a ').
 */
export function orderBy(
  em: EntityManager,
  sortKeys: readonly ResolvedSortKey[],
  alias?: string,
): Dictionary[] {
  const dialect = dialectOfEm(em);
  return sortKeys.map(({ field, direction }) => {
    if (dialect.collatedStrings && field.type === 'string') {
      const column = alias ? `${alias}.${field.column}` : field.column;
      return { [raw('binary ??', [column])]: direction };
    }
    return { [field.name]: dialect.orderDirection(direction) };
  });
}
