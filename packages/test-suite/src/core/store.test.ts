import {
  buildEntitySchemas,
  createStore,
  InvalidQueryError,
  type Store,
  UniqueViolationError,
  UnknownFieldError,
  UnknownModelError,
} from '@mikro-auth/core';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../harness/index.js';
import { CORE_TABLES } from './fixtures.js';

const db = useTestDatabase();
let store: Store;

const createdAt = new Date('2026-03-04T05:06:07.891Z');

function member(id: string, extra: Record<string, unknown> = {}) {
  return {
    id,
    name: `Name ${id}`,
    email: `${id}@example.com`,
    emailVerified: false,
    createdAt,
    ...extra,
  };
}

beforeAll(async () => {
  const orm = await db.init({ entities: buildEntitySchemas(CORE_TABLES) });
  store = createStore(orm);
});

beforeEach(async () => {
  await store.deleteMany('ticket');
  await store.deleteMany('member');
  await store.deleteMany('counter');
});

describe(`store basics (${db.name})`, () => {
  it('creates a row and returns it as stored, with every type intact', async () => {
    const created = await store.create(
      'member',
      member('m1', {
        emailVerified: true,
        age: 41,
        metadata: { nested: { list: [1, 'two', null] }, flag: true },
        tags: ['a,b', 'c'],
        points: 9_007_199_254_740_991,
      }),
    );
    const expected = {
      id: 'm1',
      name: 'Name m1',
      email: 'm1@example.com',
      emailVerified: true,
      age: 41,
      createdAt,
      metadata: { nested: { list: [1, 'two', null] }, flag: true },
      tags: ['a,b', 'c'],
      points: 9_007_199_254_740_991,
    };
    expect(created).toEqual(expected);
    expect(await store.findOne('member', [{ field: 'id', value: 'm1' }])).toEqual(expected);
  });

  it('returns nulls for absent optional values and false booleans as false', async () => {
    const created = await store.create('member', member('m2'));
    expect(created).toMatchObject({
      age: null,
      metadata: null,
      tags: null,
      points: null,
      emailVerified: false,
    });
  });

  it('keeps millisecond precision and returns Dates', async () => {
    const at = new Date('2030-12-31T23:59:59.999Z');
    await store.create('member', member('m3', { createdAt: at }));
    const found = await store.findOne('member', [{ field: 'createdAt', value: at }]);
    expect(found?.createdAt).toBeInstanceOf(Date);
    expect((found!.createdAt as Date).toISOString()).toBe('2030-12-31T23:59:59.999Z');
  });

  it('answers to column names and <reference>Id, and returns foreign keys as ids', async () => {
    await store.create('member', member('m4'));
    const ticket = await store.create('ticket', {
      id: 't4',
      token: 'tok',
      memberId: 'm4',
      expiresAt: createdAt,
      uses: 0,
    });
    expect(ticket.memberId).toBe('m4');
    const byColumn = await store.findOne('member', [{ field: 'email_verified', value: false }]);
    expect(byColumn?.id).toBe('m4');
  });

  it('applies a database default for a field the insert leaves out', async () => {
    expect(await store.create('counter', { name: 'defaulted' })).toMatchObject({ value: 0 });
  });

  it('generates serial ids', async () => {
    const first = await store.create('counter', { name: 'a', value: 1 });
    const second = await store.create('counter', { name: 'b', value: 2 });
    expect(typeof first.id).toBe('number');
    expect(second.id).toBe((first.id as number) + 1);
  });

  it('selects only the requested fields', async () => {
    await store.create('member', member('m5'));
    const found = await store.findOne('member', [{ field: 'id', value: 'm5' }], {
      select: ['email'],
    });
    expect(found).toEqual({ email: 'm5@example.com' });
  });

  it('counts, sorts, limits and offsets', async () => {
    for (const [id, age] of [
      ['a', 30],
      ['b', null],
      ['c', 20],
      ['d', 30],
    ] as const) {
      await store.create('member', member(id, { age }));
    }
    expect(await store.count('member')).toBe(4);
    expect(await store.count('member', [{ field: 'age', operator: 'gte', value: 30 }])).toBe(2);
    const sorted = await store.findMany('member', { sort: { field: 'age', direction: 'desc' } });
    expect(sorted.map((row) => row.id)).toEqual(['a', 'd', 'c', 'b']);
    const page = await store.findMany('member', {
      sort: [{ field: 'age', direction: 'asc' }],
      limit: 2,
      offset: 1,
    });
    expect(page.map((row) => row.id)).toEqual(['c', 'a']);
  });

  it('updates one row and returns it, or null when nothing matched', async () => {
    await store.create('member', member('u1'));
    await store.create('member', member('u2'));
    const updated = await store.updateOne('member', [{ field: 'id', value: 'u1' }], {
      name: 'Renamed',
      email: 'renamed@example.com',
    });
    expect(updated).toMatchObject({ id: 'u1', name: 'Renamed', email: 'renamed@example.com' });
    const byEmail = await store.updateOne(
      'member',
      [{ field: 'email', value: 'renamed@example.com' }],
      {
        email: 'again@example.com',
      },
    );
    expect(byEmail).toMatchObject({ id: 'u1', email: 'again@example.com' });
    const none = await store.updateOne(
      'member',
      [
        { field: 'id', value: 'u1' },
        { field: 'name', value: 'Name u2' },
      ],
      { name: 'x' },
    );
    expect(none).toBeNull();
    const onlyOne = await store.updateOne('member', [{ field: 'emailVerified', value: false }], {
      age: 99,
    });
    expect(onlyOne).not.toBeNull();
    expect(await store.count('member', [{ field: 'age', value: 99 }])).toBe(1);
  });

  it('updateMany and deleteMany return the affected counts', async () => {
    for (const id of ['x1', 'x2', 'x3']) await store.create('member', member(id));
    expect(
      await store.updateMany('member', [{ field: 'id', operator: 'in', value: ['x1', 'x2'] }], {
        emailVerified: true,
      }),
    ).toBe(2);
    expect(await store.count('member', [{ field: 'emailVerified', value: true }])).toBe(2);
    expect(await store.deleteMany('member', [{ field: 'emailVerified', value: true }])).toBe(2);
    expect(await store.deleteMany('member')).toBe(1);
  });

  it('consumes one row and returns it; the second consume finds nothing', async () => {
    await store.create('member', member('c1'));
    await store.create('ticket', {
      id: 'k1',
      token: 'once',
      memberId: 'c1',
      expiresAt: createdAt,
      uses: 0,
    });
    await store.create('ticket', {
      id: 'k2',
      token: 'twice',
      memberId: 'c1',
      expiresAt: createdAt,
      uses: 0,
    });
    const consumed = await store.consumeOne('ticket', [{ field: 'memberId', value: 'c1' }]);
    expect(consumed).toMatchObject({ memberId: 'c1', expiresAt: createdAt });
    expect(await store.count('ticket')).toBe(1);
    expect(await store.consumeOne('ticket', [{ field: 'token', value: 'nope' }])).toBeNull();
  });

  it('increments guarded by where, with absolute sets in the same statement', async () => {
    await store.create('member', member('i1'));
    await store.create('ticket', {
      id: 'i1t',
      token: 'inc',
      memberId: 'i1',
      expiresAt: createdAt,
      uses: 0,
    });
    const once = await store.incrementOne('ticket', {
      where: [
        { field: 'id', value: 'i1t' },
        { field: 'uses', operator: 'lt', value: 2 },
      ],
      increment: { uses: 1 },
      set: { label: 'used' },
    });
    expect(once).toMatchObject({ uses: 1, label: 'used' });
    await store.incrementOne('ticket', {
      where: [{ field: 'id', value: 'i1t' }],
      increment: { uses: 1 },
    });
    const blocked = await store.incrementOne('ticket', {
      where: [
        { field: 'id', value: 'i1t' },
        { field: 'uses', operator: 'lt', value: 2 },
      ],
      increment: { uses: 1 },
    });
    expect(blocked).toBeNull();
    expect((await store.findOne('ticket', [{ field: 'id', value: 'i1t' }]))?.uses).toBe(2);
  });
});

describe(`store errors (${db.name})`, () => {
  it('names unknown models and fields with what exists', async () => {
    await expect(store.findOne('nope', [])).rejects.toThrow(UnknownModelError);
    await expect(store.findOne('nope', [])).rejects.toThrow(/Known entities: .*Member/);
    await expect(store.findOne('member', [{ field: 'mail', value: 'x' }])).rejects.toThrow(
      UnknownFieldError,
    );
    await expect(store.create('member', { ...member('e0'), nickname: 'x' })).rejects.toThrow(
      /Unknown field "nickname" on model "member".*Known fields: id, name, email/,
    );
  });

  it('rejects values of the wrong type before touching the database', async () => {
    await expect(
      store.findMany('member', { where: [{ field: 'age', value: 'old' }] }),
    ).rejects.toThrow(InvalidQueryError);
    await expect(
      store.findMany('member', { where: [{ field: 'id', operator: 'in', value: 'e1' }] }),
    ).rejects.toThrow(/needs an array/);
    await expect(store.create('member', member('e1', { createdAt: 'yesterday' }))).rejects.toThrow(
      /field "createdAt" holds dates/,
    );
    expect(await store.count('member')).toBe(0);
  });

  it('reports a unique violation by model and writes nothing', async () => {
    await store.create('member', member('e2'));
    const error = await store
      .create('member', { ...member('e3'), email: 'e2@example.com' })
      .catch((e) => e);
    expect(error).toBeInstanceOf(UniqueViolationError);
    expect(error.code).toBe('UNIQUE_VIOLATION');
    expect(error.message).toMatch(/model "member"/);
    expect(await store.count('member')).toBe(1);
  });

  it('matches SQL-looking values literally', async () => {
    await store.create('member', member('e4'));
    const hostile = "x' OR '1'='1";
    expect(await store.findMany('member', { where: [{ field: 'name', value: hostile }] })).toEqual(
      [],
    );
    expect(
      await store.findMany('member', {
        where: [{ field: 'name', operator: 'contains', value: hostile }],
      }),
    ).toEqual([]);
    expect(await store.count('member')).toBe(1);
  });
});
