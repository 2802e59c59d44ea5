/**
 * The conformance suite of packages/test-suite, run on MikroORM 6.6. The test files, the harness
 * and the reporter are test-suite's own; only `@mikro-orm/*` differs: every import of it made by
 * the test files, the harness and core's sources is aliased to this package's 6.6 copies (and each
 * 6.6 driver resolves its own dependencies: knex, sqlite3, the mariadb connector).
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { configDefaults, defineConfig, type ViteUserConfig } from 'vitest/config';

const source = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const require = createRequire(import.meta.url);
/** The directory of one of this package's own `@mikro-orm/*` dependencies. */
const orm6 = (name: string) => dirname(require.resolve(`@mikro-orm/${name}/package.json`));

/** MikroORM 7's SQL base package is @mikro-orm/sql; MikroORM 6's is @mikro-orm/knex. */
const ORM_ALIASES = {
  '@mikro-orm/core': orm6('core'),
  '@mikro-orm/sql': orm6('knex'),
  '@mikro-orm/knex': orm6('knex'),
  '@mikro-orm/sqlite': orm6('sqlite'),
  '@mikro-orm/postgresql': orm6('postgresql'),
  '@mikro-orm/mysql': orm6('mysql'),
  '@mikro-orm/mariadb': orm6('mariadb'),
  // MikroORM 6 has no @mikro-orm/decorators: its decorators are exported by @mikro-orm/core.
  '@mikro-orm/decorators/legacy': source('src/decorators-legacy.ts'),
};

export default defineConfig(async (): Promise<ViteUserConfig> => {
  // This package's skipped legs go to its own reports (read by scripts/test-summary.mjs).
  process.env.TEST_SKIPS_FILE = source('reports/skipped.jsonl');
  const { planLegs } = await import('../test-suite/src/harness/plan.ts');
  const { replicaProjects } = await import('../test-suite/src/harness/replica-leg.ts');
  const { LEG_SCOPE, ORM6_SCOPE, REPLICA_LEG, testWorkers } = await import(
    '../test-suite/src/harness/schedule.ts'
  );
  // MikroORM 6 runs on one server per dialect: the postgres18 leg (a second PostgreSQL version) is
  // MikroORM 7's alone, to keep CI time in bounds.
  const legs = await planLegs(process.env, { except: ['postgres18'] });
  return {
    resolve: {
      alias: [
        // The subpath first: a string alias also matches imports that start with it and a slash.
        { find: '@mikro-auth/core/internal', replacement: source('../core/src/internal.ts') },
        { find: '@mikro-auth/core', replacement: source('../core/src/index.ts') },
        { find: '@mikro-auth/better-auth', replacement: source('../better-auth/src/index.ts') },
        { find: '@mikro-auth/authjs', replacement: source('../authjs/src/index.ts') },
        {
          find: '@mikro-auth/express-session',
          replacement: source('../express-session/src/index.ts'),
        },
        // Exact names only: `@mikro-orm/core/package.json` etc. resolve as they are.
        ...Object.entries(ORM_ALIASES).map(([find, replacement]) => ({
          find: new RegExp(`^${find}$`),
          replacement,
        })),
      ],
    },
    test: {
      root: source('../test-suite'),
      silent: 'passed-only',
      maxWorkers: testWorkers(),
      reporters: [
        'default',
        ['json', { outputFile: source('reports/vitest.json') }],
        [
          source('../test-suite/src/reporting/conformance-reporter.ts'),
          { outputFile: source('reports/conformance.json'), mikroOrmFrom: source('package.json') },
        ],
      ],
      projects: [
        ...legs.map((leg) => ({
          extends: true as const,
          test: {
            name: leg.name,
            include: ['src/**/*.test.ts'],
            // ORM6_SCOPE says why the example apps and the CLI test stay on MikroORM 7.
            exclude: [
              ...configDefaults.exclude,
              ...ORM6_SCOPE.exclude,
              ...REPLICA_LEG.only,
              ...(LEG_SCOPE[leg.name]?.exclude ?? []),
            ],
            globalSetup: ['./src/harness/global-setup.ts'],
            testTimeout: 30_000,
            hookTimeout: 60_000,
          },
        })),
        ...replicaProjects(),
      ],
    },
  };
});
