/**
 * How the matrix is scheduled: how many test files run at once, and which test files a leg
 * leaves out by design. Read by both conformance packages' vitest configs (MikroORM 7 here,
 * MikroORM 6.6 in packages/test-suite-orm6) and by the matrix renderer.
 */
import { availableParallelism } from 'node:os';
import type { DatabaseName } from './databases.js';

/**
 * Test files run at once: `TEST_WORKERS`, else one per core. Every test file works in a database
 * of its own (test-database.ts), so files of every leg may run side by side.
 */
export function testWorkers(env: NodeJS.ProcessEnv = process.env): number {
  const asked = env.TEST_WORKERS?.trim();
  if (!asked) return Math.max(1, availableParallelism());
  const workers = Number(asked);
  if (!Number.isInteger(workers) || workers < 1) {
    throw new Error(`TEST_WORKERS must be a whole number of at least 1, got "${asked}"`);
  }
  return workers;
}

/** Test files a leg leaves out by design, and why; the matrix shows "–" for them, with the reason. */
export interface LegScope {
  exclude: readonly string[];
  why: string;
}

export const LEG_SCOPE: Partial<Record<DatabaseName, LegScope>> = {
  postgres18: {
    // The widest suites (449 tests each) rerun the official suites on other entity shapes: what
    // they add is metadata handling, which depends on the dialect and the MikroORM major, not on
    // the server version. postgres18 runs the official suites on the default shapes, and all else.
    exclude: [
      'src/better-auth/migration.test.ts',
      'src/better-auth/migration-define-entity.test.ts',
      'src/better-auth/own-entities.test.ts',
    ],
    why:
      'the entity-shape suites (migration, migration-define-entity, own-entities) run on the postgres leg: ' +
      'a second PostgreSQL version changes no entity metadata',
  },
};

/** What the MikroORM 6.6 run (packages/test-suite-orm6) leaves out on every leg, and why. */
export const ORM6_SCOPE: LegScope = {
  // The example apps are their own packages with their own MikroORM 7 dependencies.
  // better-auth/cli.test.ts runs `npx auth generate` in a child process, which loads the built
  // packages and so MikroORM 7, then compares its file with betterAuthEntities on 6.6: the two
  // majors' foreign-key update rules differ by design (see core's orm/versions.ts). A 6.6 user's
  // CLI runs on 6.6; that rendering is checked in-process on 6.6 by core/entities.test.ts and
  // authjs/entities.test.ts ("renders source … same schema").
  exclude: ['src/examples/**', 'src/better-auth/cli.test.ts'],
  why: 'the example apps and the auth CLI run in child processes on their own MikroORM 7 dependencies',
};

/**
 * The postgres-replicas leg (a primary and two streaming replicas, harness/replica-setup.ts): the
 * test files that route reads to replicas. The normal legs leave them out (they have no replicas).
 */
export const REPLICA_LEG = {
  name: 'postgres-replicas',
  /** Routing tests (replica leg only), then the official suites again with replica reads on. */
  include: [
    'src/core/replicas.test.ts',
    'src/authjs/adapter.test.ts',
    'src/authjs/upstream.test.ts',
    'src/authjs/nextauth-v4.test.ts',
    ...[
      'normal',
      'transactions',
      'joins',
      'case-insensitive',
      'number-id',
      'uuid',
      'auth-flow',
    ].map((suite) => `src/better-auth/${suite}.test.ts`),
  ],
  /** What only this leg runs (the normal legs leave it out: they have no replicas). */
  only: ['src/core/replicas.test.ts'],
  why:
    'postgres-replicas (a primary and two streaming replicas) runs the replica-routing tests and ' +
    "the official suites with reads: { from: 'replicas' }",
} as const;
