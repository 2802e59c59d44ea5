import {
  BigIntType,
  type EntityMetadata,
  type EntityName,
  type EntityProperty,
  JsonType,
  type MetadataStorage,
  ReferenceKind,
} from '@mikro-orm/core';
import {
  MikroAuthError,
  UnknownFieldError,
  UnknownModelError,
  UnsupportedError,
} from '../errors/classes.js';
import { allMetadata } from '../orm/versions.js';

/** The value family of a field, as core reads and writes it. */
export type FieldType =
  | 'string'
  | 'number'
  | 'bigint'
  | 'boolean'
  | 'date'
  | 'json'
  | 'array'
  | 'other';

/** One readable/writable field of a model: a scalar column, or a many-to-one read and written as its id. */
export interface FieldInfo {
  /** Property name on the entity; rows use it as their key. */
  readonly name: string;
  /** Column name in the table. */
  readonly column: string;
  readonly kind: 'scalar' | 'reference';
  readonly type: FieldType;
  /**
   * Whether the column holds whole numbers only (integer, smallint, bigint, serial, numeric with
   * scale 0, …), so a fraction would be rounded or truncated by the database.
   */
  readonly integer: boolean;
  readonly nullable: boolean;
  readonly primary: boolean;
  /** MikroORM's own description of the property. */
  readonly property: EntityProperty;
}

/** A model resolved to its entity: fields by every name they answer to. */
export interface ModelInfo {
  /** The name the caller used. */
  readonly name: string;
  readonly meta: EntityMetadata;
  readonly tableName: string;
  readonly fields: readonly FieldInfo[];
  /** The primary key field; for a composite key, its first field (see `primaryKeys`). */
  readonly primaryKey: FieldInfo;
  /** Every primary key field, in key order: one, or several for a composite key. */
  readonly primaryKeys: readonly FieldInfo[];
  /** The field for a property name, column name or `<reference>Id`; throws UnknownFieldError. */
  field(name: string): FieldInfo;
  /** Like `field`, but undefined when nothing matches. */
  findField(name: string): FieldInfo | undefined;
}

function fieldType(prop: EntityProperty): FieldType {
  if (prop.kind !== ReferenceKind.SCALAR) {
    const pk = prop.targetMeta?.getPrimaryProp();
    return pk ? fieldType(pk) : 'other';
  }
  if (prop.customType instanceof JsonType || prop.type === 'json') return 'json';
  if (prop.array || prop.type === 'array' || prop.type === 'ArrayType') return 'array';
  switch (prop.runtimeType) {
    case 'string':
      return 'string';
    case 'number':
      return 'number';
    case 'bigint':
      return 'bigint';
    case 'boolean':
      return 'boolean';
    case 'Date':
      return 'date';
    case 'object':
      return 'json';
    default:
      return 'other';
  }
}

/** SQL column types that hold whole numbers only, on any of the supported databases. */
const INTEGER_COLUMN =
  /^(?:(?:(?:tiny|small|medium|big)?int(?:eger)?|int[248])(?:\(\s*\d+\s*\))?|(?:small|big)?serial|(?:numeric|decimal)\(\s*\d+\s*(?:,\s*0\s*)?\))(?![\w([])/i;

/** Whether the property's column holds whole numbers only, by its column type or MikroORM type. */
function isIntegerProperty(prop: EntityProperty): boolean {
  if (prop.kind !== ReferenceKind.SCALAR) {
    const pk = prop.targetMeta?.getPrimaryProp();
    return pk ? isIntegerProperty(pk) : false;
  }
  if (prop.customType instanceof BigIntType) return true;
  const declared = prop.columnTypes?.[0] ?? (typeof prop.type === 'string' ? prop.type : '');
  return INTEGER_COLUMN.test(declared.trim());
}

function isField(prop: EntityProperty): boolean {
  if (prop.persist === false || prop.formula || prop.embedded) return false;
  if (prop.kind === ReferenceKind.SCALAR) return true;
  return (
    prop.kind === ReferenceKind.MANY_TO_ONE ||
    (prop.kind === ReferenceKind.ONE_TO_ONE && prop.owner)
  );
}

function resolveModel(name: string, meta: EntityMetadata): ModelInfo {
  const primaries = meta.getPrimaryProps();
  if (primaries.length === 0 || primaries.some((prop) => prop.kind !== ReferenceKind.SCALAR)) {
    throw new UnsupportedError(
      `Model "${name}" (entity ${meta.className}) needs a primary key of its own scalar columns ` +
        '(one string, numeric or UUID column, or several for a composite key); ' +
        (primaries.length === 0 ? 'it has none.' : 'a key made of a relation is not supported.'),
    );
  }
  const fields: FieldInfo[] = meta.props.filter(isField).map((prop) => ({
    name: prop.name,
    column: prop.fieldNames[0] ?? prop.name,
    kind: prop.kind === ReferenceKind.SCALAR ? 'scalar' : 'reference',
    type: fieldType(prop),
    integer: isIntegerProperty(prop),
    nullable: Boolean(prop.nullable),
    primary: Boolean(prop.primary),
    property: prop,
  }));
  const byName = new Map<string, FieldInfo>();
  // Aliases in order of precedence: property names, then column names, then `<ref>Id` / `<ref>_id`.
  for (const field of fields) byName.set(field.name, field);
  for (const field of fields) if (!byName.has(field.column)) byName.set(field.column, field);
  for (const field of fields) {
    if (field.kind !== 'reference') continue;
    for (const alias of [`${field.name}Id`, `${field.name}_id`]) {
      if (!byName.has(alias)) byName.set(alias, field);
    }
  }
  const primaryKeys = primaries.map((prop) => fields.find((field) => field.name === prop.name)!);
  return {
    name,
    meta,
    tableName: meta.tableName,
    fields,
    primaryKey: primaryKeys[0]!,
    primaryKeys,
    findField: (fieldName) => byName.get(fieldName),
    field(fieldName) {
      const found = byName.get(fieldName);
      if (!found) {
        throw new UnknownFieldError(
          name,
          fieldName,
          fields.map((field) => field.name),
        );
      }
      return found;
    },
  };
}

/** What a model name may be mapped to in the options: an entity class/schema, or its name. */
export type ModelTarget = EntityName | string;

/** Resolves model names to entities from MikroORM metadata, once per name. */
export class ModelRegistry {
  readonly #metadata: MetadataStorage;
  readonly #mapping: ReadonlyMap<string, ModelTarget>;
  readonly #cache = new Map<string, ModelInfo>();

  constructor(metadata: MetadataStorage, mapping: Readonly<Record<string, ModelTarget>> = {}) {
    this.#metadata = metadata;
    this.#mapping = new Map(Object.entries(mapping));
  }

  /** The resolved model; throws UnknownModelError listing the entities that exist. */
  get(model: string): ModelInfo {
    let resolved = this.#cache.get(model);
    if (!resolved) {
      resolved = resolveModel(model, this.#find(model));
      this.#cache.set(model, resolved);
    }
    return resolved;
  }

  #all(): EntityMetadata[] {
    return allMetadata(this.#metadata).filter(
      (meta) => !meta.embeddable && !meta.virtual && !meta.abstract,
    );
  }

  #find(model: string): EntityMetadata {
    const all = this.#all();
    const target = this.#mapping.get(model);
    if (target !== undefined) {
      const meta =
        typeof target === 'string'
          ? all.find(
              (candidate) => candidate.className === target || candidate.tableName === target,
            )
          : this.#metadata.find(target);
      if (!meta) {
        throw new UnknownModelError(
          `${model} (mapped to ${typeof target === 'string' ? target : 'an entity not registered with this ORM'})`,
          all.map((candidate) => candidate.className),
        );
      }
      return meta;
    }
    const lower = model.toLowerCase();
    const matchers: Array<(meta: EntityMetadata) => boolean> = [
      (meta) => meta.className === model,
      (meta) => meta.tableName === model,
      (meta) => meta.className.toLowerCase() === lower,
      (meta) => meta.tableName.toLowerCase() === lower,
    ];
    for (const matches of matchers) {
      const found = all.filter(matches);
      if (found.length === 1) return found[0]!;
      if (found.length > 1) {
        throw new MikroAuthError(
          'UNKNOWN_MODEL',
          `Model "${model}" matches several entities (${found.map((meta) => meta.className).join(', ')}); ` +
            'map it to one explicitly in the adapter options.',
        );
      }
    }
    throw new UnknownModelError(
      model,
      all.map((meta) => meta.className),
    );
  }
}
