/**
 * A store bound to a getter that returns EntityManagers of different ORMs (e.g. one ORM per
 * region or per tenant database, picked per request): every operation must use the metadata of the
 * ORM it runs on, and what a transaction-bound view learns must be the store's, not a copy's.
 */
import { buildEntitySchemas, createStore, type TableSpec } from '@mikro-auth/core';
import type { EntityManager, MikroORM } from '@mikro-orm/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../harness/index.js';
import { CORE_TABLES, memberRow as member } from './fixtures.js';

const db = useTestDatabase();

/** The same models on tables and columns with a prefix, as a second ORM of the app might map them. */
function prefixed(prefix: string): TableSpec[] {
  return CORE_TABLES.map((table) => ({
    ...table,
    table: `${prefix}${table.table}`,
    id: { ...table.id, column: `${prefix}id` },
    fields: Object.fromEntries(
      Object.entries(table.fields).map(([name, field]) => [
        name,
        {
          ...field,
          column: `${prefix}${field.column ?? name}`,
          ...(field.references
            ? { references: { ...field.references, table: `${prefix}${field.references.table}` } }
            : {}),
        },
      ]),
    ),
  }));
}

let ormA: MikroORM;
let ormB: MikroORM;

beforeAll(async () => {
  ormA = await db.init({ entities: buildEntitySchemas(CORE_TABLES) });
  ormB = await db.init({ entities: buildEntitySchemas(prefixed('b_')) });
});

/** The ids in `table` (primary key column `column`), read with plain SQL on `em`'s connection. */
async function idsIn(em: EntityManager, table: string, column = 'id'): Promise<string[]> {
  const rows = (await em
    .getConnection()
    .execute(`select ${column} as id from ${table} order by ${column}`)) as Array<{ id: string }>;
  return rows.map((row) => String(row.id));
}

describe(`a store whose getter returns EntityManagers of different ORMs (${db.name})`, () => {
  it('runs each operation on the tables of the ORM it was given, in and out of transactions', async () => {
    let current: MikroORM = ormA;
    const store = createStore(() => current.em);
    await store.deleteMany('member');
    await store.create('member', member('a1'));
    current = ormB;
    await store.deleteMany('member');
    await store.create('member', member('b1'));
    await store.transaction(async (tx) => {
      await tx.create('member', member('b2'));
      await tx.create('ticket', {
        id: 't-b',
        token: 'tok-b',
        memberId: 'b2',
        expiresAt: new Date('2026-01-01T00:00:00.000Z'),
        uses: 0,
      });
    });
    expect(
      await store.findMany('member', {
        where: [{ field: 'emailVerified', value: false }],
        sort: { field: 'email', direction: 'asc' },
      }),
    ).toEqual([expect.objectContaining({ id: 'b1' }), expect.objectContaining({ id: 'b2' })]);
    expect(
      await store.findOne('ticket', [{ field: 'token', value: 'tok-b' }], {
        joins: [
          { as: 'member', model: 'member', on: { from: 'memberId', to: 'id' }, relation: 'one' },
        ],
      }),
    ).toMatchObject({ id: 't-b', member: { id: 'b2', email: 'b2@x.io' } });
    const counter = await store.create('counter', { name: 'hits' });
    expect(
      await store.incrementOne('counter', {
        where: [{ field: 'id', value: counter.id as number }],
        increment: { value: 2 },
      }),
    ).toMatchObject({ name: 'hits', value: 2 });
    expect(await store.consumeOne('ticket', [{ field: 'token', value: 'tok-b' }])).toMatchObject({
      id: 't-b',
    });
    current = ormA;
    expect(await store.count('member')).toBe(1);

    expect(await idsIn(ormA.em, 'member')).toEqual(['a1']);
    expect(await idsIn(ormB.em, 'b_member', 'b_id')).toEqual(['b1', 'b2']);
    expect(await idsIn(ormB.em, 'b_ticket', 'b_id')).toEqual([]);
    expect(await idsIn(ormA.em, 'counter')).toEqual([]);
    expect(await idsIn(ormB.em, 'b_counter', 'b_id')).toEqual([String(counter.id)]);
  });

  it('a model first resolved inside a transaction is the one the store resolves afterwards', async () => {
    const store = createStore(ormA);
    const inside = await store.transaction(async (tx) => tx.model('member'));
    expect(store.model('member')).toBe(inside);
    expect(inside.tableName).toBe('member');
    const other = createStore(() => ormB.em);
    expect(other.model('member').tableName).toBe('b_member');
  });
});
