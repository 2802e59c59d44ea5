import {
  buildEntitySchemas,
  type FieldSpec,
  type IdStrategy,
  type IndexSpec,
  type TableSpec,
} from '@mikro-auth/core';
import { pascalCase } from '@mikro-auth/core/internal';
import type { EntitySchema } from '@mikro-orm/core';
import type { BetterAuthOptions } from 'better-auth';
import { type BetterAuthDBSchema, type DBFieldAttribute, getAuthTables } from 'better-auth/db';

/** How Better Auth tables become MikroORM entities. */
export interface EntityNamingOptions {
  /** Append `s` to table names, as the adapter's `usePlural` option does. Default false. */
  usePlural?: boolean;
  /** Entity (class) name for a Better Auth model key; default PascalCase of the key (`user` → `User`). */
  entityName?: (modelKey: string) => string;
}

type IdSetting = NonNullable<NonNullable<BetterAuthOptions['advanced']>['database']>['generateId'];

function idStrategy(generateId: IdSetting): IdStrategy {
  if (generateId === 'serial') return 'serial';
  if (generateId === 'uuid') return 'uuid';
  return 'string';
}

function fieldSpec(
  key: string,
  attribute: DBFieldAttribute,
  tables: BetterAuthDBSchema,
  indexed: boolean,
  entityName: (modelKey: string) => string,
): FieldSpec {
  const base: Pick<FieldSpec, 'required' | 'unique' | 'index' | 'column'> = {
    required: attribute.required !== false,
    ...(attribute.unique ? { unique: true } : {}),
    ...(attribute.index ? { index: true } : {}),
    ...(attribute.fieldName && attribute.fieldName !== key ? { column: attribute.fieldName } : {}),
  };
  const reference = attribute.references;
  if (reference) {
    const target = Object.entries(tables).find(
      ([tableKey, table]) => tableKey === reference.model || table.modelName === reference.model,
    );
    if (target && reference.field === 'id') {
      return {
        ...base,
        type: 'string',
        references: { table: entityName(target[0]), onDelete: reference.onDelete ?? 'cascade' },
      };
    }
    // A reference to a non-key column (e.g. user.email) is stored as a plain indexed column.
    return { ...base, type: 'string', ...(attribute.unique ? {} : { index: true }) };
  }
  switch (attribute.type) {
    case 'string':
      // Keyed or sortable text needs a bounded type (MySQL cannot index TEXT).
      return {
        ...base,
        type:
          attribute.unique || attribute.index || attribute.sortable || indexed ? 'string' : 'text',
      };
    case 'number':
      return { ...base, type: attribute.bigint ? 'bigint' : 'number' };
    case 'boolean':
    case 'date':
    case 'json':
    case 'string[]':
    case 'number[]':
      return { ...base, type: attribute.type };
    default:
      // An enum: a list of string literals.
      return { ...base, type: 'string' };
  }
}

/**
 * Describes Better Auth's tables (as `getAuthTables` returns them for a configuration) neutrally,
 * with Better Auth's own table and column names and its id strategy.
 */
export function tablesFromSchema(
  tables: BetterAuthDBSchema,
  generateId: IdSetting,
  naming: EntityNamingOptions = {},
): TableSpec[] {
  const entityName = naming.entityName ?? pascalCase;
  const strategy = idStrategy(generateId);
  return Object.entries(tables)
    .filter(([, table]) => !table.disableMigrations)
    .sort(
      ([a, x], [b, y]) =>
        (x.order ?? Number.MAX_SAFE_INTEGER) - (y.order ?? Number.MAX_SAFE_INTEGER) ||
        a.localeCompare(b),
    )
    .map(([key, table]) => {
      const indexes: IndexSpec[] = (table.indexes ?? []).map((index) => ({
        fields: [...index.fields],
        ...(index.unique ? { unique: true } : {}),
        ...(index.name ? { name: index.name } : {}),
      }));
      const indexed = new Set(indexes.flatMap((index) => index.fields));
      const fields: Record<string, FieldSpec> = {};
      for (const [field, attribute] of Object.entries(table.fields)) {
        if (field === 'id') continue;
        fields[field] = fieldSpec(field, attribute, tables, indexed.has(field), entityName);
      }
      const modelName = table.modelName || key;
      return {
        entity: entityName(key),
        table: naming.usePlural ? `${modelName}s` : modelName,
        id: { strategy },
        fields,
        ...(indexes.length > 0 ? { indexes } : {}),
      };
    });
}

/** Neutral table descriptions for a Better Auth configuration: core tables, renames, additional fields, plugins. */
export function betterAuthTables(
  options: BetterAuthOptions,
  naming: EntityNamingOptions = {},
): TableSpec[] {
  return tablesFromSchema(getAuthTables(options), options.advanced?.database?.generateId, naming);
}

/**
 * MikroORM entities for a Better Auth configuration, ready for `MikroORM.init({ entities })`.
 * Table and column names are Better Auth's, so your naming strategy does not rename them.
 */
export function betterAuthEntities(
  options: BetterAuthOptions,
  naming: EntityNamingOptions = {},
): EntitySchema[] {
  return buildEntitySchemas(betterAuthTables(options, naming));
}
