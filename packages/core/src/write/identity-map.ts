import { type Dictionary, type EntityManager, Reference } from '@mikro-orm/core';
import type { ModelInfo } from '../model.js';
import { matchesWhere } from '../query/evaluate.js';
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

function merge(em: EntityManager, info: ModelInfo, entity: object, values: Dictionary): void {
  const pk = info.primaryKey.name;
  em.merge(
    info.meta.class,
    { ...values, [pk]: (entity as Dictionary)[pk] },
    { refresh: true, cascade: false },
  );
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
): void {
  for (const entity of managed(em, info)) {
    if (matchesWhere(rowOf(info, entity), clauses)) merge(em, info, entity, values);
  }
}

/** Detaches the managed entities matching `clauses` (property names, coerced values). */
export function forgetMatching(
  em: EntityManager,
  info: ModelInfo,
  clauses: readonly NormalizedClause[],
): void {
  for (const entity of managed(em, info)) {
    if (matchesWhere(rowOf(info, entity), clauses)) em.getUnitOfWork().unsetIdentity(entity);
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
