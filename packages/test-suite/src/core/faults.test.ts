/**
 * Connection faults on real servers: backends killed inside transactions (ours and the app's own),
 * during a single statement, and while idle in the pool. Every failure must be a ConnectionError,
 * nothing partial may be written, and the pool must recover: the store keeps working and
 * `orm.close()` finishes. The ORMs under test get a pool of two connections, so a connection that
 * is never given back shows up as a hang within a few kills.
 */
import { buildEntitySchemas, ConnectionError, createStore, type Store } from '@mikro-auth/core';
import { guardConnectionLoss } from '@mikro-auth/core/internal';
import type { EntityManager, MikroORM } from '@mikro-orm/core';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../harness/index.js';
import { CORE_TABLES, memberRow as member } from './fixtures.js';

const db = useTestDatabase();
const entities = buildEntitySchemas(CORE_TABLES);
const KILLS = 100;
/** How long one store call or `orm.close()` may take before the pool is deemed leaked. */
const HANG_MS = 5_000;

/** Rejects when `promise` does not settle within `ms`, naming what hung. */
async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what} did not finish within ${ms} ms (a leaked connection?)`)),
      ms,
    );
  });
  try {
    return await Promise.race([promise, hung]);
  } finally {
    clearTimeout(timer);
  }
}

/** The outcome of `promise`: its value, or what it rejected with. */
function settle<T>(promise: Promise<T>): Promise<T | unknown> {
  return promise.catch((error: unknown) => error);
}

function expectConnectionError(error: unknown): void {
  expect(error).toBeInstanceOf(ConnectionError);
  expect((error as ConnectionError).code).toBe('CONNECTION_FAILED');
  expect((error as ConnectionError).cause).toBeInstanceOf(Error);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A connection of its own to this file's database, outside every pool under test. */
interface Admin {
  query(sql: string): Promise<Array<Record<string, unknown>>>;
  close(): Promise<void>;
}

async function openAdmin(): Promise<Admin> {
  if (db.dialect === 'postgres') {
    const client = new pg.Client({ connectionString: db.url() });
    await client.connect();
    return {
      query: async (sql) => (await client.query(sql)).rows as Array<Record<string, unknown>>,
      close: () => client.end(),
    };
  }
  const connection = await mysql.createConnection({ uri: db.url().replace(/^mariadb:/, 'mysql:') });
  return {
    query: async (sql) => {
      const [rows] = await connection.query(sql);
      return Array.isArray(rows) ? (rows as Array<Record<string, unknown>>) : [];
    },
    close: () => connection.end(),
  };
}

const postgres = db.dialect === 'postgres';
const ownIdSql = postgres ? 'select pg_backend_pid() as id' : 'select connection_id() as id';
const killSql = (id: number) =>
  postgres ? `select pg_terminate_backend(${id})` : `kill connection ${id}`;
/** The server-side ids of this database's connections other than the admin's own. */
const othersSql = postgres
  ? 'select pid as id from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()'
  : 'select id from information_schema.processlist where db = database() and id <> connection_id()';

/** Runs a statement on the connection `em` is bound to (its transaction's, when it has one). */
async function executeOn(em: EntityManager, sql: string): Promise<Array<Record<string, unknown>>> {
  return (await em.getConnection().execute(sql, [], 'all', em.getTransactionContext())) as Array<
    Record<string, unknown>
  >;
}

/** Waits until the server no longer lists the connections `ids`, and the driver has read their end. */
async function untilGone(admin: Admin, ids: readonly number[]): Promise<void> {
  for (let tries = 0; tries < 400; tries++) {
    const alive = await admin.query(othersSql);
    if (!alive.some((row) => ids.includes(Number(row.id)))) break;
    await sleep(5);
  }
  // Let the driver read the end of the socket, so the next statement meets a client that already
  // knows it is broken (pg: "Client has encountered a connection error and is not queryable").
  await sleep(20);
}

/** Kills the backend of `em`'s connection from the admin connection and waits until it is gone. */
async function killFromOutside(admin: Admin, em: EntityManager): Promise<void> {
  const id = Number((await executeOn(em, ownIdSql))[0]?.id);
  await admin.query(killSql(id));
  await untilGone(admin, [id]);
}

/** Kills the backend of `em`'s connection from that very connection. */
async function killItself(em: EntityManager): Promise<void> {
  await executeOn(
    em,
    postgres ? 'select pg_terminate_backend(pg_backend_pid())' : 'kill connection_id()',
  ).catch(() => undefined);
}

/** A fresh ORM with a pool of two connections, and a store on it. */
async function smallPool(): Promise<{ orm: MikroORM; store: Store }> {
  const orm = await db.connect({ entities, pool: { min: 0, max: 2 } });
  return { orm, store: createStore(orm) };
}

/** Closes `orm`, failing when that takes longer than a leak-free close can. */
async function closes(orm: MikroORM): Promise<void> {
  const started = performance.now();
  await within(HANG_MS, 'orm.close()', orm.close(true));
  expect(performance.now() - started).toBeLessThan(HANG_MS);
}

beforeAll(async () => {
  const schemaOrm = await db.init({ entities });
  await schemaOrm.close(true);
});

describe(`the connection guard on a healthy pool (${db.name})`, () => {
  it('keeps connections that failed for other reasons; transactions commit and roll back as before', async () => {
    const { orm, store } = await smallPool();
    await guardConnectionLoss(orm.em);
    await guardConnectionLoss(orm.em); // a second guard changes nothing
    await store.deleteMany('member');
    let removed = 0;
    // MikroORM 7's pg-pool, which the guard watches; MikroORM 6 runs on knex's own pool.
    const connection = orm.em.getConnection() as { getNativeClient?: () => Promise<unknown> };
    if (postgres && connection.getNativeClient) {
      const pool = (await connection.getNativeClient()) as pg.Pool;
      pool.on('remove', () => removed++);
    }
    expect(await store.transaction(async (tx) => (await tx.create('member', member('a'))).id)).toBe(
      'a',
    );
    const boom = new Error('boom');
    const thrown = await settle(
      store.transaction(async (tx) => {
        await tx.create('member', member('b'));
        throw boom;
      }),
    );
    expect(thrown).toBe(boom);
    const duplicate = await settle(
      store.transaction(async (tx) => {
        await tx.create('member', member('c'));
        await tx.create('member', { ...member('d'), email: 'a@x.io' });
      }),
    );
    expect((duplicate as { code?: string }).code).toBe('UNIQUE_VIOLATION');
    const single = await settle(store.create('member', { ...member('e'), email: 'a@x.io' }));
    expect((single as { code?: string }).code).toBe('UNIQUE_VIOLATION');
    expect(
      (await store.findMany('member', { sort: { field: 'id', direction: 'asc' } })).map(
        (row) => row.id,
      ),
    ).toEqual(['a']);
    expect(removed).toBe(0);
    await closes(orm);
  });
});

// SQLite is embedded: there is no connection to lose.
if (db.name !== 'sqlite') {
  describe(`connection faults (${db.name})`, () => {
    let admin: Admin;

    beforeAll(async () => {
      admin = await openAdmin();
    });

    afterAll(async () => {
      await admin?.close();
    });

    it(`${KILLS} backends killed inside store.transaction: each a ConnectionError, nothing partial written, the pool recovers`, async () => {
      const { orm, store } = await smallPool();
      await store.deleteMany('member');
      for (let kill = 0; kill < KILLS; kill++) {
        // Alternate a backend killing itself (the statement fails) with one killed from outside
        // while idle in the transaction (the next statement meets an already broken client).
        const fromOutside = kill % 2 === 1;
        const error = await within(
          HANG_MS,
          `store.transaction #${kill}`,
          settle(
            store.transaction(async (tx) => {
              await tx.create('member', member(`before${kill}`));
              if (fromOutside) await killFromOutside(admin, tx.em());
              else await killItself(tx.em());
              await tx.create('member', member(`after${kill}`));
            }),
          ),
        );
        expectConnectionError(error);
      }
      expect(await within(HANG_MS, 'count', store.count('member'))).toBe(0);
      await within(HANG_MS, 'create', store.create('member', member('recovered')));
      expect(await store.count('member')).toBe(1);
      await closes(orm);
    });

    it('the first calls on a fresh pool, made concurrently, are all guarded: each killed one is a ConnectionError and the pool recovers', async () => {
      const { orm, store } = await smallPool();
      const ids = ['first0', 'first1'];
      // Nothing has used this store or pool yet: both transactions install-or-await the guard.
      const errors = await within(
        HANG_MS,
        'the first two transactions',
        Promise.all(
          ids.map((id) =>
            settle(
              store.transaction(async (tx) => {
                await tx.create('member', member(id));
                await killItself(tx.em());
                await tx.create('member', member(`${id}-after`));
              }),
            ),
          ),
        ),
      );
      for (const error of errors) expectConnectionError(error);
      // Unguarded, both killed connections would keep the pool's two slots and this would hang.
      const where = [{ field: 'id', operator: 'starts_with' as const, value: 'first' }];
      expect(await within(HANG_MS, 'count', store.count('member', where))).toBe(0);
      await closes(orm);
    });

    it("backends killed inside the app's own em.transactional around store calls: ConnectionError, nothing written, the pool recovers", async () => {
      const { orm, store } = await smallPool();
      await guardConnectionLoss(orm.em);
      await store.deleteMany('member');
      for (let kill = 0; kill < 20; kill++) {
        const error = await within(
          HANG_MS,
          `em.transactional #${kill}`,
          settle(
            orm.em.fork().transactional(async (em) => {
              await store.create('member', member(`app${kill}`));
              await killItself(em);
              await store.create('member', member(`app-after${kill}`));
            }),
          ),
        );
        expectConnectionError(error);
      }
      expect(await within(HANG_MS, 'count', store.count('member'))).toBe(0);
      await within(HANG_MS, 'create', store.create('member', member('recovered')));
      expect(await store.count('member')).toBe(1);
      await closes(orm);
    });

    it('a backend killed during a single store call: ConnectionError, and the next call works', async () => {
      const { orm, store } = await smallPool();
      await guardConnectionLoss(orm.em);
      await store.deleteMany('member');
      await store.create('member', member('locked'));
      for (let kill = 0; kill < 10; kill++) {
        // The admin holds the row's lock, so the store's update waits on the server until killed.
        await admin.query('begin');
        let error: unknown;
        try {
          await admin.query(`select id from member where id = 'locked' for update`);
          const update = settle(
            store.updateOne('member', [{ field: 'id', value: 'locked' }], { name: `n${kill}` }),
          );
          const waitingSql = postgres
            ? `${othersSql} and wait_event_type = 'Lock'`
            : `${othersSql} and info like 'update%'`;
          let waiting: Array<Record<string, unknown>> = [];
          for (let tries = 0; tries < 400 && waiting.length === 0; tries++) {
            waiting = await admin.query(waitingSql);
            if (waiting.length === 0) await sleep(5);
          }
          expect(waiting).toHaveLength(1);
          await admin.query(killSql(Number(waiting[0]!.id)));
          error = await within(HANG_MS, `updateOne #${kill}`, update);
        } finally {
          await admin.query('rollback');
        }
        expectConnectionError(error);
        const row = await within(
          HANG_MS,
          'findOne',
          store.findOne('member', [{ field: 'id', value: 'locked' }]),
        );
        expect(row?.name).toBe('locked');
      }
      await closes(orm);
    });

    it('pooled connections killed while idle: a call meeting one fails with ConnectionError, the next calls work', async () => {
      const { orm, store } = await smallPool();
      await guardConnectionLoss(orm.em);
      await store.deleteMany('member');
      let created = 0;
      for (let kill = 0; kill < 10; kill++) {
        // Two at once, so both pooled connections exist and are idle afterwards.
        await Promise.all([store.count('member'), store.count('member')]);
        const killed = (await admin.query(othersSql)).map((row) => Number(row.id));
        expect(killed.length).toBeGreaterThan(0);
        for (const id of killed) await admin.query(killSql(id));
        // The very next call may meet a connection whose end the driver has not read yet.
        const first = await within(
          HANG_MS,
          `create #${kill}`,
          settle(store.create('member', member(`i${kill}`))),
        );
        if (first instanceof Error) expectConnectionError(first);
        else created++;
        await untilGone(admin, killed);
        await within(HANG_MS, `create #${kill}`, store.create('member', member(`j${kill}`)));
        created++;
      }
      expect(await store.count('member')).toBe(created);
      await closes(orm);
    });
  });
}
