/**
 * For tests of `preparedStatements`: where cached statements run prepared (MikroORM 7 on SQLite
 * and PostgreSQL; elsewhere they take MikroORM's own path), and how many ran so while `fn` ran.
 */
import { preparedRuns } from '@mikro-auth/core/internal';
import { Utils } from '@mikro-orm/core';
import type { TestDatabase } from '../harness/index.js';

/** Whether statements run prepared on this leg. */
export function preparesOn(db: TestDatabase): boolean {
  return (
    Number(Utils.getORMVersion().split('.')[0]) >= 7 &&
    (db.dialect === 'sqlite' || db.dialect === 'postgres')
  );
}

/** The number of statements that ran prepared while `fn` ran. */
export async function preparedDuring(fn: () => Promise<unknown>): Promise<number> {
  const before = preparedRuns();
  await fn();
  return preparedRuns() - before;
}
