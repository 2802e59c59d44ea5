import type { Dictionary, EntityManager, EntityMetadata } from '@mikro-orm/core';

/**
 * The unit-of-work operations core's identity-map sync needs (sync/identity-map.ts), the only place
 * core reaches into an EntityManager's managed entities and their snapshots.
 */

/** The entities of one entity type the EntityManager manages. */
export function managedEntities(em: EntityManager, meta: EntityMetadata): object[] {
  return [...em.getUnitOfWork().getIdentityMap().getStore(meta).values()] as object[];
}

/** Whether the EntityManager manages any entity of the type. */
export function hasManagedEntities(em: EntityManager, meta: EntityMetadata): boolean {
  return em.getUnitOfWork().getIdentityMap().getStore(meta).size > 0;
}

/** The managed entity with this primary key (a value, or the values of a composite key). */
export function managedById(
  em: EntityManager,
  meta: EntityMetadata,
  id: unknown,
): object | undefined {
  return em.getUnitOfWork().getById(meta.class, id as string) as object | undefined;
}

/** Detaches an entity: the EntityManager forgets it, and a flush neither writes nor deletes it. */
export function detach(em: EntityManager, entity: object): void {
  em.getUnitOfWork().unsetIdentity(entity);
}

/** The entity as the database last had it (MikroORM's snapshot), keyed by property name. */
export function snapshotOf(em: EntityManager, entity: object): Dictionary | undefined {
  return em.getUnitOfWork().getOriginalEntityData(entity) as Dictionary | undefined;
}

/**
 * Marks `keys` of a managed entity as persisted with their current values: only those keys of its
 * snapshot are refreshed, so the next flush writes them no more and keeps the app's other edits.
 * (MikroORM has no public API for part of a snapshot; this writes into the live snapshot.)
 */
export function markPersisted(em: EntityManager, entity: object, keys: readonly string[]): void {
  const original = snapshotOf(em, entity);
  if (!original || keys.length === 0) return;
  const prepared = em.getComparator().prepareEntity(entity) as Dictionary;
  for (const key of keys) original[key] = prepared[key];
}
