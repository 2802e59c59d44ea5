/**
 * Read replicas (`reads: { from: 'replicas', maxLagMs }`) on a real PostgreSQL primary with two
 * streaming replicas, one of them applying commits 3 s late. The file starts a cluster of its own
 * (harness/replica-cluster.ts): the leg's shared one carries the other files' writes, and these
 * tests need to know when the primary is idle. Every statement is counted by the connection
 * MikroORM ran it on, so the tests see where reads went.
 */
import { buildEntitySchemas, ConfigurationError, createStore, type Store } from '@mikro-auth/core';
import { DefaultLogger, type LogContext, type LoggerNamespace, MikroORM } from '@mikro-orm/core';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type ReplicaCluster,
  startReplica,
  startReplicaCluster,
  stopReplica,
} from '../harness/replica-cluster.js';
import { createTables } from '../harness/schema.js';
import { AT, CORE_TABLES, memberRow } from './fixtures.js';

let cluster: ReplicaCluster;
const orms: MikroORM[] = [];

/** Statements by where they ran: `primary`, or the replica's name. LSN samples are kept apart. */
type Tally = Map<string, number>;
const tallies = new Set<Tally>();

function countStatements(): Tally {
  const tally: Tally = new Map();
  tallies.add(tally);
  return tally;
}

function noteStatement(context: LogContext): void {
  const query = String(context.query ?? '');
  const server = context.connection?.type === 'read' ? String(context.connection.name) : 'primary';
  const key = /pg_\w*wal\w*_lsn\(\)/.test(query) ? `${server}:sample` : server;
  for (const tally of tallies) tally.set(key, (tally.get(key) ?? 0) + 1);
}

class CountingLogger extends DefaultLogger {
  override log(namespace: LoggerNamespace, message: string, context?: LogContext): void {
    if (namespace === 'query' && context)
      noteStatement({ ...context, query: context.query ?? message });
  }
}

const entities = buildEntitySchemas(CORE_TABLES);
const serverUrl = (port: number) => `postgresql://postgres@127.0.0.1:${port}/postgres`;

/** MikroORM on the cluster's primary with the given replicas (indexes into the cluster's). */
async function connect(replicas: readonly number[]): Promise<MikroORM> {
  const orm = await MikroORM.init({
    driver: PostgreSqlDriver,
    clientUrl: serverUrl(cluster.primaryPort),
    entities,
    allowGlobalContext: false,
    debug: ['query'],
    loggerFactory: (options) => new CountingLogger(options),
    replicas: replicas.map((index) => ({
      name: `replica${index + 1}`,
      clientUrl: serverUrl(cluster.replicas[index]!.port),
    })),
  });
  orms.push(orm);
  return orm;
}

/** The parts of a MikroORM replica connection the close test uses (6: Knex on tarn; 7: Kysely on pg-pool). */
interface ReplicaConnection {
  execute(sql: string): Promise<unknown>;
  /** MikroORM 7: the `pg` pool. */
  getNativeClient?(): Promise<{ totalCount: number; connect(): Promise<{ release(): void }> }>;
  /** MikroORM 6: Knex, whose client keeps a tarn pool. */
  getKnex?(): {
    client: {
      pool: { numFree(): number; numPendingCreates(): number };
      acquireConnection(): Promise<unknown>;
      releaseConnection(connection: unknown): Promise<unknown>;
    };
  };
}

/**
 * Takes every idle client out of the replica's pool, so its next statement needs a new
 * connection; returns how to tell that one is being set up, and how to give the clients back.
 */
async function drainPool(
  replica: ReplicaConnection,
): Promise<{ connecting: () => boolean; giveBack: () => Promise<void> }> {
  if (replica.getNativeClient) {
    const pool = await replica.getNativeClient();
    const held = await Promise.all(
      Array.from({ length: pool.totalCount || 1 }, () => pool.connect()),
    );
    const before = pool.totalCount;
    return {
      connecting: () => pool.totalCount > before,
      giveBack: async () => {
        for (const client of held) client.release();
      },
    };
  }
  const { client } = replica.getKnex!();
  const held = await Promise.all(
    Array.from({ length: client.pool.numFree() || 1 }, () => client.acquireConnection()),
  );
  return {
    connecting: () => client.pool.numPendingCreates() > 0,
    giveBack: async () => {
      for (const connection of held) await client.releaseConnection(connection).catch(() => {});
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until the delayed replica has applied everything (its delay, plus a margin). */
const settle = () => sleep((cluster.replicas[1]?.delayMs ?? 0) + 500);

const MAX_LAG_MS = 1000;
const replicaReads = { from: 'replicas', maxLagMs: MAX_LAG_MS, sampleIntervalMs: 50 } as const;

let primaryOnly: Store; // the default: reads on the primary, on an ORM that has replicas
let both: Store; // replica reads over both replicas
let delayedOnly: Store; // replica reads over the replica that is 3 s behind
let other: Store; // "another process": its own ORM, so its writes are no write of ours

beforeAll(async () => {
  cluster = await startReplicaCluster([0, 3000]);
  await createTables(await connect([]));
  primaryOnly = createStore(await connect([0, 1]));
  both = createStore(await connect([0, 1]), { reads: replicaReads });
  delayedOnly = createStore(await connect([1]), { reads: replicaReads });
  other = createStore(await connect([]));
}, 120_000);

beforeEach(async () => {
  await other.deleteMany('ticket');
  await other.deleteMany('member');
  await other.create('member', memberRow('m'));
  await settle();
}, 30_000);

/**
 * Closes an ORM, or gives up after `ms` with a loud line (a safety net: the servers are stopped
 * below either way, so the run does not hang). On MikroORM 7 a statement still waiting for a new
 * pg connection when the ORM closed (a replica sample, after the replica restart below, under CPU
 * load) made Kysely leave that client checked out and `pool.end()` wait forever; core's connection
 * guard now refuses such clients (see the last test).
 */
async function closeWithin(orm: MikroORM, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const gaveUp = new Promise<'gave up'>((resolve) => {
    timer = setTimeout(() => resolve('gave up'), ms);
  });
  const outcome = await Promise.race([orm.close(true).then(() => 'closed' as const), gaveUp]);
  clearTimeout(timer);
  if (outcome === 'gave up') {
    process.stderr.write(
      `[replicas.test] orm.close() did not return within ${ms} ms after the replica restart ` +
        '(a pg-pool client left checked out; see closeWithin); stopping the servers instead.\n',
    );
  }
}

afterAll(async () => {
  tallies.clear();
  try {
    await Promise.all(orms.map((orm) => closeWithin(orm, 15_000)));
  } finally {
    // Stopped even when a close fails, so that no servers are left running.
    await cluster?.stop();
  }
}, 60_000);

/**
 * Reads through `store` until its replica samples qualify again: a read that skips the primary
 * (at most 2 s) or, given `replicas`, reads served by each of them since the primary last served
 * one (at most 10 s: the delayed replica runs 3 s behind the last write of an earlier test).
 */
async function warm(store: Store, replicas: readonly string[] = []): Promise<void> {
  const deadline = performance.now() + (replicas.length > 0 ? 10_000 : 2000);
  const served = new Set<string>();
  while (performance.now() < deadline) {
    const tally = countStatements();
    await store.findOne('member', [{ field: 'id', value: 'm' }]);
    tallies.delete(tally);
    if ([...tally.keys()].includes('primary')) served.clear();
    else {
      for (const server of tally.keys()) served.add(server);
      if (replicas.every((replica) => served.has(replica))) return;
    }
    await sleep(20);
  }
}

describe('read replicas (PostgreSQL primary + 2 streaming replicas, one 3 s behind)', () => {
  it('rejects a replica option that could never route a read', () => {
    const orm = { em: {}, getMetadata() {}, config: {} } as unknown as MikroORM;
    expect(() => createStore(orm, { reads: { from: 'replicas', maxLagMs: 0 } })).toThrow(
      ConfigurationError,
    );
    expect(() =>
      createStore(orm, { reads: { from: 'replicas', maxLagMs: 100, sampleIntervalMs: 100 } }),
    ).toThrow(/below maxLagMs/);
  });

  it("by default runs every statement on the primary, though MikroORM's config has replicas", async () => {
    const tally = countStatements();
    await primaryOnly.create('ticket', {
      id: 't1',
      token: 'a',
      memberId: 'm',
      expiresAt: AT,
      uses: 0,
    });
    for (let i = 0; i < 20; i++) {
      expect(await primaryOnly.findOne('ticket', [{ field: 'token', value: 'a' }])).not.toBeNull();
    }
    expect(await primaryOnly.findMany('ticket')).toHaveLength(1);
    expect(await primaryOnly.count('ticket')).toBe(1);
    tallies.delete(tally);
    expect([...tally.keys()]).toEqual(['primary']);
  });

  it('sends reads to the replicas, and none to the primary, once they hold every write', async () => {
    await warm(both, ['replica1', 'replica2']);
    const tally = countStatements();
    for (let i = 0; i < 40; i++) {
      expect(await both.findOne('member', [{ field: 'id', value: 'm' }])).toMatchObject({
        id: 'm',
      });
    }
    expect(await both.count('member')).toBe(1);
    expect(await both.findMany('member')).toHaveLength(1);
    tallies.delete(tally);
    expect(tally.get('primary') ?? 0).toBe(0);
    // Both replicas take turns (the delayed one has applied everything: nothing was written).
    expect(tally.get('replica1') ?? 0).toBeGreaterThan(10);
    expect(tally.get('replica2') ?? 0).toBeGreaterThan(10);
  });

  it('reads its own writes at once: no stale read after a write of this process', async () => {
    await warm(both);
    let stale = 0;
    for (let i = 0; i < 30; i++) {
      await both.create('ticket', {
        id: `t${i}`,
        token: `tok${i}`,
        memberId: 'm',
        expiresAt: AT,
        uses: 0,
      });
      const created = await both.findOne('ticket', [{ field: 'id', value: `t${i}` }]);
      await both.updateOne('ticket', [{ field: 'id', value: `t${i}` }], { uses: i + 1 });
      const updated = await both.findOne('ticket', [{ field: 'id', value: `t${i}` }]);
      const listed = await both.findMany('ticket', { where: [{ field: 'memberId', value: 'm' }] });
      if (!created || updated?.uses !== i + 1 || listed.length !== i + 1) stale++;
    }
    expect(stale).toBe(0);
  });

  it("counts the app's own flushes as writes too (read-your-writes through its EntityManager)", async () => {
    await warm(delayedOnly);
    const orm = await connect([1]);
    const store = createStore(orm, { reads: replicaReads });
    await warm(store);
    const em = orm.em.fork();
    const Member = entities.find((schema) => schema.meta.className === 'Member')!;
    em.create(Member, { ...memberRow('own') } as never);
    await em.flush();
    const tally = countStatements();
    const found = await store.findMany('member', { where: [{ field: 'id', value: 'own' }] });
    tallies.delete(tally);
    expect(found).toHaveLength(1);
    // The delayed replica does not hold the flush yet: the read went to the primary directly.
    expect(tally.get('replica2') ?? 0).toBe(0);
  });

  it('confirms a miss on the primary: a session another process created a moment ago is found', async () => {
    await warm(delayedOnly);
    await other.create('ticket', {
      id: 'fresh',
      token: 'fresh',
      memberId: 'm',
      expiresAt: AT,
      uses: 0,
    });
    const tally = countStatements();
    const found = await delayedOnly.findOne('ticket', [{ field: 'token', value: 'fresh' }]);
    const listed = await delayedOnly.findMany('ticket', {
      where: [{ field: 'token', value: 'fresh' }],
    });
    const counted = await delayedOnly.count('ticket', [{ field: 'token', value: 'fresh' }]);
    tallies.delete(tally);
    expect(found).toMatchObject({ id: 'fresh' });
    expect(listed).toHaveLength(1);
    expect(counted).toBe(1);
    // Each read asked the delayed replica first (it qualified: nothing of ours was written) and the
    // primary after its miss.
    expect(tally.get('replica2') ?? 0).toBe(3);
    expect(tally.get('primary') ?? 0).toBe(3);
  });

  it(`stops validating a deleted session within maxLagMs (${MAX_LAG_MS} ms), though the replica lags 3 s`, async () => {
    await other.create('ticket', {
      id: 'revoked',
      token: 'revoked',
      memberId: 'm',
      expiresAt: AT,
      uses: 0,
    });
    await settle();
    await warm(delayedOnly);
    const tally = countStatements();
    await other.deleteMany('ticket', [{ field: 'token', value: 'revoked' }]);
    const deletedAt = performance.now();
    const reads: Array<{ startedAt: number; found: boolean }> = [];
    while (performance.now() - deletedAt < MAX_LAG_MS + 1000) {
      const startedAt = performance.now();
      const row = await delayedOnly.findOne('ticket', [{ field: 'token', value: 'revoked' }]);
      reads.push({ startedAt, found: row !== null });
      await sleep(20);
    }
    tallies.delete(tally);
    // The replica still served the session right after the delete (so the lag was real) ...
    expect(reads[0]?.found).toBe(true);
    // ... and no read that started maxLagMs after the delete found it.
    const late = reads.filter((read) => read.startedAt - deletedAt >= MAX_LAG_MS);
    expect(late.length).toBeGreaterThan(10);
    expect(late.filter((read) => read.found)).toEqual([]);
    expect(tally.get('replica2') ?? 0).toBeGreaterThan(0);
  });

  it('keeps transactions, consumeOne, incrementOne and writes on the primary', async () => {
    await warm(both);
    await both.create('ticket', { id: 'c', token: 'c', memberId: 'm', expiresAt: AT, uses: 0 });
    await both.create('ticket', { id: 'd', token: 'd', memberId: 'm', expiresAt: AT, uses: 0 });
    await settle();
    await warm(both);
    const tally = countStatements();
    await both.transaction(async (tx) => {
      expect(await tx.findOne('ticket', [{ field: 'id', value: 'c' }])).not.toBeNull();
      expect(await tx.count('ticket')).toBe(2);
    });
    expect(
      await both.incrementOne('ticket', {
        where: [{ field: 'id', value: 'c' }],
        increment: { uses: 1 },
      }),
    ).toMatchObject({ uses: 1 });
    expect(await both.consumeOne('ticket', [{ field: 'id', value: 'd' }])).toMatchObject({
      id: 'd',
    });
    tallies.delete(tally);
    expect([...tally.keys()].filter((key) => !key.endsWith(':sample'))).toEqual(['primary']);
  });

  it('skips a replica that is down: every read still answers, none fails', async () => {
    await warm(both);
    await stopReplica(cluster, 0);
    try {
      const tally = countStatements();
      for (let i = 0; i < 30; i++) {
        expect(await both.findOne('member', [{ field: 'id', value: 'm' }])).toMatchObject({
          id: 'm',
        });
        await sleep(10);
      }
      tallies.delete(tally);
      expect(tally.get('replica2') ?? 0).toBeGreaterThan(0);
    } finally {
      await startReplica(cluster, 0);
    }
    // Back up, it serves reads again once a sample finds it caught up. How soon depends on when
    // a sample first reaches it (its pool may first hand out a connection the restart broke), so
    // the reads go on until it serves one or 5 s pass: a fixed number of reads raced the sampler
    // on a loaded machine.
    await settle();
    const tally = countStatements();
    const deadline = performance.now() + 5000;
    while ((tally.get('replica1') ?? 0) === 0 && performance.now() < deadline) {
      expect(await both.findOne('member', [{ field: 'id', value: 'm' }])).toMatchObject({
        id: 'm',
      });
      await sleep(10);
    }
    tallies.delete(tally);
    expect(tally.get('replica1') ?? 0).toBeGreaterThan(0);
  });

  it('closes while a statement still waits for a new replica connection (orm.close() returns)', async () => {
    // Kysely's PostgresDriver.destroy() clears its pool field and then calls pool.end(); an
    // acquireConnection() whose pool.connect() was still setting up a connection then throws a
    // TypeError and never releases that client, and pool.end() waited for it forever. A replica
    // sample in flight when the ORM closed (after the restart above, under load) did exactly this.
    const orm = await MikroORM.init({
      driver: PostgreSqlDriver,
      clientUrl: serverUrl(cluster.primaryPort),
      entities,
      allowGlobalContext: false,
      replicas: [{ name: 'replica1', clientUrl: serverUrl(cluster.replicas[0]!.port) }],
    });
    const store = createStore(orm, { reads: replicaReads });
    await store.findOne('member', [{ field: 'id', value: 'm' }]); // the replica monitor starts
    await sleep(100); // its first sample ends
    const replica = (orm.driver as unknown as { replicas: ReplicaConnection[] }).replicas[0]!;
    const pool = await drainPool(replica);
    const late = replica.execute('select 1').then(
      () => 'ran',
      (error: unknown) => error,
    );
    const deadline = performance.now() + 5000;
    while (!pool.connecting() && performance.now() < deadline) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(pool.connecting()).toBe(true); // its connection is being set up
    const closing = orm.close(true).then(() => 'closed' as const);
    await pool.giveBack();
    expect(await Promise.race([closing, sleep(10_000).then(() => 'still waiting' as const)])).toBe(
      'closed',
    );
    // The late statement settles: it ran (MikroORM 6: Knex waits for the connection, then runs it)
    // or failed with an error (MikroORM 7: the pool is closing); it never hangs.
    const outcome = await Promise.race([late, sleep(5000).then(() => 'pending' as const)]);
    expect(outcome === 'ran' || outcome instanceof Error, String(outcome)).toBe(true);
  });
});
