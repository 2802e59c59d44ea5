import { type Dictionary, type EntityManager, Reference } from '@mikro-orm/core';
import type { FieldInfo, ModelInfo } from '../model.js';
import { type CaseFolding, matchesWhere } from '../query/evaluate.js';
import type { NormalizedClause, Row } from '../query/types.js';

/**
 * Keeps the identity map of the EntityManager an operation ran on true after a native write:
 * managed entities the write touched get the new values with their snapshot refreshed (so a later
 * flush does not write stale values back), and deleted ones are detached. Entities the user changed
 * in other fields keep those pending changes.
 */

function managed(em: EntityManager, info: ModelInfo): object[] {
  return [...em.getUnitOfWork().getIdentityMap().getStore(info.meta).values()] as object[];
}

/** The entity as a row keyed by property name, references as their ids. */
function rowOf(info: ModelInfo, entity: object): Row {
  const row: Row = {};
  for (const field of info.fields) {
    let value = (entity as Dictionary)[field.name];
    if (field.kind === 'reference' && value !== null && typeof value === 'object') {
      const target = Reference.unwrapReference(value as object) as Dictionary;
      value = target[field.property.targetMeta?.primaryKeys[0] ?? 'id'];
    }
    row[field.name] = value;
  }
  return row;
}

/**
 * Writes the database's new values into a managed entity and refreshes only those keys of its
 * snapshot, so the unit of work sees them as persisted while other pending changes stay pending.
 */
function merge(em: EntityManager, info: ModelInfo, entity: object, values: Dictionary): void {
  const target = entity as Dictionary;
  const keys: string[] = [];
  for (const [name, value] of Object.entries(values)) {
    const field = info.findField(name);
    if (!field || field.primary) continue;
    target[field.name] = toEntityValue(em, field, value);
    keys.push(field.name);
  }
  const original = em.getUnitOfWork().getOriginalEntityData(entity) as Dictionary | undefined;
  if (!original || keys.length === 0) return;
  const prepared = em.getComparator().prepareEntity(entity) as Dictionary;
  for (const key of keys) original[key] = prepared[key];
}

/** A row value as the entity property holds it: references become (wrapped) entity references. */
function toEntityValue(em: EntityManager, field: FieldInfo, value: unknown): unknown {
  const prop = field.property;
  if (field.kind !== 'reference' || prop.mapToPk || value === null || value === undefined)
    return value;
  if (typeof value === 'object') return value;
  return em.getReference(prop.targetMeta!.class, value as string, { wrapped: Boolean(prop.ref) });
}

/** Brings managed entities in line with rows the database returned after an update. */
export function syncRows(em: EntityManager, info: ModelInfo, rows: readonly Row[]): void {
  const pk = info.primaryKey.name;
  for (const row of rows) {
    const entity = em.getUnitOfWork().getById(info.meta.class, row[pk] as string);
    if (entity) merge(em, info, entity, row);
  }
}

/** Applies `values` to the managed entities matching `clauses` (property names, coerced values). */
export function syncMatching(
  em: EntityManager,
  info: ModelInfo,
  clauses: readonly NormalizedClause[],
  values: Dictionary,
  caseFolding: CaseFolding,
): void {
  for (const entity of managed(em, info)) {
    if (matchesWhere(rowOf(info, entity), clauses, { caseFolding }))
      merge(em, info, entity, values);
  }
}

/** Detaches the managed entities matching `clauses` (property names, coerced values). */
export function forgetMatching(
  em: EntityManager,
  info: ModelInfo,
  clauses: readonly NormalizedClause[],
  caseFolding: CaseFolding,
): void {
  for (const entity of managed(em, info)) {
    if (matchesWhere(rowOf(info, entity), clauses, { caseFolding })) {
      em.getUnitOfWork().unsetIdentity(entity);
    }
  }
}

/** Detaches the managed entities of rows the database reported deleted. */
export function forgetRows(em: EntityManager, info: ModelInfo, rows: readonly Row[]): void {
  const pk = info.primaryKey.name;
  for (const row of rows) {
    const entity = em.getUnitOfWork().getById(info.meta.class, row[pk] as string);
    if (entity) em.getUnitOfWork().unsetIdentity(entity);
  }
}
