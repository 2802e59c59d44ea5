/**
 * The app's unit of work is the app's: store writes made in the same RequestContext as the app's own
 * loaded and edited entities change only what the statement wrote, pick the entities to bring in line
 * by what the database changed (never by unsaved edits), and never flush the app's pending changes
 * from an internal transaction.
 */
import { buildEntitySchemas, createStore, type Row, type Store } from '@mikro-auth/core';
import { type EntityManager, type MikroORM, RequestContext } from '@mikro-orm/core';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../harness/index.js';
import { CORE_TABLES, seedMembersWithTickets } from './fixtures.js';

const db = useTestDatabase();
const entities = buildEntitySchemas(CORE_TABLES);
const Member = entities.find((schema) => schema.meta.className === 'Member')!;
const Ticket = entities.find((schema) => schema.meta.className === 'Ticket')!;
const Counter = entities.find((schema) => schema.meta.className === 'Counter')!;
const mysqlFamily = db.name === 'mysql' || db.name === 'mariadb';
let orm: MikroORM;
let store: Store;
/** On the mysql legs: the store that takes MySQL's locking-read path even on MariaDB. */
let lockingStore: Store;

const at = new Date('2026-05-06T07:08:09.123Z');
type MemberEntity = { id: string; name: string; emailVerified: boolean; age: number | null };
type TicketEntity = { id: string; uses: number; label: string | null };
type CounterEntity = { id: number; name: string; value: number };

beforeAll(async () => {
  orm = await db.init({ entities });
  store = createStore(orm);
  lockingStore = createStore(orm, { mysqlReturning: false });
});

beforeEach(async () => {
  await store.deleteMany('ticket');
  await store.deleteMany('member');
  await store.deleteMany('counter');
  await seedMembersWithTickets(store);
  await store.create('counter', { name: 'hits', value: 1 });
});

function inRequest<T>(fn: (em: EntityManager) => Promise<T>): Promise<T> {
  return RequestContext.create(orm.em, () => fn(RequestContext.getEntityManager()!));
}

/** A row as the database holds it, read on a fork of its own. */
async function dbRow(model: 'member' | 'ticket', id: string): Promise<Row | null> {
  return createStore(() => orm.em.fork()).findOne(model, [{ field: 'id', value: id }]);
}

describe(`the app's pending edits survive store writes (${db.name})`, () => {
  it("updateOne writes its fields into the loaded entity and keeps the app's unsaved edit of another", async () => {
    await inRequest(async (em) => {
      const member = (await em.findOneOrFail(Member, { id: 'a' })) as MemberEntity;
      member.name = 'edited by the app';
      const row = await store.updateOne('member', [{ field: 'id', value: 'a' }], {
        emailVerified: true,
      });
      expect(row).toMatchObject({ name: 'a', emailVerified: true });
      expect(member).toMatchObject({ name: 'edited by the app', emailVerified: true });
      await em.flush();
    });
    expect(await dbRow('member', 'a')).toMatchObject({
      name: 'edited by the app',
      emailVerified: true,
    });
  });

  it("incrementOne keeps the app's unsaved edit of another field", async () => {
    await inRequest(async (em) => {
      const ticket = (await em.findOneOrFail(Ticket, { id: 't-a' })) as TicketEntity;
      ticket.label = 'edited by the app';
      const row = await store.incrementOne('ticket', {
        where: [{ field: 'id', value: 't-a' }],
        increment: { uses: 2 },
      });
      expect(row).toMatchObject({ uses: 2, label: null });
      expect(ticket).toMatchObject({ uses: 2, label: 'edited by the app' });
      await em.flush();
    });
    expect(await dbRow('ticket', 't-a')).toMatchObject({ uses: 2, label: 'edited by the app' });
  });

  it('updateMany brings in line the entities whose rows it changed, not those an unsaved edit makes look alike', async () => {
    await store.updateOne('member', [{ field: 'id', value: 'c' }], { name: 'target' });
    await inRequest(async (em) => {
      const b = (await em.findOneOrFail(Member, { id: 'b' })) as MemberEntity;
      const c = (await em.findOneOrFail(Member, { id: 'c' })) as MemberEntity;
      b.name = 'target'; // unsaved: the row still says 'b'
      c.name = 'other'; // unsaved: the row still says 'target'
      expect(
        await store.updateMany('member', [{ field: 'name', value: 'target' }], {
          emailVerified: true,
        }),
      ).toBe(1);
      expect(b.emailVerified).toBe(false);
      expect(c.emailVerified).toBe(true);
      await em.flush();
    });
    expect(await dbRow('member', 'b')).toMatchObject({ name: 'target', emailVerified: false });
    expect(await dbRow('member', 'c')).toMatchObject({ name: 'other', emailVerified: true });
  });

  const deleteManyByDatabase = (writer: () => Store) => async () => {
    await inRequest(async (em) => {
      const a = (await em.findOneOrFail(Ticket, { id: 't-a' })) as TicketEntity;
      const b = (await em.findOneOrFail(Ticket, { id: 't-b' })) as TicketEntity;
      a.label = 'doomed'; // unsaved: the row's label is still null
      b.uses = 5; // unsaved: the row still has 0 uses
      const where = [
        { field: 'uses', value: 0 },
        { field: 'label', value: null },
      ];
      expect(await writer().deleteMany('ticket', where)).toBe(3);
      expect(em.getUnitOfWork().getById(Ticket, 't-a')).toBeUndefined();
      expect(em.getUnitOfWork().getById(Ticket, 't-b')).toBeUndefined();
      await em.flush();
    });
    expect(await store.count('ticket')).toBe(0);
  };

  it(
    'deleteMany detaches the entities whose rows it deleted, whatever the unsaved edits say',
    deleteManyByDatabase(() => store),
  );
  if (mysqlFamily) {
    it(
      "deleteMany on MySQL's path (no RETURNING) decides by the entities' loaded state",
      deleteManyByDatabase(() => lockingStore),
    );
  }
});

describe(`no internal transaction flushes the app's unit of work (${db.name})`, () => {
  /** A request with a persisted-but-unflushed member and an edited counter. */
  async function withPendingChanges(run: () => Promise<unknown>): Promise<void> {
    await inRequest(async (em) => {
      em.persist(
        em.create(Member, {
          id: 'pending',
          name: 'p',
          email: 'p@x.io',
          emailVerified: false,
          createdAt: at,
        }),
      );
      const counter = (await em.findOneOrFail(Counter, { name: 'hits' })) as CounterEntity;
      counter.value = 100;
      await run();
      // Nothing the app left pending reached the database…
      expect(await dbRow('member', 'pending')).toBeNull();
      const fresh = await createStore(() => orm.em.fork()).findOne('counter', [
        { field: 'name', value: 'hits' },
      ]);
      expect(fresh?.value).toBe(1);
      // …until the app flushes.
      await em.flush();
    });
    expect(await dbRow('member', 'pending')).toMatchObject({ name: 'p' });
    expect((await store.findOne('counter', [{ field: 'name', value: 'hits' }]))?.value).toBe(100);
  }

  it('incrementOne', async () => {
    await withPendingChanges(() =>
      store.incrementOne('ticket', {
        where: [{ field: 'id', value: 't-a' }],
        increment: { uses: 1 },
      }),
    );
  });

  it('updateOne', async () => {
    await withPendingChanges(() =>
      store.updateOne('ticket', [{ field: 'token', value: 'tok-a' }], { label: 'x' }),
    );
  });

  it('consumeOne', async () => {
    await withPendingChanges(async () => {
      expect(await store.consumeOne('ticket', [{ field: 'token', value: 'tok-a' }])).not.toBeNull();
    });
  });

  if (mysqlFamily) {
    it("consumeOne on MySQL's locking-read path", async () => {
      await withPendingChanges(async () => {
        expect(
          await lockingStore.consumeOne('ticket', [{ field: 'token', value: 'tok-b' }]),
        ).toMatchObject({ id: 't-b' });
      });
    });
  }

  it("store.transaction flushes the app's pending changes at commit, and a failing flush is a typed error that commits nothing", async () => {
    await inRequest(async (em) => {
      em.persist(
        em.create(Member, {
          id: 'dup',
          name: 'd',
          email: 'a@x.io',
          emailVerified: false,
          createdAt: at,
        }),
      );
      const error = await store
        .transaction(async (tx) => {
          await tx.updateOne('ticket', [{ field: 'id', value: 't-a' }], { label: 'in tx' });
        })
        .catch((caught: unknown) => caught);
      expect(error).toMatchObject({
        name: 'UniqueViolationError',
        code: 'UNIQUE_VIOLATION',
        model: undefined,
      });
      // The flush spans entities: no made-up model name in the message.
      expect((error as Error).message).toMatch(
        /^Unique constraint ("[^"]+" )?violated: a row with/,
      );
    });
    expect(await dbRow('ticket', 't-a')).toMatchObject({ label: null });
    expect(await dbRow('member', 'dup')).toBeNull();
  });
});
