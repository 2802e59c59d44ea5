import type { EntityMetadata, EntityProperty } from '@mikro-orm/core';
import { UnknownFieldError } from '../errors/classes.js';
import type { FieldInfo, FieldType, ModelInfo } from './registry.js';

/** Test fixture (not built or published): a ModelInfo without MikroORM metadata. */

/**
 * A model with `[property, column, type?]` fields (type `string` by default), the first the primary
 * key, found by property or column.
 */
export function model(
  name: string,
  fields: readonly (readonly [string, string, FieldType?])[],
): ModelInfo {
  const infos: FieldInfo[] = fields.map(([property, column, type = 'string'], index) => ({
    name: property,
    column,
    kind: 'scalar',
    type,
    integer: type === 'number' || type === 'bigint',
    nullable: index > 0,
    primary: index === 0,
    property: {} as EntityProperty,
  }));
  const find = (field: string) =>
    infos.find((info) => info.name === field) ?? infos.find((info) => info.column === field);
  return {
    name,
    meta: {} as EntityMetadata,
    tableName: name,
    fields: infos,
    primaryKey: infos[0]!,
    primaryKeys: [infos[0]!],
    findField: find,
    field(field) {
      const found = find(field);
      if (!found) throw new UnknownFieldError(name, field, []);
      return found;
    },
  };
}
