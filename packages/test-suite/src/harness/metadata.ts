/**
 * An entity's metadata by class name. `MetadataStorage.getAll()` is a dictionary keyed by class
 * name on MikroORM 6 and a `Map` on MikroORM 7, so the same test files run on both
 * (packages/test-suite-orm6).
 */
import type { EntityMetadata, MikroORM } from '@mikro-orm/core';

/** Every entity's metadata, from either shape of `getAll()`. */
export function allEntityMetadata(orm: MikroORM): EntityMetadata[] {
  const all = orm.getMetadata().getAll() as unknown as
    | ReadonlyMap<unknown, EntityMetadata>
    | Readonly<Record<string, EntityMetadata>>;
  return all instanceof Map ? [...all.values()] : Object.values(all);
}

/** The metadata of the entity named `className`; throws when the ORM has none. */
export function entityMetadata(orm: MikroORM, className: string): EntityMetadata {
  const meta = allEntityMetadata(orm).find((entity) => entity.className === className);
  if (!meta) throw new Error(`The ORM has no entity named ${className}`);
  return meta;
}
