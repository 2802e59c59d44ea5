import { InvalidQueryError } from '../errors/classes.js';
import { sqlEm } from '../orm/query-builder.js';
import { runStatement } from '../statements/runner.js';
import { hasManaged, syncRows } from '../sync/identity-map.js';
import type { OperationContext } from './context.js';
import { slottedValues, storedValues, writeValues } from './values.js';

/** Options of `upsert`. */
export interface UpsertOptions {
  /**
   * The fields overwritten when a row with the same primary key exists (default: every field of
   * `data` but the key). An empty list keeps the existing row as it is (insert if absent).
   */
  update?: readonly string[];
}

/**
 * Inserts `data` as a new row or, when a row with its primary key exists, overwrites that row's
 * `update` fields with `data`'s values, in one statement that is atomic on every database:
 * PostgreSQL and SQLite `INSERT … ON CONFLICT (key) DO UPDATE`, MySQL and MariaDB `INSERT … ON
 * DUPLICATE KEY UPDATE` (there, a conflict on any other unique index of the table updates that
 * row too). Concurrent upserts of one key leave one row, holding the values of the statement the
 * database ran last. Loaded entities of the row get the written values.
 */
export async function upsert(
  ctx: OperationContext,
  data: Readonly<Record<string, unknown>>,
  options: UpsertOptions = {},
): Promise<void> {
  const { info, em } = ctx;
  const model = info.name;
  const values = writeValues(info, em, data);
  const keys = info.primaryKeys.map((field) => field.name);
  for (const field of info.primaryKeys) {
    if (values[field.name] === undefined || values[field.name] === null) {
      throw new InvalidQueryError(
        `upsert needs the primary key: data has no value for "${field.name}". Pass the key of ` +
          'the row to insert or update.',
        { model, field: field.name },
      );
    }
  }
  const update =
    options.update === undefined
      ? Object.keys(values).filter((name) => !keys.includes(name))
      : options.update.map((name) => info.field(name).name);
  for (const name of update) {
    if (keys.includes(name)) {
      throw new InvalidQueryError(
        `upsert cannot update the primary key "${name}"; it identifies the row.`,
        { model, field: name },
      );
    }
    if (!(name in values)) {
      throw new InvalidQueryError(
        `upsert updates "${name}" but data has no value for it. Add it to data, or leave it out ` +
          'of update.',
        { model, field: name },
      );
    }
  }
  const shape = {
    operation: 'upsert',
    model: info,
    values,
    variant: update.join(','),
  } as const;
  await runStatement(ctx.state, shape, em, 'run', (slots) => {
    const inserted = slottedValues(info, em, values, slots);
    return () => {
      const conflict = sqlEm(em)
        .createQueryBuilder(info.meta.class)
        .insert(inserted)
        .onConflict(keys);
      return update.length > 0 ? conflict.merge(update) : conflict.ignore();
    };
  });
  if (update.length > 0 && hasManaged(em, info)) {
    syncRows(em, info, [storedValues(info, em, values)], update);
  }
}
