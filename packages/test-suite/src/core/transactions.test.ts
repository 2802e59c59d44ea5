import { buildEntitySchemas, ConnectionError, createStore, type Store } from '@mikro-auth/core';
import { type MikroORM, RequestContext } from '@mikro-orm/core';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../harness/index.js';
import { CORE_TABLES, memberRow as member } from './fixtures.js';

const db = useTestDatabase();
let orm: MikroORM;
let store: Store;

const ids = async () =>
  (await store.findMany('member', { sort: { field: 'id', direction: 'asc' } })).map(
    (row) => row.id,
  );

beforeAll(async () => {
  orm = await db.init({ entities: buildEntitySchemas(CORE_TABLES) });
  store = createStore(orm);
});

beforeEach(async () => {
  await store.deleteMany('ticket');
  await store.deleteMany('member');
});

describe(`transactions (${db.name})`, () => {
  it('commits what the callback wrote and returns its result', async () => {
    const result = await store.transaction(async (tx) => {
      await tx.create('member', member('a'));
      await tx.updateOne('member', [{ field: 'id', value: 'a' }], { name: 'renamed' });
      return 'done';
    });
    expect(result).toBe('done');
    expect((await store.findOne('member', [{ field: 'id', value: 'a' }]))?.name).toBe('renamed');
  });

  it('rolls everything back on a thrown error, which reaches the caller unchanged', async () => {
    const boom = new Error('boom');
    const error = await store
      .transaction(async (tx) => {
        await tx.create('member', member('a'));
        await tx.create('member', member('b'));
        expect(await tx.count('member')).toBe(2);
        throw boom;
      })
      .catch((caught: unknown) => caught);
    expect(error).toBe(boom);
    expect(await ids()).toEqual([]);
  });

  it('rolls back a failed write inside the transaction with everything before it', async () => {
    const error = await store
      .transaction(async (tx) => {
        await tx.create('member', member('a'));
        await tx.create('member', { ...member('b'), email: 'a@x.io' });
      })
      .catch((caught: unknown) => caught);
    expect((error as { code?: string }).code).toBe('UNIQUE_VIOLATION');
    expect(await ids()).toEqual([]);
  });

  it('nests with savepoints: an inner failure caught by the outer callback keeps the outer writes', async () => {
    await store.transaction(async (tx) => {
      await tx.create('member', member('outer'));
      await tx
        .transaction(async (inner) => {
          await inner.create('member', member('inner'));
          throw new Error('inner fails');
        })
        .catch(() => undefined);
      expect(await tx.count('member')).toBe(1);
    });
    expect(await ids()).toEqual(['outer']);
  });

  it('the unbound store joins the transaction running around it', async () => {
    await store
      .transaction(async () => {
        await store.create('member', member('a'));
        throw new Error('undo');
      })
      .catch(() => undefined);
    expect(await ids()).toEqual([]);
  });

  it("joins the app's own em.transactional, so the app's rollback undoes auth writes too", async () => {
    await orm.em
      .fork()
      .transactional(async () => {
        await store.create('member', member('a'));
        expect(await store.count('member')).toBe(1);
        throw new Error('app rolls back');
      })
      .catch(() => undefined);
    expect(await ids()).toEqual([]);
  });
});

describe(`which EntityManager an operation runs on (${db.name})`, () => {
  it('uses the request context EntityManager inside RequestContext', async () => {
    await RequestContext.create(orm.em, async () => {
      expect(store.em()).toBe(RequestContext.getEntityManager());
    });
  });

  it('uses a fresh fork per operation outside any context, never the global EntityManager', () => {
    const first = store.em();
    expect(first).not.toBe(orm.em);
    expect(store.em()).not.toBe(first);
    expect(orm.config.get('allowGlobalContext')).toBe(false);
  });

  it('accepts an EntityManager getter', async () => {
    const em = orm.em.fork();
    const bound = createStore(() => em);
    await bound.create('member', member('g'));
    expect(bound.em()).toBe(em);
    expect(await store.count('member')).toBe(1);
  });
});

// SQLite is embedded: there is no connection to lose.
if (db.name !== 'sqlite') {
  describe(`a dropped connection (${db.name})`, () => {
    it('fails with ConnectionError keeping the driver error as cause, and leaves no partial data', async () => {
      const kill =
        db.dialect === 'postgres'
          ? 'select pg_terminate_backend(pg_backend_pid())'
          : 'kill connection_id()';
      const error = await store
        .transaction(async (tx) => {
          await tx.create('member', member('lost'));
          const em = tx.em();
          await em
            .getConnection()
            .execute(kill, [], 'all', em.getTransactionContext())
            .catch(() => undefined);
          await tx.create('member', member('after'));
        })
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ConnectionError);
      expect((error as ConnectionError).code).toBe('CONNECTION_FAILED');
      expect((error as ConnectionError).cause).toBeInstanceOf(Error);
      expect(await ids()).toEqual([]);
      await store.create('member', member('recovered'));
      expect(await ids()).toEqual(['recovered']);
    });
  });
}
