import {
  buildEntitySchemas,
  type Clause,
  createStore,
  type Row,
  type Store,
} from '@mikro-auth/core';
import type { MikroORM } from '@mikro-orm/core';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../harness/index.js';
import { CORE_TABLES } from './fixtures.js';

const db = useTestDatabase();
let orm: MikroORM;
let store: Store;
const at = new Date('2026-05-06T07:08:09.123Z');

beforeAll(async () => {
  orm = await db.init({ entities: buildEntitySchemas(CORE_TABLES) });
  store = createStore(orm);
  // a: 3 tickets, b: 1 ticket, c: none
  for (const [id, age] of [
    ['a', 30],
    ['b', 20],
    ['c', null],
  ] as const) {
    await store.create('member', {
      id,
      name: id,
      email: `${id}@x.io`,
      emailVerified: id !== 'c',
      age,
      createdAt: at,
    });
  }
  for (const [id, memberId, uses] of [
    ['t1', 'a', 1],
    ['t2', 'a', 2],
    ['t3', 'a', 3],
    ['t4', 'b', 4],
  ] as const) {
    await store.create('ticket', { id, token: `tok-${id}`, memberId, expiresAt: at, uses });
  }
});

const tickets = {
  as: 'tickets',
  model: 'ticket',
  on: { from: 'id', to: 'memberId' },
  relation: 'many',
} as const;
const owner = {
  as: 'owner',
  model: 'member',
  on: { from: 'memberId', to: 'id' },
  relation: 'one',
} as const;
const ids = (rows: unknown) => (rows as Row[]).map((row) => row.id);

describe(`joins in one statement (${db.name})`, () => {
  it('places one-to-many rows in arrays, with [] when there are none, in one statement', async () => {
    const { result, queries } = await db.recordQueries(() =>
      store.findMany('member', { sort: { field: 'id', direction: 'asc' }, joins: [tickets] }),
    );
    expect(queries).toHaveLength(1);
    expect(ids(result)).toEqual(['a', 'b', 'c']);
    expect(result.map((row) => ids(row.tickets))).toEqual([['t1', 't2', 't3'], ['t4'], []]);
    expect((result[0]!.tickets as Row[])[0]).toMatchObject({
      token: 'tok-t1',
      memberId: 'a',
      expiresAt: at,
    });
  });

  it('applies the join limit per base row', async () => {
    const rows = await store.findMany('member', {
      sort: { field: 'id', direction: 'asc' },
      joins: [{ ...tickets, limit: 2 }],
    });
    expect(rows.map((row) => ids(row.tickets))).toEqual([['t1', 't2'], ['t4'], []]);
  });

  it('places one-to-one rows as objects (backwards join from the foreign key side)', async () => {
    const { result, queries } = await db.recordQueries(() =>
      store.findOne('ticket', [{ field: 'id', value: 't4' }], { joins: [owner] }),
    );
    expect(queries).toHaveLength(1);
    expect(result).toMatchObject({
      id: 't4',
      owner: { id: 'b', emailVerified: true, age: 20, createdAt: at },
    });
  });

  it('pages and sorts the base rows, not the joined ones', async () => {
    const rows = await store.findMany('member', {
      where: [{ field: 'emailVerified', value: true }],
      sort: { field: 'age', direction: 'desc' },
      limit: 1,
      offset: 1,
      joins: [tickets],
    });
    expect(ids(rows)).toEqual(['b']);
    expect(ids(rows[0]!.tickets)).toEqual(['t4']);
  });

  it('combines one-to-one and one-to-many joins and honours select on the base model', async () => {
    const rows = await store.findMany('ticket', {
      where: [{ field: 'memberId', value: 'a' }],
      sort: { field: 'uses', direction: 'desc' },
      select: ['token'],
      joins: [
        owner,
        {
          as: 'siblings',
          model: 'ticket',
          on: { from: 'memberId', to: 'memberId' },
          relation: 'many',
        },
      ],
    });
    expect(rows.map((row) => row.token)).toEqual(['tok-t3', 'tok-t2', 'tok-t1']);
    expect(rows[0]).not.toHaveProperty('uses');
    expect(rows.every((row) => (row.owner as Row).id === 'a')).toBe(true);
    expect(ids(rows[0]!.siblings)).toEqual(['t1', 't2', 't3']);
  });

  it('a read mixing one-to-one and one-to-many joins reuses its statement, with the same rows as without the cache', async () => {
    const cached = createStore(orm);
    const direct = createStore(orm, { statementCache: false });
    const read = (on: Store, memberId: string, limit: number) =>
      on.findMany('ticket', {
        where: [{ field: 'memberId', value: memberId }],
        sort: { field: 'uses', direction: 'asc' },
        joins: [
          owner,
          { ...tickets, as: 'siblings', on: { from: 'memberId', to: 'memberId' }, limit },
        ],
      });
    const first = await read(cached, 'a', 2);
    expect(cached.cachedStatements()).toBe(1);
    const second = await read(cached, 'b', 3);
    expect(cached.cachedStatements()).toBe(1);
    expect(first).toEqual(await read(direct, 'a', 2));
    expect(second).toEqual(await read(direct, 'b', 3));
    expect(first.map((row) => ids(row.siblings))).toEqual([
      ['t1', 't2'],
      ['t1', 't2'],
      ['t1', 't2'],
    ]);
    expect(second.map((row) => (row.owner as Row).id)).toEqual(['b']);
  });

  it('one row with one one-to-many join reads as a plain LEFT JOIN, with the rows the windowed statement returns', async () => {
    // The switch (plainSingleRowJoins: false) runs the general statement: the oracle here.
    const windowed = createStore(orm, { plainSingleRowJoins: false });
    const filters: Clause[][] = [
      [],
      [{ field: 'id', value: 'a' }],
      [{ field: 'id', value: 'c' }],
      [{ field: 'id', operator: 'in', value: ['b', 'c'] }],
      [{ field: 'age', operator: 'gt', value: 10 }],
      [{ field: 'emailVerified', value: true }],
      [{ field: 'id', value: 'zz' }],
    ];
    const read = async (target: Store, where: Clause[], joinLimit: number, desc: boolean) => {
      const joins = [{ ...tickets, limit: joinLimit }];
      const sort = [{ field: desc ? 'name' : 'id', direction: desc ? 'desc' : 'asc' } as const];
      const one = await db.recordQueries(() => target.findOne('member', where, { joins }));
      const many = await target.findMany('member', { where, sort, limit: 1, joins });
      return { one: one.result, many, sql: one.queries };
    };
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...filters),
        fc.integer({ min: 1, max: 4 }),
        fc.boolean(),
        async (where, joinLimit, desc) => {
          const plain = await read(store, where, joinLimit, desc);
          const general = await read(windowed, where, joinLimit, desc);
          expect(plain.one).toEqual(general.one);
          expect(plain.many).toEqual(general.many);
          expect(plain.sql).toHaveLength(1);
          expect(plain.sql[0]).not.toMatch(/row_number/i);
          expect(general.sql[0]).toMatch(/row_number/i);
        },
      ),
      { numRuns: 40 },
    );
    // The cut that matters: the first base row has fewer joined rows than the limit, later ones more.
    const first = await store.findMany('member', {
      sort: { field: 'id', direction: 'desc' },
      limit: 1,
      joins: [{ ...tickets, limit: 4 }],
    });
    expect(first).toEqual([expect.objectContaining({ id: 'c', tickets: [] })]);
  });

  it('two or three one-to-many joins read as one UNION ALL (n + m rows, not n × m), with the rows of side-by-side joins', async () => {
    // The switch (unionManyJoins: false) joins them side by side: the oracle here.
    const sideBySide = createStore(orm, { unionManyJoins: false });
    const filters: Clause[][] = [
      [],
      [{ field: 'id', value: 'a' }],
      [{ field: 'id', operator: 'in', value: ['b', 'c'] }],
      [{ field: 'age', operator: 'gt', value: 10 }],
      [{ field: 'id', value: 'zz' }],
    ];
    const read = async (target: Store, where: Clause[], limits: number[], page: number) => {
      // Two or three: with three, PostgreSQL's pairwise UNION typing needs typed NULLs.
      const joins = limits.map((limit, index) => ({
        ...tickets,
        as: index === 0 ? 'tickets' : `again${index}`,
        limit,
      }));
      const sort = { field: 'name', direction: 'desc' } as const;
      const { result, queries } = await db.recordQueries(() =>
        target.findMany('member', { where, sort, limit: page, joins }),
      );
      // Tickets as the base: a one-to-one join beside one-to-many ones, which start from two
      // different base columns (memberId, id), so each branch is matched on its own.
      const siblings = await target.findMany('ticket', {
        where: [{ field: 'uses', operator: 'lt', value: 4 }],
        sort: { field: 'uses', direction: 'asc' },
        joins: [
          owner,
          {
            ...tickets,
            as: 'siblings',
            on: { from: 'memberId', to: 'memberId' },
            limit: limits[0]!,
          },
          { ...tickets, as: 'more', on: { from: 'memberId', to: 'memberId' }, limit: limits[1]! },
          { ...tickets, as: 'itself', on: { from: 'id', to: 'id' } },
        ],
      });
      return { result, siblings, sql: queries };
    };
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...filters),
        fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 2, maxLength: 3 }),
        fc.integer({ min: 1, max: 3 }),
        async (where, limits, page) => {
          const union = await read(store, where, limits, page);
          const sideways = await read(sideBySide, where, limits, page);
          expect(union.result).toEqual(sideways.result);
          expect(union.siblings).toEqual(sideways.siblings);
          expect(union.sql).toHaveLength(1);
          expect(union.sql[0]).toMatch(/union all/i);
          expect(sideways.sql[0]).not.toMatch(/union all/i);
        },
      ),
      { numRuns: 30 },
    );
    const [a] = await store.findMany('member', {
      where: [{ field: 'id', value: 'a' }],
      joins: [tickets, { ...tickets, as: 'again', limit: 2 }, { ...tickets, as: 'once', limit: 1 }],
    });
    expect(ids(a!.tickets)).toEqual(['t1', 't2', 't3']);
    expect(ids(a!.again)).toEqual(['t1', 't2']);
    expect(ids(a!.once)).toEqual(['t1']);
    expect((a!.once as Row[])[0]).toMatchObject({ expiresAt: at, uses: 1 });
  });

  it('returns null or nothing when the base row does not exist', async () => {
    expect(
      await store.findOne('member', [{ field: 'id', value: 'zz' }], { joins: [tickets] }),
    ).toBeNull();
    expect(
      await store.findMany('member', { where: [{ field: 'id', value: 'zz' }], joins: [tickets] }),
    ).toEqual([]);
  });

  it('refuses a join alias that would overwrite a field', async () => {
    await expect(
      store.findOne('ticket', [{ field: 'id', value: 't4' }], {
        joins: [{ ...owner, as: 'memberId' }],
      }),
    ).rejects.toThrow(/join "memberId" would overwrite the field/);
  });
});
