import { buildEntitySchemas, createStore, type Store } from '@mikro-auth/core';
import { type EntityManager, type MikroORM, RequestContext } from '@mikro-orm/core';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../harness/index.js';
import { CORE_TABLES, seedMembersWithTickets } from './fixtures.js';

const db = useTestDatabase();
const entities = buildEntitySchemas(CORE_TABLES);
const Member = entities.find((schema) => schema.meta.className === 'Member')!;
const Ticket = entities.find((schema) => schema.meta.className === 'Ticket')!;
let orm: MikroORM;
let store: Store;

const at = new Date('2026-05-06T07:08:09.123Z');

beforeAll(async () => {
  orm = await db.init({ entities });
  store = createStore(orm);
});

beforeEach(async () => {
  await store.deleteMany('ticket');
  await store.deleteMany('member');
  await seedMembersWithTickets(store);
});

/** Runs `fn` the way a web framework's middleware would: inside a RequestContext. */
function inRequest<T>(fn: (em: EntityManager) => Promise<T>): Promise<T> {
  return RequestContext.create(orm.em, () => fn(RequestContext.getEntityManager()!));
}

type MemberEntity = { id: string; name: string; emailVerified: boolean; age: number | null };
type TicketEntity = { id: string; uses: number; label: string | null };

describe(`identity map after native writes (${db.name})`, () => {
  it('updateMany updates entities loaded in the same request, and a later flush keeps the new values', async () => {
    await inRequest(async (em) => {
      const a = (await em.findOneOrFail(Member, { id: 'a' })) as MemberEntity;
      const c = (await em.findOneOrFail(Member, { id: 'c' })) as MemberEntity;
      const count = await store.updateMany(
        'member',
        [{ field: 'id', operator: 'in', value: ['a', 'b'] }],
        {
          emailVerified: true,
          age: 7,
        },
      );
      expect(count).toBe(2);
      expect(a).toMatchObject({ emailVerified: true, age: 7 });
      expect(c).toMatchObject({ emailVerified: false, age: null });
      // The flush must not write the bulk-updated columns back. (On SQLite, MikroORM 7.2 itself
      // rewrites datetime columns of loaded entities on flush; that statement is not ours.)
      const { queries } = await db.recordQueries(() => em.flush());
      expect(queries.filter((sql) => /email_verified|[`"]age[`"]/.test(sql))).toEqual([]);
      if (db.name !== 'sqlite') expect(queries).toEqual([]);
    });
    const rows = await store.findMany('member', { sort: { field: 'id', direction: 'asc' } });
    expect(rows.map((row) => [row.id, row.emailVerified, row.age])).toEqual([
      ['a', true, 7],
      ['b', true, 7],
      ['c', false, null],
    ]);
  });

  it('updateMany filtered by a bigint field updates the entities loaded in the same request', async () => {
    await store.updateMany('member', [{ field: 'id', value: 'a' }], {
      points: 9_007_199_254_740_991,
    });
    await store.updateMany('member', [{ field: 'id', value: 'b' }], { points: 5 });
    await inRequest(async (em) => {
      const a = (await em.findOneOrFail(Member, { id: 'a' })) as MemberEntity;
      const b = (await em.findOneOrFail(Member, { id: 'b' })) as MemberEntity;
      expect(
        await store.updateMany(
          'member',
          [{ field: 'points', operator: 'in', value: [9_007_199_254_740_991, 6] }],
          { age: 40 },
        ),
      ).toBe(1);
      expect(await store.updateMany('member', [{ field: 'points', value: 5 }], { age: 50 })).toBe(
        1,
      );
      expect(a.age).toBe(40);
      expect(b.age).toBe(50);
    });
  });

  it("keeps the user's own pending changes to other fields", async () => {
    await inRequest(async (em) => {
      const a = (await em.findOneOrFail(Member, { id: 'a' })) as MemberEntity;
      a.name = 'changed by the app';
      await store.updateMany('member', [{ field: 'id', value: 'a' }], { emailVerified: true });
      await em.flush();
    });
    expect(await store.findOne('member', [{ field: 'id', value: 'a' }])).toMatchObject({
      name: 'changed by the app',
      emailVerified: true,
    });
  });

  it('updateOne and incrementOne refresh the loaded entity from the returned row', async () => {
    await inRequest(async (em) => {
      const ticket = (await em.findOneOrFail(Ticket, { id: 't-a' })) as TicketEntity;
      await store.incrementOne('ticket', {
        where: [{ field: 'id', value: 't-a' }],
        increment: { uses: 2 },
      });
      expect(ticket.uses).toBe(2);
      await store.updateOne('ticket', [{ field: 'token', value: 'tok-a' }], { label: 'seen' });
      expect(ticket.label).toBe('seen');
      await em.flush();
    });
    expect(await store.findOne('ticket', [{ field: 'id', value: 't-a' }])).toMatchObject({
      uses: 2,
      label: 'seen',
    });
  });

  it('deleteMany detaches deleted entities so a later flush does not resurrect or touch them', async () => {
    await inRequest(async (em) => {
      const ticket = (await em.findOneOrFail(Ticket, { id: 't-b' })) as TicketEntity;
      const kept = (await em.findOneOrFail(Ticket, { id: 't-c' })) as TicketEntity;
      expect(await store.deleteMany('ticket', [{ field: 'memberId', value: 'b' }])).toBe(1);
      expect(em.getUnitOfWork().getById(Ticket, 't-b')).toBeUndefined();
      expect(em.getUnitOfWork().getById(Ticket, 't-c')).toBe(kept);
      ticket.uses = 99;
      await em.flush();
      expect(await em.findOne(Ticket, { id: 't-b' })).toBeNull();
    });
    expect(await store.count('ticket')).toBe(2);
  });

  it('consumeOne detaches the consumed entity', async () => {
    await inRequest(async (em) => {
      await em.findOneOrFail(Ticket, { id: 't-c' });
      const consumed = await store.consumeOne('ticket', [{ field: 'token', value: 'tok-c' }]);
      expect(consumed?.id).toBe('t-c');
      expect(em.getUnitOfWork().getById(Ticket, 't-c')).toBeUndefined();
      await em.flush();
    });
    expect(await store.count('ticket')).toBe(2);
  });

  it('a create after deleteMany in the same request inserts only the new row', async () => {
    await inRequest(async (em) => {
      await em.findOneOrFail(Member, { id: 'a' });
      await store.deleteMany('ticket', [{ field: 'memberId', value: 'a' }]);
      const { queries } = await db.recordQueries(() =>
        store.create('ticket', {
          id: 't-a2',
          token: 'tok-a2',
          memberId: 'a',
          expiresAt: at,
          uses: 0,
        }),
      );
      expect(queries.filter((sql) => /^insert/i.test(sql))).toHaveLength(1);
      expect(queries.join('\n')).not.toMatch(/insert into [`"]member/i);
    });
  });
});
