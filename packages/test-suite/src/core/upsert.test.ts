/**
 * `store.upsert`: insert-or-overwrite by primary key in one atomic statement on every database
 * (the primitive a session store's `set` stands on). Checked against the table, the app's identity
 * map, many concurrent callers on one key, and bad input that must write nothing.
 */
import {
  buildEntitySchemas,
  createStore,
  InvalidQueryError,
  InvalidValueError,
  type Store,
  type TableSpec,
  UnknownFieldError,
} from '@mikro-auth/core';
import { type EntityManager, type MikroORM, RequestContext } from '@mikro-orm/core';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../harness/index.js';

const db = useTestDatabase();

const SESSION: TableSpec = {
  entity: 'WebSession',
  table: 'web_session',
  id: { field: 'sid', column: 'sid', strategy: 'string' },
  fields: {
    data: { type: 'text' },
    expires: { type: 'date', index: true },
    hits: { type: 'number', required: false },
  },
};
/** A composite-keyed table: (address, code). */
const CODE: TableSpec = {
  entity: 'Code',
  table: 'upsert_code',
  primaryKey: ['address', 'code'],
  fields: {
    address: { type: 'string', exact: true },
    code: { type: 'string', exact: true },
    attempts: { type: 'number' },
  },
};
const entities = buildEntitySchemas([SESSION, CODE]);
const WebSession = entities[0]!;
let orm: MikroORM;
let store: Store;

const at = (minute: number) => new Date(Date.UTC(2031, 1, 3, 4, minute, 6, 789));

beforeAll(async () => {
  orm = await db.init({ entities });
  store = createStore(orm);
});

beforeEach(async () => {
  await store.deleteMany('WebSession');
  await store.deleteMany('Code');
});

function inRequest<T>(fn: (em: EntityManager) => Promise<T>): Promise<T> {
  return RequestContext.create(orm.em, () => fn(RequestContext.getEntityManager()!));
}

const bySid = (sid: string) => store.findOne('WebSession', [{ field: 'sid', value: sid }]);

describe(`store.upsert (${db.name})`, () => {
  it('inserts an absent row, then overwrites it, one statement each', async () => {
    const first = await db.recordQueries(() =>
      store.upsert('WebSession', { sid: 's1', data: '{"n":1}', expires: at(1), hits: 1 }),
    );
    expect(first.queries).toHaveLength(1);
    expect(await bySid('s1')).toEqual({ sid: 's1', data: '{"n":1}', expires: at(1), hits: 1 });
    const second = await db.recordQueries(() =>
      store.upsert('WebSession', { sid: 's1', data: '{"n":2}', expires: at(2), hits: 2 }),
    );
    expect(second.queries).toHaveLength(1);
    expect(await bySid('s1')).toEqual({ sid: 's1', data: '{"n":2}', expires: at(2), hits: 2 });
    expect(await store.count('WebSession')).toBe(1);
  });

  it('overwrites only the `update` fields; `update: []` keeps an existing row as it is', async () => {
    await store.upsert('WebSession', { sid: 's1', data: 'old', expires: at(1), hits: 1 });
    await store.upsert(
      'WebSession',
      { sid: 's1', data: 'new', expires: at(9), hits: 9 },
      { update: ['expires'] },
    );
    expect(await bySid('s1')).toEqual({ sid: 's1', data: 'old', expires: at(9), hits: 1 });
    await store.upsert(
      'WebSession',
      { sid: 's1', data: 'newer', expires: at(10), hits: 10 },
      { update: [] },
    );
    expect(await bySid('s1')).toEqual({ sid: 's1', data: 'old', expires: at(9), hits: 1 });
    // …and inserts an absent one in full.
    await store.upsert('WebSession', { sid: 's2', data: 'x', expires: at(3) }, { update: [] });
    expect(await bySid('s2')).toEqual({ sid: 's2', data: 'x', expires: at(3), hits: null });
  });

  it('a row with a composite key is matched on all its key fields', async () => {
    await store.upsert('Code', { address: 'ada@example.com', code: '123456', attempts: 0 });
    await store.upsert('Code', { address: 'bob@example.com', code: '123456', attempts: 0 });
    await store.upsert('Code', { address: 'ada@example.com', code: '123456', attempts: 3 });
    expect(await store.findMany('Code', {})).toEqual([
      { address: 'ada@example.com', code: '123456', attempts: 3 },
      { address: 'bob@example.com', code: '123456', attempts: 0 },
    ]);
  });

  // SQLite commits each of the 1,000 writes to its file one after another (~15 ms each here).
  it('1,000 concurrent upserts of one key leave one row, holding one caller’s values whole', {
    timeout: 120_000,
  }, async () => {
    const callers = Array.from({ length: 1000 }, (_, index) => index);
    const settled = await Promise.allSettled(
      callers.map((index) =>
        store.upsert('WebSession', {
          sid: 'hot',
          data: JSON.stringify({ index }),
          expires: at(index % 60),
          hits: index,
        }),
      ),
    );
    expect(settled.filter((outcome) => outcome.status === 'rejected')).toEqual([]);
    const rows = await store.findMany('WebSession', {});
    expect(rows).toHaveLength(1);
    const [row] = rows;
    // Not torn: data, expires and hits come from the same call.
    const index = (JSON.parse(String(row!.data)) as { index: number }).index;
    expect(row).toEqual({
      sid: 'hot',
      data: `{"index":${index}}`,
      expires: at(index % 60),
      hits: index,
    });
  });

  it('the entity loaded in the same request gets the written values; its flush writes nothing', async () => {
    await store.upsert('WebSession', { sid: 's1', data: 'old', expires: at(1), hits: 1 });
    await inRequest(async (em) => {
      const loaded = await em.findOneOrFail(WebSession, { sid: 's1' } as never);
      await store.upsert('WebSession', { sid: 's1', data: 'new', expires: at(2), hits: 2 });
      expect(loaded).toMatchObject({ data: 'new', expires: at(2), hits: 2 });
      const { queries } = await db.recordQueries(() => em.flush());
      expect(queries.filter((sql) => /web_session/.test(sql))).toEqual([]);
      // An upsert inside the app's own transaction rolls back with it.
      await expect(
        em.transactional(async () => {
          await store.upsert('WebSession', { sid: 's9', data: 'x', expires: at(1) });
          throw new Error('app failure');
        }),
      ).rejects.toThrow('app failure');
    });
    expect(await bySid('s9')).toBeNull();
    expect(await bySid('s1')).toEqual({ sid: 's1', data: 'new', expires: at(2), hits: 2 });
  });

  it('bad input gets a typed error that says what to fix, and writes nothing', async () => {
    await store.upsert('WebSession', { sid: 's1', data: 'kept', expires: at(1), hits: 1 });
    const attempts: [Promise<void>, new (...args: never[]) => Error, RegExp][] = [
      [
        store.upsert('WebSession', { data: 'x', expires: at(2) }),
        InvalidQueryError,
        /needs the primary key.*"sid"/,
      ],
      [
        store.upsert('WebSession', { sid: 's1', data: 'x', expires: at(2) }, { update: ['sid'] }),
        InvalidQueryError,
        /cannot update the primary key "sid"/,
      ],
      [
        store.upsert('WebSession', { sid: 's1', data: 'x' }, { update: ['expires'] }),
        InvalidQueryError,
        /updates "expires" but data has no value for it/,
      ],
      [
        store.upsert('WebSession', { sid: 's1', data: 'x', expires: at(2), color: 'red' }),
        UnknownFieldError,
        /color/,
      ],
      [
        store.upsert('WebSession', { sid: 's1', data: 'x', expires: 'not a date' }),
        InvalidQueryError,
        /expires/,
      ],
      [
        store.upsert('WebSession', { sid: 's1', data: 'x', expires: new Date(Number.NaN) }),
        InvalidValueError,
        /Invalid Date/,
      ],
    ];
    for (const [attempt, type, message] of attempts) {
      const error = await attempt.catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(type);
      expect((error as Error).message).toMatch(message);
    }
    expect(await store.findMany('WebSession', {})).toEqual([
      { sid: 's1', data: 'kept', expires: at(1), hits: 1 },
    ]);
  });
});
