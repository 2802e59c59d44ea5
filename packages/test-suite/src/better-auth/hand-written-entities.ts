/**
 * Entities the way an application would write them by hand, to prove the "bring your own
 * entities" route: their own class and table names (`AppUser` in `auth_users`), MikroORM's
 * default snake_case naming strategy for columns, relations as real many-to-one properties
 * (`session.user`, column `user_id`) instead of `userId` id columns. Built from the same
 * `getAuthTables(options)` the official suites migrate to, but without mikro-auth's builder.
 */
import { EntitySchema, type EntitySchemaProperty } from '@mikro-orm/core';
import type { BetterAuthOptions } from 'better-auth';
import { type DBFieldAttribute, getAuthTables } from 'better-auth/db';

const pascal = (key: string) =>
  key.replace(/(^|[_-])([a-z0-9])/g, (_, __, char: string) => char.toUpperCase());
const snake = (key: string) => key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();

type Property = EntitySchemaProperty<unknown, unknown>;

export function handWrittenEntities(options: BetterAuthOptions): {
  entities: EntitySchema[];
  mapping: Record<string, EntitySchema>;
} {
  const tables = getAuthTables(options);
  const generateId = options.advanced?.database?.generateId;
  const schemas = new Map<string, EntitySchema>();

  const idProperty: Property =
    generateId === 'serial'
      ? { type: 'integer', primary: true, autoincrement: true }
      : generateId === 'uuid'
        ? { type: 'uuid', primary: true }
        : { type: 'string', primary: true, length: 64 };

  function scalar(attribute: DBFieldAttribute): Property {
    const nullable = attribute.required === false;
    const keyed = attribute.unique || attribute.index || attribute.sortable;
    const common = {
      nullable,
      ...(attribute.unique ? { unique: true } : {}),
      ...(attribute.index ? { index: true } : {}),
    };
    switch (attribute.type) {
      case 'number':
        return { type: attribute.bigint ? 'bigint' : 'integer', ...common };
      case 'boolean':
        return { type: 'boolean', ...common };
      case 'date':
        return { type: 'datetime', length: 3, ...common };
      case 'json':
      case 'string[]':
      case 'number[]':
        return { type: 'json', ...common };
      default:
        return { type: keyed || attribute.references ? 'string' : 'text', ...common };
    }
  }

  for (const [key, table] of Object.entries(tables)) {
    const properties: Record<string, Property> = { id: idProperty };
    for (const [field, attribute] of Object.entries(table.fields)) {
      const reference = attribute.references;
      const target =
        reference &&
        Object.keys(tables).find(
          (name) => name === reference.model || tables[name]!.modelName === reference.model,
        );
      if (reference && target && reference.field === 'id') {
        // `userId` becomes a `user` relation stored in `user_id`, as people write it.
        const name = field.endsWith('Id') ? field.slice(0, -2) : field;
        properties[name] = {
          kind: 'm:1',
          entity: () => schemas.get(target)!,
          nullable: attribute.required === false,
          deleteRule: reference.onDelete ?? 'cascade',
          ...(attribute.unique ? { unique: true } : {}),
        } as Property;
      } else {
        properties[field] = scalar(attribute);
      }
    }
    schemas.set(
      key,
      new EntitySchema({
        name: `App${pascal(key)}`,
        tableName: `auth_${snake(key)}s`,
        properties,
      } as ConstructorParameters<typeof EntitySchema>[0]),
    );
  }
  return { entities: [...schemas.values()], mapping: Object.fromEntries(schemas) };
}
