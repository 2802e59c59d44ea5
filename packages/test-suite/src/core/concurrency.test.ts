import { buildEntitySchemas, createStore, type Store } from '@mikro-auth/core';
import type { MikroORM } from '@mikro-orm/core';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../harness/index.js';
import { CORE_TABLES } from './fixtures.js';

const db = useTestDatabase();
let orm: MikroORM;
let store: Store;
/** On the mysql legs: MySQL's path (no RETURNING) even on MariaDB. */
let mysqlPathStore: Store;
const mysqlFamily = db.name === 'mysql' || db.name === 'mariadb';
const at = new Date('2026-05-06T07:08:09.123Z');
const PARALLEL = 20;

/** A promise and the function that resolves it, for one test step to wait on another. */
function signal(): [Promise<void>, () => void] {
  let resolve!: () => void;
  const settled = new Promise<void>((done) => {
    resolve = done;
  });
  return [settled, resolve];
}

beforeAll(async () => {
  orm = await db.init({
    entities: buildEntitySchemas(CORE_TABLES),
    pool: { min: 0, max: 10 },
  });
  store = createStore(orm);
  mysqlPathStore = createStore(orm, { mysqlReturning: false });
});

beforeEach(async () => {
  await store.deleteMany('ticket');
  await store.deleteMany('member');
  await store.create('member', {
    id: 'm',
    name: 'm',
    email: 'm@x.io',
    emailVerified: false,
    createdAt: at,
  });
});

describe(`atomic primitives under concurrency (${db.name})`, () => {
  it(`${PARALLEL} parallel consumeOne on one row: exactly one caller gets it`, async () => {
    await store.create('ticket', {
      id: 'once',
      token: 'magic',
      memberId: 'm',
      expiresAt: at,
      uses: 0,
    });
    const results = await Promise.all(
      Array.from({ length: PARALLEL }, () =>
        store.consumeOne('ticket', [{ field: 'token', value: 'magic' }]),
      ),
    );
    const winners = results.filter((row) => row !== null);
    expect(winners).toHaveLength(1);
    expect(winners[0]).toMatchObject({ id: 'once', token: 'magic' });
    expect(await store.count('ticket')).toBe(0);
  });

  const paths = [
    { path: '', consumer: () => store },
    ...(mysqlFamily ? [{ path: " (MySQL's locking path)", consumer: () => mysqlPathStore }] : []),
  ];
  for (const { path, consumer } of paths) {
    it(`${PARALLEL} parallel consumeOne on ${PARALLEL} matching rows: every caller gets a different row${path}`, async () => {
      for (let round = 0; round < 5; round++) {
        for (let index = 0; index < PARALLEL; index++) {
          await store.create('ticket', {
            id: `r${index}`,
            token: `t${index}`,
            memberId: 'm',
            expiresAt: at,
            uses: 0,
          });
        }
        const results = await Promise.all(
          Array.from({ length: PARALLEL }, () =>
            consumer().consumeOne('ticket', [{ field: 'memberId', value: 'm' }]),
          ),
        );
        const ids = results.filter((row) => row !== null).map((row) => row!.id);
        expect(ids).toHaveLength(PARALLEL);
        expect(new Set(ids).size).toBe(PARALLEL);
        expect(await store.count('ticket')).toBe(0);
      }
    });
  }

  it(`${PARALLEL} parallel incrementOne by 1: the value grows by exactly ${PARALLEL}`, async () => {
    await store.create('ticket', {
      id: 'c',
      token: 'count',
      memberId: 'm',
      expiresAt: at,
      uses: 5,
    });
    const results = await Promise.all(
      Array.from({ length: PARALLEL }, () =>
        store.incrementOne('ticket', {
          where: [{ field: 'id', value: 'c' }],
          increment: { uses: 1 },
        }),
      ),
    );
    expect(results.every((row) => row !== null)).toBe(true);
    expect(new Set(results.map((row) => row!.uses)).size).toBe(PARALLEL);
    expect((await store.findOne('ticket', [{ field: 'id', value: 'c' }]))?.uses).toBe(5 + PARALLEL);
  });

  it('a guard holds under concurrency: only the callers that fit under it succeed', async () => {
    await store.create('ticket', {
      id: 'g',
      token: 'guard',
      memberId: 'm',
      expiresAt: at,
      uses: 0,
    });
    const results = await Promise.all(
      Array.from({ length: PARALLEL }, () =>
        store.incrementOne('ticket', {
          where: [
            { field: 'id', value: 'g' },
            { field: 'uses', operator: 'lt', value: 3 },
          ],
          increment: { uses: 1 },
        }),
      ),
    );
    expect(results.filter((row) => row !== null)).toHaveLength(3);
    expect((await store.findOne('ticket', [{ field: 'id', value: 'g' }]))?.uses).toBe(3);
  });
});

/** Waits until some statement waits for a row lock (or gives up after 2 s). */
async function someoneWaitsForALock(): Promise<void> {
  const sql =
    db.dialect === 'postgres'
      ? "select count(*) as n from pg_stat_activity where wait_event_type = 'Lock' and datname = current_database()"
      : // MariaDB lists a waiting autocommit statement in the process list, not in innodb_trx.
        "select count(*) as n from information_schema.processlist where db = database() and id <> connection_id() and (info like 'delete%' or info like '%for update')";
  for (let tries = 0; tries < 100; tries++) {
    const [row] = (await orm.em.getConnection().execute(sql)) as Array<{ n: number | string }>;
    if (Number(row?.n) > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

// SQLite runs one writer at a time: no statement can see a row change while it waits.
if (db.name !== 'sqlite') {
  describe(`guards hold at the moment of the write (${db.name})`, () => {
    const consumers = [
      { path: '', consumer: () => store },
      ...(mysqlFamily ? [{ path: " (MySQL's locking path)", consumer: () => mysqlPathStore }] : []),
    ];
    for (const { path, consumer } of consumers) {
      it(`consumeOne leaves a row that another transaction changed to no longer match while it waited${path}`, async () => {
        for (let trial = 0; trial < 10; trial++) {
          const id = `g${trial}`;
          await store.create('ticket', {
            id,
            token: `guarded-${trial}`,
            memberId: 'm',
            expiresAt: at,
            uses: 0,
            label: 'pending',
          });
          // Another transaction takes the row and changes it so the guard no longer holds…
          const [committing, commit] = signal();
          const [updated, changed] = signal();
          const other = orm.em.fork().transactional(async (tem) => {
            await tem
              .getConnection()
              .execute(
                db.dialect === 'postgres'
                  ? `update "ticket" set "label" = 'used' where "id" = ?`
                  : "update `ticket` set `label` = 'used' where `id` = ?",
                [id],
                'run',
                tem.getTransactionContext(),
              );
            changed();
            await committing;
          });
          await updated;
          // …while consumeOne, guarded by the old state, waits for it.
          const consuming = consumer().consumeOne('ticket', [
            { field: 'id', value: id },
            { field: 'label', value: 'pending' },
          ]);
          await someoneWaitsForALock();
          commit();
          await other;
          expect(await consuming).toBeNull();
          expect(await store.findOne('ticket', [{ field: 'id', value: id }])).toMatchObject({
            label: 'used',
          });
        }
      });

      it(`consumeOne that waited for a row its holder consumed takes the match that is left${path}`, async () => {
        for (let trial = 0; trial < 5; trial++) {
          const ids = ['a', 'b', 'c'].map((letter) => `${letter}${trial}`);
          for (const id of ids) {
            await store.create('ticket', {
              id,
              token: `left-${id}`,
              memberId: 'm',
              expiresAt: at,
              uses: 0,
              label: `left-${trial}`,
            });
          }
          // Another transaction holds all three rows and deletes the first two…
          const [committing, commit] = signal();
          const [holding, held] = signal();
          const q = (name: string) => (db.dialect === 'postgres' ? `"${name}"` : `\`${name}\``);
          const other = orm.em.fork().transactional(async (tem) => {
            const run = (sql: string, params: string[]) =>
              tem.getConnection().execute(sql, params, 'all', tem.getTransactionContext());
            await run(
              `select ${q('id')} from ${q('ticket')} where ${q('id')} in (?, ?, ?) for update`,
              ids,
            );
            await run(`delete from ${q('ticket')} where ${q('id')} in (?, ?)`, ids.slice(0, 2));
            held();
            await committing;
          });
          await holding;
          // …while consumeOne waits for them; the third is free once the holder commits.
          const consuming = consumer().consumeOne('ticket', [
            { field: 'label', value: `left-${trial}` },
          ]);
          await someoneWaitsForALock();
          commit();
          await other;
          expect(await consuming).toMatchObject({ id: ids[2] });
          expect(await store.count('ticket', [{ field: 'label', value: `left-${trial}` }])).toBe(0);
        }
      });
    }
  });
}

if (mysqlFamily) {
  describe(`MySQL-path writes return what they wrote (${db.name})`, () => {
    it('create is one INSERT with no re-read, so a concurrent delete cannot fail it', async () => {
      const { result, queries } = await db.recordQueries(() =>
        mysqlPathStore.create('ticket', {
          id: 'w0',
          token: 'w0',
          memberId: 'm',
          expiresAt: at,
          uses: 0,
        }),
      );
      expect(result).toEqual({
        id: 'w0',
        token: 'w0',
        memberId: 'm',
        expiresAt: at,
        uses: 0,
        label: null,
      });
      expect(queries.filter((sql) => !/^select version/i.test(sql))).toHaveLength(1);
      // Creates racing with consumers that delete each row as soon as it exists.
      const outcomes = await Promise.allSettled(
        Array.from({ length: 100 }, async (_, index) => {
          const token = `race-${index}`;
          const consumed = (async () => {
            for (let tries = 0; tries < 50; tries++) {
              const row = await store.consumeOne('ticket', [{ field: 'token', value: token }]);
              if (row) return row;
            }
            return null;
          })();
          const created = await mysqlPathStore.create('ticket', {
            id: `race${index}`,
            token,
            memberId: 'm',
            expiresAt: at,
            uses: 0,
          });
          return { created, consumed: await consumed };
        }),
      );
      const failed = outcomes.filter((outcome) => outcome.status === 'rejected');
      expect(failed).toEqual([]);
      for (const outcome of outcomes) {
        if (outcome.status === 'fulfilled') expect(outcome.value.created.id).toMatch(/^race/);
      }
    });

    it('updateOne reads the row back inside the transaction that updated it', async () => {
      await store.create('ticket', {
        id: 'u0',
        token: 'u0',
        memberId: 'm',
        expiresAt: at,
        uses: 0,
      });
      const { result, queries } = await db.recordQueries(() =>
        store.updateOne('ticket', [{ field: 'id', value: 'u0' }], { label: 'done' }),
      );
      expect(result).toMatchObject({ id: 'u0', label: 'done' });
      // In one transaction (MikroORM does not report BEGIN/COMMIT to `onQuery`).
      expect(queries.map((sql) => sql.split(' ')[0]?.toLowerCase())).toEqual(['update', 'select']);
    });
  });
}
