/**
 * Global setup of the postgres-replicas leg: a PostgreSQL primary with two streaming replicas, one
 * of them applying commits 3 s late (replica-cluster.ts). Test files get the primary as their
 * leg's server (they create their own database there, which the replicas receive by streaming)
 * and the replicas' ports through `replicaCluster`.
 */
import type { TestProject } from 'vitest/node';
import type { ProvidedDatabase } from './databases.js';
import { PLATFORM_PACKAGE } from './embedded-postgres.js';
import { type ReplicaClusterInfo, startReplicaCluster } from './replica-cluster.js';
import { recordLeg } from './skips.js';

declare module 'vitest' {
  export interface ProvidedContext {
    replicaCluster?: ReplicaClusterInfo;
  }
}

/** The replicas' apply delays: one streams as fast as it can, one lags by 3 s. */
export const REPLICA_DELAYS_MS = [0, 3000] as const;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const cluster = await startReplicaCluster(REPLICA_DELAYS_MS);
  const server = cluster.version.split(' on ')[0] ?? cluster.version;
  const label = `${server}, primary + ${cluster.replicas.length} streaming replicas (one 3 s behind)`;
  const provided: ProvidedDatabase = {
    name: 'postgres',
    dialect: 'postgres',
    url: `postgresql://postgres@127.0.0.1:${cluster.primaryPort}/postgres`,
    version: cluster.version,
    label,
  };
  const via = `embedded, from ${PLATFORM_PACKAGE}`;
  console.log(`[matrix] ${project.name.padEnd(10)} ${label} (${via})`);
  recordLeg(project.name, label, via);
  project.provide('database', provided);
  const { root, primaryPort, replicas, version } = cluster;
  project.provide('replicaCluster', { root, primaryPort, replicas, version });
  return () => cluster.stop();
}
