import type { Dictionary } from '@mikro-orm/core';
import { InvalidQueryError } from '../errors/classes.js';
import { isComposite, keyFilter, singleKey } from '../model/keys.js';
import type { ModelInfo } from '../model/registry.js';
import { insertDeleteReturning } from '../orm/capabilities.js';
import { dialectOfEm } from '../orm/dialect.js';
import { firstIds, lockFirstId, sqlEm, withSuffix } from '../orm/query-builder.js';
import { inTransaction } from '../orm/transactions.js';
import type { ResolvedClause, Row, Where } from '../query/types.js';
import { resolveWhere, translateWhere } from '../query/where.js';
import { rowFromDriver } from '../rows/decode.js';
import { runStatement } from '../statements/runner.js';
import {
  forgetBySnapshot,
  forgetRows,
  hasManaged,
  syncBySnapshot,
  syncRows,
} from '../sync/identity-map.js';
import type { OperationContext } from './context.js';
import { count, filterFor, findOne, readById, readByKey } from './read.js';
import { slottedValues, storedValues, writeValues, writtenRow } from './values.js';

/** Writes: create, updateOne, updateMany, deleteMany; each one statement where the database allows. */

/** The primary key values of a row the database returned (keyed by column), by property name. */
function keyOfStored(info: ModelInfo, stored: Dictionary): Dictionary {
  const key: Dictionary = {};
  for (const field of info.primaryKeys) key[field.name] = stored[field.column];
  return key;
}

/** The primary key value when `where` is a single equality on it. */
export function pinnedId(info: ModelInfo, clauses: readonly ResolvedClause[]): unknown {
  if (clauses.length !== 1) return undefined;
  const [clause] = clauses;
  if (clause?.operator !== 'eq' || clause.value === null) return undefined;
  if (clause.mode === 'insensitive' && typeof clause.value === 'string') return undefined;
  return !isComposite(info) && clause.resolved === info.primaryKey ? clause.value : undefined;
}

/**
 * Inserts a row and returns it as stored. One statement with `INSERT … RETURNING` (PostgreSQL,
 * SQLite, MariaDB 10.5+); on MySQL the row is built from the written values and generated id,
 * re-read only when a column has a database default core cannot know.
 */
export async function create(
  ctx: OperationContext,
  data: Readonly<Record<string, unknown>>,
): Promise<Row> {
  const { info, em } = ctx;
  const model = info.name;
  const values = writeValues(info, em, data);
  const returning = insertDeleteReturning(ctx.state, em);
  if (returning === true || (await returning)) {
    // MikroORM's QueryBuilder renders RETURNING only where the platform says it has it; on
    // MariaDB it is appended.
    const appended = returning !== true;
    const shape = { operation: 'insert', model: info, values } as const;
    const result = await runStatement(ctx.state, shape, em, appended ? 'all' : 'run', (slots) => {
      const inserted = slottedValues(info, em, values, slots);
      return () => {
        const qb = sqlEm(em).createQueryBuilder(info.meta.class).insert(inserted);
        return appended ? withSuffix(qb, ' returning *') : qb.returning('*');
      };
    });
    const stored = Array.isArray(result)
      ? result[0]
      : (result.rows as Dictionary[] | undefined)?.[0];
    if (!stored) {
      throw new InvalidQueryError('the database did not return the inserted row.', { model });
    }
    return rowFromDriver(info, em, stored);
  }
  const inserted = slottedValues(info, em, values);
  const result = (await sqlEm(em)
    .createQueryBuilder(info.meta.class)
    .insert(inserted)
    .execute('run')) as { insertId?: unknown };
  // A composite key is always given in full; a single one may be generated (auto-increment).
  const id = isComposite(info) ? undefined : (values[info.primaryKey.name] ?? result.insertId);
  const written = writtenRow(info, em, values, id);
  // A column with a database-side default is read back; the insert happened either way, so a
  // row deleted meanwhile still yields what was written.
  if (written.complete) return written.row;
  const key = isComposite(info) ? keyFilter(info, written.row) : { [info.primaryKey.name]: id };
  return (await readByKey(info, em, key)) ?? written.row;
}
/**
 * Updates the first row matching `where` and returns it, or null when none matched. One statement
 * on PostgreSQL/SQLite; on MySQL/MariaDB two when `where` pins the primary key, else three.
 */
export async function updateOne(
  ctx: OperationContext,
  where: Where,
  data: Readonly<Record<string, unknown>>,
): Promise<Row | null> {
  const { info, em } = ctx;
  const values = writeValues(info, em, data);
  if (Object.keys(values).length === 0) return findOne(ctx, where);
  const clauses = resolveWhere(info, where);
  const pk = singleKey(info, 'updateOne').name;
  const pinned = pinnedId(info, clauses);
  let row: Row | null;
  if (dialectOfEm(em).updateReturning) {
    const platform = em.getPlatform();
    const variant = pinned === undefined ? 'first' : 'pinned';
    const shape = { operation: 'updateOne', model: info, values, clauses, variant } as const;
    const result = await runStatement(ctx.state, shape, em, 'run', (slots) => {
      const filter = translateWhere(info, clauses, platform, undefined, slots);
      // The sub-select's values go through `slots` too, or a cached template would keep the
      // first call's values.
      const first =
        pinned === undefined
          ? translateWhere(info, clauses, platform, undefined, slots)
          : undefined;
      const updated = slottedValues(info, em, values, slots);
      return () =>
        sqlEm(em)
          .createQueryBuilder(info.meta.class)
          .update(updated)
          .where(first ? { $and: [filter, { [pk]: { $in: firstIds(info, em, first) } }] } : filter)
          .returning('*');
    });
    const updated = (result.rows as Dictionary[] | undefined)?.[0];
    row = updated ? rowFromDriver(info, em, updated) : null;
  } else {
    // No UPDATE … RETURNING: lock (by updating, or by a locking read when `where` does not pin
    // the primary key), update and read back in one transaction, so no concurrent writer can
    // change or delete the row between the statements.
    row = await inTransaction(em, async (tem) => {
      const filter = filterFor(info, clauses, tem);
      const id =
        pinned !== undefined && !(pk in values) ? pinned : await lockFirstId(info, tem, filter);
      if (id === undefined) return null;
      const result = (await sqlEm(tem)
        .createQueryBuilder(info.meta.class)
        .update(slottedValues(info, tem, values))
        .where({ $and: [{ [pk]: id }, filter] })
        .execute('run')) as { affectedRows?: number };
      if (!result.affectedRows) return null;
      return readById(info, tem, values[pk] ?? id);
    });
  }
  if (row) syncRows(em, info, [row], Object.keys(values));
  return row;
}
/**
 * Updates every row matching `where` in one statement; returns how many matched. Entities of the
 * model loaded in the EntityManager are brought in line by the ids the database returns (by
 * their last loaded state on MySQL/MariaDB, which have no `UPDATE … RETURNING`).
 */
export async function updateMany(
  ctx: OperationContext,
  where: Where | undefined,
  data: Readonly<Record<string, unknown>>,
): Promise<number> {
  const { info, em } = ctx;
  const values = writeValues(info, em, data);
  if (Object.keys(values).length === 0) return count(ctx, where);
  const clauses = resolveWhere(info, where);
  const platform = em.getPlatform();
  const dialect = dialectOfEm(em);
  const managed = hasManaged(em, info);
  const returnIds = managed && dialect.updateReturning;
  const variant = returnIds ? 'returning-ids' : undefined;
  const shape = { operation: 'updateMany', model: info, values, clauses, variant } as const;
  const result = await runStatement(ctx.state, shape, em, returnIds ? 'all' : 'run', (slots) => {
    const updated = slottedValues(info, em, values, slots, 'param');
    const filter = translateWhere(info, clauses, platform, undefined, slots);
    return () => {
      const qb = sqlEm(em).createQueryBuilder(info.meta.class).update(updated).where(filter);
      return returnIds ? qb.returning(info.primaryKeys.map((field) => field.name)) : qb;
    };
  });
  const written = storedValues(info, em, values);
  if (Array.isArray(result)) {
    const rows = result.map((stored) => ({ ...written, ...keyOfStored(info, stored) }));
    syncRows(em, info, rows, Object.keys(values));
    return result.length;
  }
  if (managed) syncBySnapshot(em, info, clauses, written, dialect.caseFolding);
  return Number(result.affectedRows ?? 0);
}
/**
 * Deletes every row matching `where` (every row for an empty where) in one statement; returns the
 * count. Loaded entities of the rows the database deleted are detached.
 */
export async function deleteMany(ctx: OperationContext, where?: Where): Promise<number> {
  const { info, em } = ctx;
  const clauses = resolveWhere(info, where);
  const platform = em.getPlatform();
  const managed = hasManaged(em, info);
  const returnIds = managed && (await insertDeleteReturning(ctx.state, em));
  const variant = returnIds ? 'returning-ids' : undefined;
  const shape = { operation: 'deleteMany', model: info, clauses, variant } as const;
  const keyColumns = info.primaryKeys.map((field) => platform.quoteIdentifier(field.column));
  const result = await runStatement(ctx.state, shape, em, returnIds ? 'all' : 'run', (slots) => {
    const filter = translateWhere(info, clauses, platform, undefined, slots);
    return () => {
      const qb = sqlEm(em).createQueryBuilder(info.meta.class).delete().where(filter);
      // The QueryBuilder renders no RETURNING on a delete; every dialect here reads this one.
      return returnIds ? withSuffix(qb, ` returning ${keyColumns.join(', ')}`) : qb;
    };
  });
  if (Array.isArray(result)) {
    forgetRows(
      em,
      info,
      result.map((stored) => keyOfStored(info, stored)),
    );
    return result.length;
  }
  if (managed) forgetBySnapshot(em, info, clauses, dialectOfEm(em).caseFolding);
  return Number(result.affectedRows ?? 0);
}
