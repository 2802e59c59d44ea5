import { fileURLToPath } from 'node:url';
import { configDefaults, defineConfig, type ViteUserConfig } from 'vitest/config';
import { planLegs } from './src/harness/plan.js';
import { replicaProjects } from './src/harness/replica-leg.js';
import { LEG_SCOPE, REPLICA_LEG, testWorkers } from './src/harness/schedule.js';

const source = (path: string) => fileURLToPath(new URL(path, import.meta.url));

// One vitest project per database leg; every test file runs once per leg.
export default defineConfig(async (): Promise<ViteUserConfig> => {
  const legs = await planLegs();
  return {
    // Tests run against the packages' sources, so no build is needed between edits.
    resolve: {
      alias: {
        // The subpath first: an alias also matches imports that start with its key and a slash.
        '@mikro-auth/core/internal': source('../core/src/internal.ts'),
        '@mikro-auth/core': source('../core/src/index.ts'),
        '@mikro-auth/better-auth': source('../better-auth/src/index.ts'),
        '@mikro-auth/authjs': source('../authjs/src/index.ts'),
        '@mikro-auth/express-session': source('../express-session/src/index.ts'),
      },
    },
    test: {
      // Better Auth's suites log every migration; show console output of failing tests only.
      silent: 'passed-only',
      // Files of all legs share one pool, one worker per core (TEST_WORKERS overrides).
      maxWorkers: testWorkers(),
      // expect.poll waits for what a page shows after a request (the browser tests). Its 1 s default
      // is shorter than one Better Auth sign-in (scrypt) takes on a loaded 2-core CI machine, where
      // the mariadb example failed that way; 15 s is what the Next.js tests already gave each poll.
      expect: { poll: { timeout: 15_000 } },
      reporters: [
        'default',
        ['json', { outputFile: 'reports/vitest.json' }],
        './src/reporting/conformance-reporter.ts',
      ],
      projects: [
        ...legs.map((leg) => ({
          extends: true as const,
          test: {
            name: leg.name,
            // The planned source goes to the leg's global setup, which starts or reaches the server.
            provide: { legSource: leg.source },
            include: ['src/**/*.test.ts'],
            exclude: [
              ...configDefaults.exclude,
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
