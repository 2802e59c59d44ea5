/**
 * Runs Better Auth's official adapter suites (`@better-auth/test-utils/adapter`) against
 * `@mikro-auth/better-auth` on this test file's own database. Every migration the suites ask for
 * rebuilds the database from `betterAuthEntities(options)`, so custom model and field names,
 * additional fields, plugin tables and serial/uuid ids all come from the adapter's own builder.
 */

import { testAdapter } from '@better-auth/test-utils/adapter';
import { betterAuthEntities, mikroOrmAdapter } from '@mikro-auth/better-auth';
import type { EntitySchema, MikroORM } from '@mikro-orm/core';
import type { BetterAuthOptions } from 'better-auth';
import { legReads, type TestDatabase } from '../harness/index.js';

type Suite = Parameters<typeof testAdapter>[0]['tests'][number];

/** Entities for the options a suite migrates to, and the adapter's `entities` option for them. */
export type EntitySource = (options: BetterAuthOptions) => {
  entities: EntitySchema[];
  mapping?: Record<string, EntitySchema>;
};

const generated: EntitySource = (options) => ({ entities: betterAuthEntities(options) });

export async function runOfficialSuites(
  db: TestDatabase,
  tests: Suite[],
  source: EntitySource = generated,
): Promise<void> {
  let orm: MikroORM | undefined;
  let mapping: Record<string, EntitySchema> | undefined;
  let adapter: ReturnType<typeof mikroOrmAdapter> | undefined;
  const { execute } = await testAdapter({
    // One adapter per migrated schema: the suites call this before every operation.
    adapter: () => {
      adapter ??= mikroOrmAdapter(
        () => {
          if (!orm) throw new Error('runMigrations has not run yet');
          return orm.em;
        },
        { ...(mapping ? { entities: mapping } : {}), ...legReads() },
      );
      return adapter;
    },
    runMigrations: async (options) => {
      await db.reset();
      const built = source(options);
      orm = await db.init({ entities: built.entities });
      mapping = built.mapping;
      adapter = undefined;
    },
    tests,
  });
  execute();
}
