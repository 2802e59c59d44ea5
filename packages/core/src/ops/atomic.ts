import { type Dictionary, raw } from '@mikro-orm/core';
import { InvalidQueryError } from '../errors/classes.js';
import { singleKey } from '../model/keys.js';
import { dialectOfEm } from '../orm/dialect.js';
import { firstIds, lockFirstId, sqlEm } from '../orm/query-builder.js';
import { inTransaction } from '../orm/transactions.js';
import { coerceIncrement } from '../query/coerce.js';
import type { Row, Where } from '../query/types.js';
import { rowFromDriver } from '../rows/decode.js';
import { syncRows } from '../sync/identity-map.js';
import type { OperationContext } from './context.js';
import { filterFor, readById } from './read.js';
import { slottedValues, writeValues } from './values.js';

/**
 * incrementOne, a guarded increment: the guard holds at the moment of the write on every database.
 * (consumeOne is in ./consume.ts.)
 */

/** Arguments of `incrementOne`. */
export interface IncrementOneArgs {
  where: Where;
  /** Field → delta added atomically (negative to decrement). */
  increment: Readonly<Record<string, number>>;
  /** Field → absolute value written in the same statement. */
  set?: Readonly<Record<string, unknown>>;
}

/**
 * Adds deltas to numeric fields and writes `set` values in one guarded statement on the first row
 * matching `where`; returns the updated row, or null when the guard matched nothing.
 */
export async function incrementOne(
  ctx: OperationContext,
  args: IncrementOneArgs,
): Promise<Row | null> {
  const { info, em } = ctx;
  const model = info.name;
  const increments = Object.entries(args.increment ?? {});
  if (increments.length === 0 && Object.keys(args.set ?? {}).length === 0) {
    throw new InvalidQueryError('incrementOne needs at least one field to increment or set.', {
      model,
    });
  }
  const values: Dictionary = slottedValues(info, em, writeValues(info, em, args.set ?? {}));
  for (const [name, delta] of increments) {
    const field = info.field(name);
    if (field.type !== 'number' && field.type !== 'bigint') {
      throw new InvalidQueryError(
        `only numeric fields can be incremented; "${name}" holds ${field.type} values.`,
        { model, field: name },
      );
    }
    coerceIncrement(field, delta, { model, field: name });
    values[field.name] = raw('?? + ?', [field.column, delta]);
  }
  const filter = filterFor(info, args.where, em);
  const pk = singleKey(info, 'incrementOne').name;
  let row: Row | null;
  if (dialectOfEm(em).updateReturning) {
    // The guard is repeated outside the sub-select so PostgreSQL re-checks it against a row
    // another transaction changed while this one waited for its lock.
    const qb = sqlEm(em)
      .createQueryBuilder(info.meta.class)
      .update(values)
      .where({ $and: [filter, { [pk]: { $in: firstIds(info, em, filter) } }] });
    const result = (await qb.returning('*').execute('run')) as { rows?: Dictionary[] };
    row = result.rows?.[0] ? rowFromDriver(info, em, result.rows[0]) : null;
  } else {
    row = await inTransaction(em, async (tem) => {
      const id = await lockFirstId(info, tem, filter);
      if (id === undefined) return null;
      await sqlEm(tem)
        .createQueryBuilder(info.meta.class)
        .update(values)
        .where({ [pk]: id })
        .execute('run');
      return readById(info, tem, (values[pk] as unknown) ?? id);
    });
  }
  if (row) syncRows(em, info, [row], Object.keys(values));
  return row;
}
