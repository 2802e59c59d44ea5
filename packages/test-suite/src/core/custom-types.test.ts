/**
 * Fields with custom MikroORM `Type`s: their values must be converted to the database form on every
 * call (filters, `in` lists, raw comparisons, written data), exactly once, with the statement cache
 * on and off, and read back through `convertToJSValue`.
 */
import { createStore, type Row, type Store } from '@mikro-auth/core';
import { defineEntity, type MikroORM, p, RequestContext, Type } from '@mikro-orm/core';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../harness/index.js';
import { LowerCaseType } from './operations.js';

/** A reversible "sealing": applying it twice, or not at all, shows in the stored value. */
class SealedType extends Type<string, string> {
  override convertToDatabaseValue(value: string): string {
    return typeof value === 'string' ? `sealed:${[...value].reverse().join('')}` : value;
  }
  override convertToJSValue(value: string): string {
    return typeof value === 'string' && value.startsWith('sealed:')
      ? [...value.slice('sealed:'.length)].reverse().join('')
      : value;
  }
  override getColumnType(): string {
    return 'varchar(255)';
  }
}

const Account = defineEntity({
  name: 'Account',
  tableName: 'account',
  properties: {
    id: p.string().primary(),
    email: p.type(LowerCaseType),
    secret: p.type(SealedType).nullable(),
    visits: p.integer(),
  },
});

const db = useTestDatabase();
let orm: MikroORM;
const stores: Array<{ label: string; store: Store }> = [];

beforeAll(async () => {
  orm = await db.init({ entities: [Account] });
  stores.push({ label: 'cache on', store: createStore(orm) });
  stores.push({ label: 'cache off', store: createStore(orm, { statementCache: false }) });
});

/** What the table holds, read with plain SQL (no type conversion). */
async function stored(): Promise<Row[]> {
  const rows = (await orm.em
    .getConnection()
    .execute('select id, email, secret, visits from account order by id')) as Row[];
  return rows.map((row) => ({ ...row, visits: Number(row.visits) }));
}

for (const { label, index } of [
  { label: 'cache on', index: 0 },
  { label: 'cache off', index: 1 },
]) {
  describe(`custom types (${db.name}, statement ${label})`, () => {
    let store: Store;
    beforeEach(async () => {
      store = stores[index]!.store;
      await orm.em.getConnection().execute('delete from account');
    });

    it('create converts written values once and returns them as a read would', async () => {
      const row = await store.create('account', {
        id: 'a',
        email: 'Ada@X.IO',
        secret: 'abc',
        visits: 0,
      });
      expect(row).toEqual({ id: 'a', email: 'ada@x.io', secret: 'abc', visits: 0 });
      expect(await stored()).toEqual([
        { id: 'a', email: 'ada@x.io', secret: 'sealed:cba', visits: 0 },
      ]);
      // The second create reuses the first one's shape.
      await store.create('account', { id: 'b', email: 'BOB@X.IO', secret: 'xyz', visits: 0 });
      expect((await stored())[1]).toEqual({
        id: 'b',
        email: 'bob@x.io',
        secret: 'sealed:zyx',
        visits: 0,
      });
    });

    it('where values are converted on every call, whatever value taught the shape', async () => {
      await store.create('account', { id: 'a', email: 'ada@x.io', secret: 'abc', visits: 0 });
      await store.create('account', { id: 'b', email: 'bob@x.io', secret: 'xyz', visits: 0 });
      // Each shape is first met with a value the conversion leaves unchanged, then with one it changes.
      for (const email of ['ada@x.io', 'ADA@X.IO', 'Ada@x.io']) {
        expect(await store.findOne('account', [{ field: 'email', value: email }])).toMatchObject({
          id: 'a',
          secret: 'abc',
        });
      }
      for (const value of [['bob@x.io'], ['BOB@X.IO', 'nobody@x.io'], ['ADA@X.IO', 'Bob@X.io']]) {
        const rows = await store.findMany('account', {
          where: [{ field: 'email', operator: 'in', value }],
        });
        expect(rows.map((row) => row.id)).toEqual(
          value.some((item) => item.toLowerCase() === 'ada@x.io') ? ['a', 'b'] : ['b'],
        );
      }
      expect(
        await store.count('account', [{ field: 'email', operator: 'ne', value: 'ADA@X.IO' }]),
      ).toBe(1);
      expect(
        await store.findOne('account', [
          { field: 'email', value: 'ADA@X.IO', mode: 'insensitive' },
        ]),
      ).toMatchObject({ id: 'a' });
      expect(
        (
          await store.findMany('account', {
            where: [{ field: 'email', operator: 'starts_with', value: 'BO' }],
          })
        ).map((row) => row.id),
      ).toEqual(['b']);
      expect(await store.findOne('account', [{ field: 'secret', value: 'xyz' }])).toMatchObject({
        id: 'b',
        secret: 'xyz',
      });
      expect(
        await store.count('account', [{ field: 'secret', operator: 'in', value: ['abc', 'xyz'] }]),
      ).toBe(2);
    });

    it('updates convert the values they write and the values they filter by', async () => {
      await store.create('account', { id: 'a', email: 'ada@x.io', secret: 'abc', visits: 0 });
      await store.create('account', { id: 'b', email: 'bob@x.io', secret: 'xyz', visits: 0 });
      expect(
        await store.updateOne('account', [{ field: 'email', value: 'ADA@X.IO' }], {
          email: 'ADA@NEW.IO',
          secret: 'def',
        }),
      ).toMatchObject({ id: 'a', email: 'ada@new.io', secret: 'def' });
      expect(
        await store.updateMany('account', [{ field: 'secret', value: 'xyz' }], { secret: 'uvw' }),
      ).toBe(1);
      expect(
        await store.incrementOne('account', {
          where: [{ field: 'email', value: 'BOB@X.IO' }],
          increment: { visits: 2 },
          set: { secret: 'rst' },
        }),
      ).toMatchObject({ id: 'b', visits: 2, secret: 'rst' });
      expect(await stored()).toEqual([
        { id: 'a', email: 'ada@new.io', secret: 'sealed:fed', visits: 0 },
        { id: 'b', email: 'bob@x.io', secret: 'sealed:tsr', visits: 2 },
      ]);
      expect(await store.consumeOne('account', [{ field: 'email', value: 'Ada@New.io' }])).toEqual({
        id: 'a',
        email: 'ada@new.io',
        secret: 'def',
        visits: 0,
      });
      expect(await store.deleteMany('account', [{ field: 'secret', value: 'rst' }])).toBe(1);
      expect(await stored()).toEqual([]);
    });

    it("bulk writes filtered by custom-typed fields update and detach the request's loaded entities", async () => {
      await store.create('account', { id: 'a', email: 'ada@x.io', secret: 'abc', visits: 0 });
      await store.create('account', { id: 'b', email: 'bob@x.io', secret: 'xyz', visits: 0 });
      await RequestContext.create(orm.em, async () => {
        const em = RequestContext.getEntityManager()!;
        const ada = (await em.findOneOrFail(Account, { id: 'a' })) as { visits: number };
        const bob = await em.findOneOrFail(Account, { id: 'b' });
        // The filter values are the JavaScript ones; the database (and MikroORM's snapshot) holds
        // 'ada@x.io' and 'sealed:cba'.
        expect(
          await store.updateMany('account', [{ field: 'email', value: 'ADA@X.IO' }], { visits: 3 }),
        ).toBe(1);
        expect(ada.visits).toBe(3);
        expect(
          await store.updateMany('account', [{ field: 'secret', value: 'abc' }], { visits: 4 }),
        ).toBe(1);
        expect(ada.visits).toBe(4);
        // A flush writes nothing back: the entity and its snapshot agree with the table.
        await em.flush();
        expect(await stored()).toEqual([
          { id: 'a', email: 'ada@x.io', secret: 'sealed:cba', visits: 4 },
          { id: 'b', email: 'bob@x.io', secret: 'sealed:zyx', visits: 0 },
        ]);
        expect(await store.deleteMany('account', [{ field: 'secret', value: 'xyz' }])).toBe(1);
        expect(em.getUnitOfWork().getById(Account, 'b')).toBeUndefined();
        expect(em.getUnitOfWork().getById(Account, 'a')).toBe(ada);
        expect(bob).toBeDefined();
      });
    });
  });
}
