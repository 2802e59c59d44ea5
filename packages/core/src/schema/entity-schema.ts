import { EntitySchema, type EntitySchemaProperty } from '@mikro-orm/core';
import { ConfigurationError, MikroAuthError } from '../errors/classes.js';
import { foreignKeyUpdateRule } from '../orm/versions.js';
import { ExactStringType } from './exact-string.js';
import type { FieldSpec, IdStrategy, TableSpec } from './spec.js';

/** Column options shared by the EntitySchema builder and the source renderer. */
export interface ColumnOptions {
  kind: 'scalar' | 'm:1';
  /** MikroORM type name ('string', 'text', 'integer', 'bigint', 'boolean', 'datetime', 'json', 'uuid'). */
  type: string;
  fieldName: string;
  nullable: boolean;
  length?: number;
  primary?: boolean;
  autoincrement?: boolean;
  unique?: boolean;
  index?: boolean;
  /** For m:1: the entity name of the referenced table. */
  target?: string;
  deleteRule?: string;
  /** For m:1 on MikroORM 6: `no action`, as MikroORM 7 has it (see `foreignKeyUpdateRule`). */
  updateRule?: string;
  /** Database default of a scalar column. */
  default?: string | number | boolean | null;
  /** A string column compared exactly (`ExactStringType`: binary collation on MySQL/MariaDB). */
  exact?: boolean;
}

const STRING_KEY_LENGTH = 255;

function idType(strategy: IdStrategy): Pick<ColumnOptions, 'type' | 'length' | 'autoincrement'> {
  switch (strategy) {
    case 'serial':
      return { type: 'integer', autoincrement: true };
    case 'uuid':
      return { type: 'uuid' };
    case 'string':
      return { type: 'string', length: STRING_KEY_LENGTH };
  }
}

function scalarType(spec: FieldSpec): Pick<ColumnOptions, 'type' | 'length'> {
  switch (spec.type) {
    case 'string':
      return { type: 'string', length: spec.length ?? STRING_KEY_LENGTH };
    case 'text':
      return { type: 'text' };
    case 'number':
      return { type: 'integer' };
    case 'bigint':
      return { type: 'bigint' };
    case 'boolean':
      return { type: 'boolean' };
    case 'date':
      // Millisecond precision everywhere (MySQL/MariaDB default to whole seconds).
      return { type: 'datetime', length: 3 };
    case 'json':
    case 'string[]':
    case 'number[]':
      // Arrays are stored as JSON: MikroORM's ArrayType joins with commas, which corrupts values holding one.
      return { type: 'json' };
  }
}

/** The columns of a table spec, in declaration order, id first. */
export function tableColumns(
  table: TableSpec,
  tables: readonly TableSpec[],
): Map<string, ColumnOptions> {
  const columns = new Map<string, ColumnOptions>();
  const composite = table.primaryKey ?? [];
  if (composite.length > 0 && table.id) {
    throw new ConfigurationError(
      `tables.${table.table}.primaryKey`,
      `table "${table.table}" declares both an id and a composite primaryKey; keep one.`,
    );
  }
  if (composite.length === 0) {
    const idField = table.id?.field ?? 'id';
    columns.set(idField, {
      kind: 'scalar',
      ...idType(table.id?.strategy ?? 'string'),
      fieldName: table.id?.column ?? idField,
      nullable: false,
      primary: true,
    });
  }
  for (const [name, spec] of Object.entries(table.fields)) {
    if (columns.has(name)) {
      throw new ConfigurationError(
        `tables.${table.table}.fields.${name}`,
        `table "${table.table}" declares field "${name}" twice (once as the id or another field); give each field one name.`,
      );
    }
    const base = {
      fieldName: spec.column ?? name,
      nullable: spec.required === false,
      ...(spec.unique ? { unique: true } : {}),
      ...(spec.index && !spec.unique ? { index: true } : {}),
    };
    if (spec.references) {
      const targetName = spec.references.table;
      const target = tables.find(
        (candidate) => candidate.table === targetName || candidate.entity === targetName,
      );
      if (!target) {
        throw new MikroAuthError(
          'UNKNOWN_MODEL',
          `Field "${name}" of table "${table.table}" references table "${targetName}", which is not in the same description. ` +
            `Known tables: ${tables.map((candidate) => candidate.table).join(', ')}.`,
        );
      }
      if (target.primaryKey?.length) {
        throw new ConfigurationError(
          `tables.${table.table}.fields.${name}`,
          `field "${name}" references table "${target.table}", whose primary key is composite; ` +
            'only tables with a single-column id can be referenced.',
        );
      }
      const strategy = target.id?.strategy ?? 'string';
      const { autoincrement: _, ...keyType } = idType(strategy);
      columns.set(name, {
        kind: 'm:1',
        ...keyType,
        ...base,
        target: target.entity,
        deleteRule: spec.references.onDelete ?? 'cascade',
        ...foreignKeyUpdateRule(),
      });
    } else {
      columns.set(name, {
        kind: 'scalar',
        ...scalarType(spec),
        ...base,
        ...(spec.default !== undefined ? { default: spec.default } : {}),
        ...(spec.exact && spec.type === 'string' ? { exact: true } : {}),
      });
    }
  }
  for (const name of composite) {
    const column = columns.get(name);
    if (column?.kind !== 'scalar' || column.nullable) {
      throw new ConfigurationError(
        `tables.${table.table}.primaryKey`,
        `primary key field "${name}" of table "${table.table}" must be one of its required scalar fields.`,
      );
    }
    column.primary = true;
  }
  return columns;
}

/**
 * Builds one MikroORM `EntitySchema` per table, with explicit table and column names (so the
 * app's naming strategy does not rename them) and foreign keys as many-to-one ids.
 */
export function buildEntitySchemas(tables: readonly TableSpec[]): EntitySchema[] {
  const schemas = new Map<string, EntitySchema>();
  for (const table of tables) {
    const properties: Record<string, EntitySchemaProperty<unknown, unknown>> = {};
    for (const [name, column] of tableColumns(table, tables)) {
      const common = {
        fieldName: column.fieldName,
        nullable: column.nullable,
        ...(column.unique ? { unique: true } : {}),
        ...(column.index ? { index: true } : {}),
        ...(column.length ? { length: column.length } : {}),
      };
      if (column.kind === 'm:1') {
        const targetEntity = column.target!;
        properties[name] = {
          kind: 'm:1',
          entity: () => schemas.get(targetEntity)!,
          mapToPk: true,
          deleteRule: column.deleteRule,
          ...(column.updateRule ? { updateRule: column.updateRule } : {}),
          ...common,
        } as EntitySchemaProperty<unknown, unknown>;
      } else {
        properties[name] = {
          type: column.exact ? new ExactStringType() : column.type,
          ...(column.primary ? { primary: true } : {}),
          ...(column.autoincrement ? { autoincrement: true } : {}),
          ...(column.default !== undefined ? { default: column.default } : {}),
          ...common,
        } as EntitySchemaProperty<unknown, unknown>;
      }
    }
    const indexes = (table.indexes ?? []).filter((index) => !index.unique);
    const uniques = (table.indexes ?? []).filter((index) => index.unique);
    schemas.set(
      table.entity,
      new EntitySchema({
        name: table.entity,
        tableName: table.table,
        properties,
        indexes: indexes.map((index) => ({
          properties: [...index.fields],
          ...(index.name ? { name: index.name } : {}),
        })),
        uniques: uniques.map((index) => ({
          properties: [...index.fields],
          ...(index.name ? { name: index.name } : {}),
        })),
      } as ConstructorParameters<typeof EntitySchema>[0]),
    );
  }
  return [...schemas.values()];
}
