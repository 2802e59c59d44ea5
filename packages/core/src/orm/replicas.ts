/**
 * Read replicas (PostgreSQL): which of MikroORM's replica connections may serve a read right now.
 *
 * The rule, per replica: it may serve a read started at time `now` only if it has replayed
 * everything the primary had at some moment `freshAsOf` with
 *   freshAsOf ≥ now − maxLagMs        (bounded staleness), and
 *   freshAsOf ≥ the last write this process made through MikroORM (read-your-writes).
 * `freshAsOf` comes from LSNs, not replay timestamps (which age on an idle primary): a sample reads
 * `pg_current_wal_insert_lsn()` on the primary at time t, and any replica whose
 * `pg_last_wal_replay_lsn()` has reached that LSN holds every commit finished before t. (The insert
 * position, not `pg_current_wal_lsn()`: with `synchronous_commit = off` a commit is acknowledged
 * before its WAL is written, so the write position can trail a commit the client has seen.) Samples are
 * taken on demand (a read that finds the last one older than the interval starts one in the
 * background; no timer keeps the process alive). Between samples `freshAsOf` only ages, so the
 * bound holds at every moment; sampling decides how often replicas qualify, not whether the bound
 * holds. Replicas are MikroORM's own (`replicas` in its config); this is the one file that reads
 * the driver's replica list, which MikroORM 6 and 7 keep in the same protected field.
 */
import type { EntityManager } from '@mikro-orm/core';
import { ConfigurationError, UnsupportedError } from '../errors/classes.js';
import { guardConnectionLoss } from './connection-recovery.js';
import { dialectOfEm } from './dialect.js';

/** A MikroORM connection (primary or replica). */
export type Connection = ReturnType<EntityManager['getConnection']>;

/** Where reads go: `'primary'` (default), or MikroORM's read replicas within a staleness bound. */
export type ReadRouting =
  | 'primary'
  | {
      readonly from: 'replicas';
      /** A replica serves reads only while it holds every commit older than this (milliseconds). */
      readonly maxLagMs: number;
      /** How often replica positions are sampled while reads arrive (default: maxLagMs / 4, at most 250). */
      readonly sampleIntervalMs?: number;
    };

/** Replica routing options, checked. */
export interface ReplicaReads {
  readonly maxLagMs: number;
  readonly sampleIntervalMs: number;
}

/** Checks the `reads` option; undefined for primary-only reads. */
export function replicaReads(routing: ReadRouting | undefined): ReplicaReads | undefined {
  if (routing === undefined || routing === 'primary') return undefined;
  if (typeof routing !== 'object' || routing.from !== 'replicas') {
    throw new ConfigurationError('reads', "expected 'primary' or { from: 'replicas', maxLagMs }.");
  }
  const { maxLagMs } = routing;
  if (typeof maxLagMs !== 'number' || !Number.isFinite(maxLagMs) || maxLagMs <= 0) {
    throw new ConfigurationError(
      'reads.maxLagMs',
      `expected a positive number of milliseconds, got ${String(maxLagMs)}.`,
    );
  }
  const sampleIntervalMs = routing.sampleIntervalMs ?? Math.min(250, maxLagMs / 4);
  if (
    typeof sampleIntervalMs !== 'number' ||
    !Number.isFinite(sampleIntervalMs) ||
    sampleIntervalMs <= 0 ||
    sampleIntervalMs >= maxLagMs
  ) {
    throw new ConfigurationError(
      'reads.sampleIntervalMs',
      `expected a positive number below maxLagMs (${maxLagMs}), got ${String(sampleIntervalMs)}: ` +
        'a replica sampled less often than its bound allows would never qualify.',
    );
  }
  return { maxLagMs, sampleIntervalMs };
}

/** A PostgreSQL LSN (`16/B374D848`) as a number that orders like the LSN. */
export function parseLsn(text: unknown): bigint | undefined {
  if (typeof text !== 'string') return undefined;
  const match = /^([0-9A-Fa-f]+)\/([0-9A-Fa-f]+)$/.exec(text);
  if (!match) return undefined;
  return (BigInt(`0x${match[1]}`) << 32n) | BigInt(`0x${match[2]}`);
}

interface ReplicaState {
  readonly connection: Connection;
  /** The latest primary moment this replica is known to have replayed (performance.now()). */
  freshAsOf: number;
}

interface PrimarySample {
  readonly at: number;
  readonly lsn: bigint;
}

/** Primary samples kept: enough to place a replica that lags by a few sampling intervals. */
const HISTORY = 64;

async function lsnOf(connection: Connection, sql: string): Promise<bigint | undefined> {
  const rows = (await connection.execute(sql, [], 'all')) as Array<{ lsn?: unknown }>;
  return parseLsn(rows[0]?.lsn);
}

/** Replica positions of one MikroORM driver, shared by every store on it. */
export class ReplicaMonitor {
  readonly #primary: Connection;
  readonly #replicas: ReplicaState[];
  readonly #history: PrimarySample[] = [];
  #lastWriteAt = Number.NEGATIVE_INFINITY;
  #lastSampleAt = Number.NEGATIVE_INFINITY;
  #sampling: Promise<void> | undefined;
  #next = 0;
  /** Statements each sample issued, by role (for diagnostics and tests). */
  readonly samples = { primary: 0, replica: 0 };

  constructor(primary: Connection, replicas: readonly Connection[]) {
    this.#primary = primary;
    this.#replicas = replicas.map((connection) => ({
      connection,
      freshAsOf: Number.NEGATIVE_INFINITY,
    }));
  }

  /** How many replicas MikroORM has. */
  get size(): number {
    return this.#replicas.length;
  }

  /** Records that a write finished now: replicas serve reads again once they hold it. */
  noteWrite(): void {
    this.#lastWriteAt = performance.now();
  }

  /** A replica that may serve a read starting now, or undefined (the read goes to the primary). */
  pick(options: ReplicaReads): Connection | undefined {
    const now = performance.now();
    if (now - this.#lastSampleAt >= options.sampleIntervalMs) void this.sample();
    const bound = Math.max(this.#lastWriteAt, now - options.maxLagMs);
    const count = this.#replicas.length;
    for (let step = 0; step < count; step++) {
      const replica = this.#replicas[(this.#next + step) % count];
      if (replica && replica.freshAsOf >= bound) {
        this.#next = (this.#next + step + 1) % count;
        return replica.connection;
      }
    }
    return undefined;
  }

  /** Takes a replica out of rotation until a sample finds it caught up again (it failed a read). */
  markDown(connection: Connection): void {
    const replica = this.#replicas.find((candidate) => candidate.connection === connection);
    if (replica) replica.freshAsOf = Number.NEGATIVE_INFINITY;
  }

  /** Samples the primary's and every replica's WAL position (one statement each); never throws. */
  sample(): Promise<void> {
    this.#sampling ??= this.#takeSample().finally(() => {
      this.#sampling = undefined;
    });
    return this.#sampling;
  }

  async #takeSample(): Promise<void> {
    const at = performance.now();
    this.#lastSampleAt = at;
    let lsn: bigint | undefined;
    try {
      this.samples.primary++;
      lsn = await lsnOf(this.#primary, 'select pg_current_wal_insert_lsn()::text as lsn');
    } catch {
      return; // the primary is unreachable: replicas keep aging until it answers again
    }
    if (lsn === undefined) return;
    this.#history.push({ at, lsn });
    if (this.#history.length > HISTORY) this.#history.shift();
    await Promise.all(this.#replicas.map((replica) => this.#sampleReplica(replica)));
  }

  async #sampleReplica(replica: ReplicaState): Promise<void> {
    let replayed: bigint | undefined;
    try {
      this.samples.replica++;
      replayed = await lsnOf(replica.connection, 'select pg_last_wal_replay_lsn()::text as lsn');
    } catch {
      replica.freshAsOf = Number.NEGATIVE_INFINITY; // down: skipped until it answers again
      return;
    }
    // NULL: the server is not in recovery (promoted, or a primary listed as a replica); its data
    // may have diverged from the primary's, so it serves nothing.
    if (replayed === undefined) {
      replica.freshAsOf = Number.NEGATIVE_INFINITY;
      return;
    }
    for (let index = this.#history.length - 1; index >= 0; index--) {
      const sample = this.#history[index];
      if (sample && sample.lsn <= replayed) {
        replica.freshAsOf = Math.max(replica.freshAsOf, sample.at);
        return;
      }
    }
  }
}

const monitors = new WeakMap<object, ReplicaMonitor>();

/** The driver's replica monitor (created on first use; it hears of every flush and commit). */
export function replicaMonitor(em: EntityManager): ReplicaMonitor {
  const driver = em.getDriver();
  let monitor = monitors.get(driver);
  if (!monitor) {
    if (!dialectOfEm(em).replicaReads) {
      throw new UnsupportedError(
        "reads: { from: 'replicas' } is supported on PostgreSQL only; remove the option (reads then " +
          'go to the primary, as they do by default).',
      );
    }
    const replicas = (driver as unknown as { replicas?: readonly Connection[] }).replicas ?? [];
    const primary = driver.getConnection('write');
    const created = new ReplicaMonitor(primary, replicas);
    // The samples run in the background on every pool, and one may still be in flight when the
    // ORM closes: each pool gets the guard (connection-recovery.ts), which keeps such a statement
    // from leaving a client checked out that would make orm.close() wait forever.
    for (const connection of [primary, ...replicas]) void guardConnectionLoss(em, connection);
    // Writes the application makes with its own EntityManagers count for read-your-writes too.
    em.getEventManager().registerSubscriber({
      afterFlush: () => created.noteWrite(),
      afterTransactionCommit: () => created.noteWrite(),
    });
    monitors.set(driver, created);
    monitor = created;
  }
  return monitor;
}
