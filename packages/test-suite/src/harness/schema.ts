/**
 * Schema generator calls whose names differ between MikroORM 6 (`createSchema`, `dropSchema`) and
 * 7 (`create`, `drop`), so the same test files run on both (packages/test-suite-orm6).
 */
import type { MikroORM } from '@mikro-orm/core';

type Generator = Record<string, ((...args: unknown[]) => Promise<unknown>) | undefined>;

function call(orm: MikroORM, v7: string, v6: string, ...args: unknown[]): Promise<unknown> {
  const generator = orm.schema as unknown as Generator;
  const method = generator[v7] ?? generator[v6];
  if (!method) throw new Error(`The schema generator has neither ${v7}() nor ${v6}()`);
  return method.apply(generator, args);
}

/** Creates the tables of the ORM's entities. */
export async function createTables(orm: MikroORM): Promise<void> {
  await call(orm, 'create', 'createSchema');
}

/** Drops the tables of the ORM's entities. */
export async function dropTables(orm: MikroORM): Promise<void> {
  await call(orm, 'drop', 'dropSchema');
}
