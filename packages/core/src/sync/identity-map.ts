import { type Dictionary, type EntityManager, Reference } from '@mikro-orm/core';
import { identityOf } from '../model/keys.js';
import type { FieldInfo, ModelInfo } from '../model/registry.js';
import {
  detach,
  hasManagedEntities,
  managedById,
  managedEntities,
  markPersisted,
  snapshotOf,
} from '../orm/unit-of-work.js';
import { convertsValues, toDatabaseValue } from '../query/convert.js';
import { type CaseFolding, matchesWhere } from '../query/evaluate.js';
import type { NormalizedClause, Row } from '../query/types.js';

/**
 * Keeps the identity map of the EntityManager an operation ran on true after a native write, and
 * changes nothing else of the app's unit of work: managed entities the write touched get the values
 * the statement wrote, with only those keys of their snapshot refreshed (so a later flush neither
 * reverts them nor loses the app's own pending edits of other fields), and deleted ones are
 * detached. Which entities a write touched is decided by what the database reports (returned ids)
 * or, where it reports nothing, by the entity's last loaded state, never by unsaved edits.
 */

/** Whether the EntityManager holds any entity of the model (so a write needs to sync at all). */
export function hasManaged(em: EntityManager, info: ModelInfo): boolean {
  return hasManagedEntities(em, info.meta);
}

/** A reference as its id. */
function idOf(field: FieldInfo, value: unknown): unknown {
  if (field.kind !== 'reference' || value === null || typeof value !== 'object') return value;
  const target = Reference.unwrapReference(value as object) as Dictionary;
  return target[field.property.targetMeta?.primaryKeys[0] ?? 'id'];
}

/**
 * The clauses with their values in the form the database compares (and MikroORM's snapshot holds):
 * converted by the field's type where it converts (custom types, bigint), as the SQL path does.
 */
function inDatabaseForm(
  em: EntityManager,
  info: ModelInfo,
  clauses: readonly NormalizedClause[],
): readonly NormalizedClause[] {
  const platform = em.getPlatform();
  return clauses.map((clause) => {
    const field = info.findField(clause.field);
    if (!field || !convertsValues(field)) return clause;
    const convert = (value: unknown) => toDatabaseValue(field, value, platform, 'query');
    const value = Array.isArray(clause.value) ? clause.value.map(convert) : convert(clause.value);
    return { ...clause, value: value as NormalizedClause['value'] };
  });
}

/** The entity as the database last had it (its snapshot), keyed by property name. */
function loadedRow(em: EntityManager, info: ModelInfo, entity: object): Row | undefined {
  const original = snapshotOf(em, entity);
  if (!original) return undefined;
  const row: Row = {};
  for (const field of info.fields) row[field.name] = idOf(field, original[field.name]);
  return row;
}

/**
 * Writes `keys` of the database's new values into a managed entity and refreshes only those keys
 * of its snapshot, so the unit of work sees them as persisted while other pending changes stay.
 */
function merge(
  em: EntityManager,
  info: ModelInfo,
  entity: object,
  values: Dictionary,
  keys: readonly string[],
): void {
  const target = entity as Dictionary;
  const written: string[] = [];
  for (const key of keys) {
    const field = info.findField(key);
    if (!field || field.primary || !(field.name in values)) continue;
    target[field.name] = toEntityValue(em, field, values[field.name]);
    written.push(field.name);
  }
  markPersisted(em, entity, written);
}

/** A row value as the entity property holds it: references become (wrapped) entity references. */
function toEntityValue(em: EntityManager, field: FieldInfo, value: unknown): unknown {
  const prop = field.property;
  if (field.kind !== 'reference' || prop.mapToPk || value === null || value === undefined)
    return value;
  if (typeof value === 'object') return value;
  return em.getReference(prop.targetMeta!.class, value as string, { wrapped: Boolean(prop.ref) });
}

/** Brings managed entities in line with rows the database wrote: only the `written` fields. */
export function syncRows(
  em: EntityManager,
  info: ModelInfo,
  rows: readonly Row[],
  written: readonly string[],
): void {
  for (const row of rows) {
    const entity = managedById(em, info.meta, identityOf(info, row));
    if (entity) merge(em, info, entity, row, written);
  }
}

/**
 * Applies `values` to the managed entities whose last loaded state matches `clauses`: for
 * databases that cannot return the ids an update touched.
 */
export function syncBySnapshot(
  em: EntityManager,
  info: ModelInfo,
  clauses: readonly NormalizedClause[],
  values: Dictionary,
  caseFolding: CaseFolding,
): void {
  const keys = Object.keys(values);
  const compared = inDatabaseForm(em, info, clauses);
  for (const entity of managedEntities(em, info.meta)) {
    const loaded = loadedRow(em, info, entity);
    if (loaded && matchesWhere(loaded, compared, { caseFolding })) {
      merge(em, info, entity, values, keys);
    }
  }
}

/** Detaches the managed entities whose last loaded state matches `clauses`. */
export function forgetBySnapshot(
  em: EntityManager,
  info: ModelInfo,
  clauses: readonly NormalizedClause[],
  caseFolding: CaseFolding,
): void {
  const compared = inDatabaseForm(em, info, clauses);
  for (const entity of managedEntities(em, info.meta)) {
    const loaded = loadedRow(em, info, entity);
    if (loaded && matchesWhere(loaded, compared, { caseFolding })) {
      detach(em, entity);
    }
  }
}

/** Detaches the managed entities of rows the database reported deleted. */
export function forgetRows(em: EntityManager, info: ModelInfo, rows: readonly Row[]): void {
  for (const row of rows) {
    const entity = managedById(em, info.meta, identityOf(info, row));
    if (entity) detach(em, entity);
  }
}
