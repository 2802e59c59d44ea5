/** The vitest project of the postgres-replicas leg (read by both conformance packages' configs). */
import { selectedDatabases } from './databases.js';
import { REPLICA_LEG } from './schedule.js';
import { recordPlanned } from './skips.js';

/**
 * The vitest project of the postgres-replicas leg, planned with the postgres leg (its servers are
 * embedded PostgreSQL, which any machine with the postgres leg can start); none without it.
 */
export function replicaProjects(env: NodeJS.ProcessEnv = process.env) {
  if (!selectedDatabases(env.TEST_DATABASES).includes('postgres')) return [];
  recordPlanned(REPLICA_LEG.name);
  return [
    {
      extends: true as const,
      test: {
        name: REPLICA_LEG.name,
        include: [...REPLICA_LEG.include],
        globalSetup: ['./src/harness/replica-setup.ts'],
        testTimeout: 30_000,
        hookTimeout: 120_000,
      },
    },
  ];
}
