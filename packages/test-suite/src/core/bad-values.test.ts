import {
  buildEntitySchemas,
  ConcurrencyConflictError,
  createStore,
  InvalidQueryError,
  InvalidValueError,
  MikroAuthError,
  type Row,
  type Store,
  type TableSpec,
  ValueTooLongError,
  type Where,
} from '@mikro-auth/core';
import type { MikroORM } from '@mikro-orm/core';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../harness/index.js';
import { CORE_TABLES } from './fixtures.js';

const db = useTestDatabase();
const mysqlFamily = db.name === 'mysql' || db.name === 'mariadb';
let orm: MikroORM;
let store: Store;

/** A table with a short string column, for values longer than their column. */
const SHORT: TableSpec = {
  entity: 'Short',
  table: 'short',
  fields: {
    code: { type: 'string', length: 10 },
    label: { type: 'string', length: 20, required: false },
  },
};
const TABLES = [...CORE_TABLES, SHORT];

const createdAt = new Date('2026-03-04T05:06:07.891Z');
const member = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  name: `Name ${id}`,
  email: `${id}@example.com`,
  emailVerified: false,
  createdAt,
  ...extra,
});
const byId = (id: string): Where => [{ field: 'id', value: id }];

/** The error a promise rejects with; fails the test when it resolves. */
async function failure(promise: Promise<unknown>): Promise<Error> {
  const outcome = await promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  if (!('error' in outcome)) {
    throw new Error(`expected a rejection, got ${JSON.stringify(outcome.value)}`);
  }
  expect(outcome.error).toBeInstanceOf(Error);
  return outcome.error as Error;
}

/** Asserts an InvalidValueError with `reason`, naming the model and the field or column. */
function expectInvalidValue(
  error: Error,
  reason: string,
  where: { model: string; field?: string; column?: string },
): InvalidValueError {
  expect(error).toBeInstanceOf(InvalidValueError);
  const typed = error as InvalidValueError;
  expect(typed.code).toBe('INVALID_VALUE');
  expect(typed.reason).toBe(reason);
  expect(typed.retryable).toBe(false);
  expect(typed.model).toBe(where.model);
  expect(typed.message).toContain(`model "${where.model}"`);
  if (where.field) {
    expect(typed.field).toBe(where.field);
    expect(typed.message).toContain(`field "${where.field}"`);
  }
  if (where.column) expect(typed.column).toBe(where.column);
  return typed;
}

/** Resolves once `count` callers have arrived. */
function barrier(count: number): () => Promise<void> {
  let arrived = 0;
  let release!: () => void;
  const all = new Promise<void>((resolve) => {
    release = resolve;
  });
  return async () => {
    arrived++;
    if (arrived === count) release();
    await all;
  };
}

/** Runs a raw statement on the transaction (or context) of a store. */
async function execute(on: Store, sql: string): Promise<unknown> {
  const em = on.em();
  return em.getConnection().execute(sql, [], 'all', em.getTransactionContext());
}

const names = async () =>
  (await store.findMany('member', { sort: { field: 'id', direction: 'asc' } })).map(
    (row) => `${row.id}:${row.name}`,
  );
const counters = async () =>
  (await store.findMany('counter', { sort: { field: 'name', direction: 'asc' } })).map(
    (row) => row.name,
  );

beforeAll(async () => {
  orm = await db.init({ entities: buildEntitySchemas(TABLES), pool: { min: 0, max: 10 } });
  store = createStore(orm);
});

beforeEach(async () => {
  await store.deleteMany('ticket');
  await store.deleteMany('member');
  await store.deleteMany('counter');
  await store.deleteMany('short');
});

describe(`a value too long for its column (${db.name})`, () => {
  if (mysqlFamily) {
    it('runs in strict mode, where MySQL/MariaDB refuse rather than truncate', async () => {
      const rows = (await execute(store, 'select @@sql_mode as mode')) as Array<{ mode: string }>;
      expect(rows[0]?.mode).toMatch(/STRICT_(TRANS|ALL)_TABLES/);
    });
  }

  if (db.name === 'sqlite') {
    it('is stored whole on SQLite, which does not enforce declared lengths', async () => {
      const created = await store.create('short', { id: 's1', code: '12345678901' });
      expect(created.code).toBe('12345678901');
      expect((await store.findOne('short', byId('s1')))?.code).toBe('12345678901');
    });
  } else {
    it('fails create with ValueTooLongError naming the model (and column where told); nothing is written', async () => {
      const error = await failure(store.create('short', { id: 's1', code: '12345678901' }));
      expect(error).toBeInstanceOf(ValueTooLongError);
      const typed = error as ValueTooLongError;
      expect(typed.code).toBe('VALUE_TOO_LONG');
      expect(typed.model).toBe('short');
      expect(typed.message).toMatch(
        mysqlFamily
          ? /^A value is too long for column "code" of model "short" \(Data too long/
          : /^A value is too long for a field of model "short" \(value too long for type/,
      );
      expect(typed.message).toMatch(/Shorten the value .* or widen the column/);
      // MySQL/MariaDB name the column; PostgreSQL names only the type (character varying(10)).
      if (mysqlFamily) expect(typed.column).toBe('code');
      else expect(typed.message).toMatch(/character varying\(10\)/);
      expect(typed.cause).toBeInstanceOf(Error);
      expect(await store.findOne('short', byId('s1'))).toBeNull();
    });

    it('fails update with ValueTooLongError and leaves the row as it was', async () => {
      await store.create('short', { id: 's2', code: 'fits' });
      const error = await failure(
        store.updateOne('short', byId('s2'), { code: 'x'.repeat(11), label: 'changed' }),
      );
      expect(error).toBeInstanceOf(ValueTooLongError);
      expect(await store.findOne('short', byId('s2'))).toEqual({
        id: 's2',
        code: 'fits',
        label: null,
      });
      expect(
        await failure(store.updateMany('short', undefined, { code: 'y'.repeat(11) })),
      ).toBeInstanceOf(ValueTooLongError);
      expect((await store.findOne('short', byId('s2')))?.code).toBe('fits');
    });
  }

  it('counts characters, not bytes: ten two-byte characters fit a varchar(10)', async () => {
    const code = 'é'.repeat(10);
    await store.create('short', { id: 's3', code });
    expect((await store.findOne('short', byId('s3')))?.code).toBe(code);
  });
});

describe(`NUL characters and malformed Unicode (${db.name})`, () => {
  it('refuses a NUL character before any SQL on every database; nothing is written', async () => {
    const error = await failure(store.create('member', member('n1', { name: 'a\u0000b' })));
    const typed = expectInvalidValue(error, 'nul_character', { model: 'member', field: 'name' });
    expect(typed.message).toMatch(/Nothing was sent to the database/);
    expect(typed.message).toMatch(/Remove NUL characters/);
    expect(await store.count('member')).toBe(0);
  });

  it('refuses a NUL character in an update, a JSON value and a where; the row is unchanged', async () => {
    await store.create('member', member('n2', { metadata: { a: 1 } }));
    const before = await store.findOne('member', byId('n2'));
    expectInvalidValue(
      await failure(store.updateOne('member', byId('n2'), { name: 'x\u0000', age: 3 })),
      'nul_character',
      { model: 'member', field: 'name' },
    );
    expectInvalidValue(
      await failure(store.updateOne('member', byId('n2'), { metadata: { a: 'x\u0000y' } })),
      'nul_character',
      { model: 'member', field: 'metadata' },
    );
    expectInvalidValue(
      await failure(store.findOne('member', [{ field: 'name', value: 'a\u0000' }])),
      'nul_character',
      { model: 'member', field: 'name' },
    );
    expect(await store.findOne('member', byId('n2'))).toEqual(before);
  });

  it('refuses a lone surrogate, which the database would turn into U+FFFD; emoji are kept', async () => {
    const error = await failure(store.create('member', member('u1', { name: 'cut \uD83D' })));
    const typed = expectInvalidValue(error, 'malformed_unicode', {
      model: 'member',
      field: 'name',
    });
    expect(typed.message).toMatch(/toWellFormed/);
    expect(await store.findOne('member', byId('u1'))).toBeNull();
    const created = await store.create('member', member('u2', { name: 'whole 😀' }));
    expect(created.name).toBe('whole 😀');
    expect((await store.findOne('member', byId('u2')))?.name).toBe('whole 😀');
  });

  it('rejects before SQL, so an open transaction is not aborted and commits its other writes', async () => {
    await store.transaction(async (tx) => {
      await tx.create('member', member('t1'));
      const error = await failure(tx.create('member', member('t2', { name: '\u0000' })));
      expect(error).toBeInstanceOf(InvalidValueError);
      await tx.create('member', member('t3'));
    });
    expect(await names()).toEqual(['t1:Name t1', 't3:Name t3']);
  });

  if (mysqlFamily) {
    it('reports a character the column charset cannot hold (utf8mb3, error 1366) as InvalidValueError', async () => {
      await execute(store, 'alter table short modify label varchar(20) character set utf8mb3 null');
      try {
        const error = await failure(store.create('short', { id: 'c1', code: 'ok', label: '😀' }));
        const typed = expectInvalidValue(error, 'unencodable', {
          model: 'short',
          column: 'label',
        });
        expect(typed.message).toMatch(/Nothing was written/);
        expect(typed.message).toMatch(/utf8mb4/);
        expect(await store.findOne('short', byId('c1'))).toBeNull();
      } finally {
        await execute(
          store,
          'alter table short modify label varchar(20) character set utf8mb4 null',
        );
      }
    });
  }
});

describe(`an Invalid Date (${db.name})`, () => {
  it('is refused on create and update as an invalid value, before SQL; nothing is written or changed', async () => {
    const created = await failure(
      store.create('member', member('d1', { createdAt: new Date('not a date') })),
    );
    const typed = expectInvalidValue(created, 'invalid_date', {
      model: 'member',
      field: 'createdAt',
    });
    expect(typed.message).toContain('got an Invalid Date');
    expect(typed.message).toMatch(/Nothing was sent to the database/);
    expect(await store.count('member')).toBe(0);

    await store.create('member', member('d2'));
    const before = await store.findOne('member', byId('d2'));
    const updated = await failure(
      store.updateOne('member', byId('d2'), { createdAt: new Date(Number.NaN) }),
    );
    expectInvalidValue(updated, 'invalid_date', { model: 'member', field: 'createdAt' });
    expect(await store.findOne('member', byId('d2'))).toEqual(before);
    expect(before?.createdAt).toEqual(createdAt);
  });

  it('in a where is an invalid query that says so (it could match nothing)', async () => {
    const error = await failure(
      store.findMany('member', { where: [{ field: 'createdAt', value: new Date('') }] }),
    );
    expect(error).toBeInstanceOf(InvalidQueryError);
    expect(error.message).toContain('got an Invalid Date');
  });
});

describe(`numbers an integer column cannot hold (${db.name})`, () => {
  it('refuses a fraction for an integer field instead of rounding it; nothing is written', async () => {
    const error = await failure(store.create('member', member('f1', { age: 1.5 })));
    const typed = expectInvalidValue(error, 'not_integer', { model: 'member', field: 'age' });
    expect(typed.message).toMatch(/got 1\.5/);
    expect(typed.message).toMatch(/Math\.round/);
    expect(await store.count('member')).toBe(0);
  });

  it('refuses NaN, Infinity and fractions for integer and bigint fields on update; the row is unchanged', async () => {
    await store.create('member', member('f2', { age: 40, points: 7 }));
    const before = await store.findOne('member', byId('f2'));
    const cases: Array<[string, unknown, string]> = [
      ['age', Number.NaN, 'not_finite'],
      ['age', Number.POSITIVE_INFINITY, 'not_finite'],
      ['age', 2.5, 'not_integer'],
      ['points', Number.NaN, 'not_finite'],
      ['points', Number.NEGATIVE_INFINITY, 'not_finite'],
      ['points', 1.5, 'not_integer'],
      ['points', '1.5', 'not_integer'],
      ['points', 2 ** 60, 'out_of_range'],
    ];
    for (const [field, value, reason] of cases) {
      const error = await failure(
        store.updateOne('member', byId('f2'), { name: 'changed', [field]: value }),
      );
      expectInvalidValue(error, reason, { model: 'member', field });
      expectInvalidValue(
        await failure(store.updateMany('member', undefined, { [field]: value })),
        reason,
        { model: 'member', field },
      );
    }
    expect(await store.findOne('member', byId('f2'))).toEqual(before);
  });

  it('refuses bigints outside the 64-bit range on every database; nothing is written', async () => {
    for (const points of ['9223372036854775808', -(2n ** 63n) - 1n]) {
      const error = await failure(store.create('member', member('f3', { points })));
      expectInvalidValue(error, 'out_of_range', { model: 'member', field: 'points' });
    }
    expect(await store.count('member')).toBe(0);
  });

  it('reports a value beyond an int column as out of range on servers; SQLite stores it', async () => {
    const age = 2 ** 40;
    if (db.name === 'sqlite') {
      expect((await store.create('member', member('f4', { age }))).age).toBe(age);
      return;
    }
    const error = await failure(store.create('member', member('f4', { age })));
    const typed = expectInvalidValue(error, 'out_of_range', { model: 'member' });
    if (mysqlFamily) expect(typed.column).toBe('age');
    expect(typed.message).toMatch(/Nothing was written/);
    expect(await store.count('member')).toBe(0);
  });

  it('refuses a fractional increment of an integer field; the value is unchanged', async () => {
    await store.create('member', member('m'));
    await store.create('ticket', {
      id: 'i1',
      token: 'tok',
      memberId: 'm',
      expiresAt: createdAt,
      uses: 1,
    });
    const error = await failure(
      store.incrementOne('ticket', { where: byId('i1'), increment: { uses: 0.5 } }),
    );
    expectInvalidValue(error, 'not_integer', { model: 'ticket', field: 'uses' });
    expect((await store.findOne('ticket', byId('i1')))?.uses).toBe(1);
  });
});

describe(`bigints beyond 2^53 (${db.name})`, () => {
  const big = '9007199254740993';

  if (db.name === 'sqlite') {
    it('are refused before SQL on SQLite, whose driver would read them back rounded', async () => {
      for (const points of [big, 2n ** 53n + 1n, '-9223372036854775808']) {
        const error = await failure(store.create('member', member('b1', { points })));
        const typed = expectInvalidValue(error, 'out_of_range', {
          model: 'member',
          field: 'points',
        });
        expect(typed.message).toMatch(/SQLite/);
      }
      expect(await store.count('member')).toBe(0);
      await store.create('member', member('b2', { points: 9_007_199_254_740_991 }));
      expectInvalidValue(
        await failure(store.updateOne('member', byId('b2'), { points: big })),
        'out_of_range',
        { model: 'member', field: 'points' },
      );
      expect((await store.findOne('member', byId('b2')))?.points).toBe(9_007_199_254_740_991);
    });

    it('written by other means fail the read loudly instead of coming back rounded', async () => {
      await store.create('member', member('b3', { points: 1 }));
      await execute(store, `update member set points = ${big} where id = 'b3'`);
      const error = await failure(store.findOne('member', byId('b3')));
      expect(error).toBeInstanceOf(MikroAuthError);
      expect((error as MikroAuthError).code).toBe('UNSUPPORTED');
      expect(error.message).toMatch(/Field "points" .* cannot be returned exactly/);
      // Other rows and fields stay readable.
      expect((await store.findOne('member', byId('b3'), { select: ['name'] }))?.name).toBe(
        'Name b3',
      );
    });

    it('written by other means fail consumeOne loudly too, and the row is not consumed', async () => {
      await store.create('member', member('b5', { points: 1 }));
      await execute(store, `update member set points = ${big} where id = 'b5'`);
      for (const consume of [
        () => store.consumeOne('member', byId('b5')),
        () => store.transaction((tx) => tx.consumeOne('member', byId('b5'))),
      ]) {
        const error = await failure(consume());
        expect((error as MikroAuthError).code).toBe('UNSUPPORTED');
        expect(error.message).toMatch(/Field "points" .* cannot be returned exactly/);
        expect(await store.count('member', byId('b5'))).toBe(1);
      }
      // Inside a transaction that goes on after the error, the row stays too.
      await store.transaction(async (tx) => {
        await failure(tx.consumeOne('member', byId('b5')));
        await tx.create('member', member('b6'));
      });
      expect(
        await store.count('member', [{ field: 'id', operator: 'in', value: ['b5', 'b6'] }]),
      ).toBe(2);
    });
  } else {
    it('round-trip exactly, returned as decimal strings (numbers while safe)', async () => {
      const created = await store.create('member', member('b1', { points: big }));
      expect(created.points).toBe(big);
      await store.create('member', member('b2', { points: 2n ** 63n - 1n }));
      await store.create('member', member('b3', { points: '-9223372036854775808' }));
      await store.create('member', member('b4', { points: 9_007_199_254_740_991 }));
      const points = (rows: Row[]) => rows.map((row) => row.points);
      expect(
        points(await store.findMany('member', { sort: { field: 'id', direction: 'asc' } })),
      ).toEqual([big, '9223372036854775807', '-9223372036854775808', 9_007_199_254_740_991]);
      expect(
        (await store.findMany('member', { where: [{ field: 'points', value: big }] })).map(
          (row) => row.id,
        ),
      ).toEqual(['b1']);
      const updated = await store.updateOne('member', byId('b4'), { points: 2n ** 53n + 3n });
      expect(updated?.points).toBe('9007199254740995');
    });
  }
});

describe(`concurrency conflicts (${db.name})`, () => {
  beforeEach(async () => {
    await store.create('member', member('a'));
    await store.create('member', member('b'));
  });

  function expectConflict(error: unknown, kind: string): ConcurrencyConflictError {
    expect(error).toBeInstanceOf(ConcurrencyConflictError);
    const typed = error as ConcurrencyConflictError;
    expect(typed.code).toBe('CONCURRENCY_CONFLICT');
    expect(typed.kind).toBe(kind);
    expect(typed.retryable).toBe(true);
    expect(typed.model).toBe('member');
    expect(typed.message).toMatch(/model "member"/);
    expect(typed.message).toMatch(/retryable.*run the whole transaction again/);
    expect(typed.cause).toBeInstanceOf(Error);
    return typed;
  }

  if (db.name !== 'sqlite') {
    it('a real deadlock: one transaction fails with ConcurrencyConflictError and is rolled back, the other commits', async () => {
      const bothLocked = barrier(2);
      const run = (name: string, first: string, second: string) =>
        store.transaction(async (tx) => {
          await tx.create('counter', { name });
          await tx.updateOne('member', byId(first), { name });
          await bothLocked();
          await tx.updateOne('member', byId(second), { name });
          return name;
        });
      const results = await Promise.allSettled([run('t1', 'a', 'b'), run('t2', 'b', 'a')]);
      const winners = results.filter((result) => result.status === 'fulfilled');
      const losers = results.filter((result) => result.status === 'rejected');
      expect(winners).toHaveLength(1);
      expect(losers).toHaveLength(1);
      expectConflict((losers[0] as PromiseRejectedResult).reason, 'deadlock');
      const winner = (winners[0] as PromiseFulfilledResult<string>).value;
      // The loser's writes are gone, its counter row included; the winner's are all there.
      expect(await names()).toEqual([`a:${winner}`, `b:${winner}`]);
      expect(await counters()).toEqual([winner]);
      // Retrying the loser's transaction now succeeds, and the store keeps working.
      const loser = winner === 't1' ? 't2' : 't1';
      await run(loser, 'a', 'b');
      expect(await names()).toEqual([`a:${loser}`, `b:${loser}`]);
      expect(await counters()).toEqual(['t1', 't2']);
    });
  }

  if (db.name !== 'sqlite') {
    it("a deadlock in the callback's own SQL is a ConcurrencyConflictError of the transaction, not of its commit", async () => {
      const bothLocked = barrier(2);
      const run = (name: string, first: string, second: string) =>
        store.transaction(async (tx) => {
          await tx.create('counter', { name });
          await execute(tx, `update member set name = '${name}' where id = '${first}'`);
          await bothLocked();
          await execute(tx, `update member set name = '${name}' where id = '${second}'`);
          return name;
        });
      const results = await Promise.allSettled([run('t1', 'a', 'b'), run('t2', 'b', 'a')]);
      const losers = results.filter((result) => result.status === 'rejected');
      expect(losers).toHaveLength(1);
      const error = (losers[0] as PromiseRejectedResult).reason as ConcurrencyConflictError;
      expect(error).toBeInstanceOf(ConcurrencyConflictError);
      expect(error).toMatchObject({ kind: 'deadlock', model: undefined, retryable: true });
      expect(error.message).toMatch(/^The database aborted a transaction because/);
      expect(error.cause).toBeInstanceOf(Error);
      const winner = (
        results.find((result) => result.status === 'fulfilled') as PromiseFulfilledResult<string>
      ).value;
      expect(await names()).toEqual([`a:${winner}`, `b:${winner}`]);
      expect(await counters()).toEqual([winner]);
    });
  }

  if (db.dialect === 'postgres') {
    it('a serialization failure (repeatable read) is a retryable ConcurrencyConflictError', async () => {
      const read = barrier(2);
      const written = barrier(2);
      const results = await Promise.allSettled([
        store.transaction(async (tx) => {
          await execute(tx, 'set transaction isolation level repeatable read');
          await tx.create('counter', { name: 'snapshot' });
          await tx.findOne('member', byId('a'));
          await read();
          await written();
          await tx.updateOne('member', byId('a'), { name: 'snapshot' });
        }),
        (async () => {
          await read();
          await store.updateOne('member', byId('a'), { name: 'concurrent' });
          await written();
        })(),
      ]);
      expect(results[1].status).toBe('fulfilled');
      expect(results[0].status).toBe('rejected');
      expectConflict((results[0] as PromiseRejectedResult).reason, 'serialization_failure');
      expect(await names()).toEqual(['a:concurrent', 'b:Name b']);
      expect(await counters()).toEqual([]);
    });

    it('a serialization failure raised by COMMIT (serializable write skew) is a ConcurrencyConflictError too', async () => {
      const read = barrier(2);
      const wrote = barrier(2);
      let firstCommitted!: () => void;
      const committed = new Promise<void>((resolve) => {
        firstCommitted = resolve;
      });
      // Each reads one row and writes the other: only the second COMMIT detects the conflict.
      const run = (mine: string, other: string, second: boolean) =>
        store.transaction(async (tx) => {
          await execute(tx, 'set transaction isolation level serializable');
          await tx.findOne('member', byId(mine));
          await read();
          await tx.updateOne('member', byId(other), { name: `by ${mine}` });
          await wrote();
          if (second) await committed;
        });
      const results = await Promise.allSettled([
        run('a', 'b', false).finally(() => firstCommitted()),
        run('b', 'a', true),
      ]);
      expect(results[0].status).toBe('fulfilled');
      expect(results[1].status).toBe('rejected');
      const error = (results[1] as PromiseRejectedResult).reason as ConcurrencyConflictError;
      expect(error).toBeInstanceOf(ConcurrencyConflictError);
      expect(error.kind).toBe('serialization_failure');
      expect(error.retryable).toBe(true);
      expect(error.message).toMatch(/The transaction was rolled back; nothing of it was written/);
      expect(await names()).toEqual(['a:Name a', 'b:by a']);
    });
  }

  if (db.name !== 'sqlite') {
    it('a lock wait timeout is a retryable ConcurrencyConflictError; the waiter writes nothing', async () => {
      const locked = barrier(2);
      let release!: () => void;
      const done = new Promise<void>((resolve) => {
        release = resolve;
      });
      const holder = store.transaction(async (tx) => {
        await tx.updateOne('member', byId('a'), { name: 'holder' });
        await locked();
        await done;
      });
      const waiter = (async () => {
        await locked();
        try {
          await store.transaction(async (tx) => {
            await execute(
              tx,
              db.dialect === 'postgres'
                ? "set local lock_timeout = '300ms'"
                : 'set session innodb_lock_wait_timeout = 1',
            );
            await tx.updateOne('member', byId('b'), { name: 'waiter' });
            try {
              await tx.updateOne('member', byId('a'), { name: 'waiter' });
            } finally {
              // The pooled connection keeps session settings; MariaDB rolled back only the statement.
              if (mysqlFamily) await execute(tx, 'set session innodb_lock_wait_timeout = default');
            }
          });
        } finally {
          release();
        }
      })();
      const [held, waited] = await Promise.allSettled([holder, waiter]);
      expect(held.status).toBe('fulfilled');
      expect(waited.status).toBe('rejected');
      expectConflict((waited as PromiseRejectedResult).reason, 'lock_timeout');
      expect(await names()).toEqual(['a:holder', 'b:Name b']);
    });
  }

  if (db.name === 'sqlite') {
    it('a locked database file (SQLITE_BUSY) is a retryable ConcurrencyConflictError; nothing is written', async () => {
      // A second ORM on the same file: SQLite has one writer at a time across connections.
      const other = createStore(
        await db.connect({ entities: buildEntitySchemas(TABLES), driverOptions: { timeout: 200 } }),
      );
      const locked = barrier(2);
      let release!: () => void;
      const done = new Promise<void>((resolve) => {
        release = resolve;
      });
      const holder = store.transaction(async (tx) => {
        await tx.updateOne('member', byId('a'), { name: 'holder' });
        await locked();
        await done;
      });
      const waiter = (async () => {
        await locked();
        try {
          await other.updateOne('member', byId('b'), { name: 'waiter' });
        } finally {
          release();
        }
      })();
      const [held, waited] = await Promise.allSettled([holder, waiter]);
      expect(held.status).toBe('fulfilled');
      expect(waited.status).toBe('rejected');
      expectConflict((waited as PromiseRejectedResult).reason, 'busy');
      expect(await names()).toEqual(['a:holder', 'b:Name b']);
      // Once the lock is gone, the same write succeeds.
      await other.updateOne('member', byId('b'), { name: 'waiter' });
      expect(await names()).toEqual(['a:holder', 'b:waiter']);
    });
  }
});
