/**
 * Schema per tenant, the way multi-tenant MikroORM apps run: one store, and the tenant chosen per
 * request with `RequestContext.create(orm.em, fn, { schema })` or a getter returning
 * `orm.em.fork({ schema })`. Every operation must read and write the tenant's own tables, with the
 * statement cache learning a shape in one tenant and meeting it again in the other. PostgreSQL
 * schemas; on MySQL/MariaDB a schema is a database; on SQLite an attached database file.
 */
import { buildEntitySchemas, createStore, type Row, type Store } from '@mikro-auth/core';
import {
  type EntityManager,
  type EntityName,
  type MikroORM,
  RequestContext,
} from '@mikro-orm/core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../harness/index.js';
import { CORE_TABLES, memberRow as member } from './fixtures.js';
import { createTenantSchemas, type TenantSchemas } from './tenant-schemas.js';

const db = useTestDatabase();
const at = new Date('2026-05-06T07:08:09.123Z');

{
  let orm: MikroORM;
  let store: Store;
  let tenants: [string, string];

  let schemas: TenantSchemas;

  beforeAll(async () => {
    orm = await db.init({ entities: buildEntitySchemas(CORE_TABLES) });
    schemas = await createTenantSchemas(
      db,
      orm,
      ['tenant_a', 'tenant_b'],
      ['member', 'ticket', 'counter'],
    );
    tenants = [schemas.names[0]!, schemas.names[1]!];
    store = createStore(orm);
  });

  afterAll(async () => {
    await schemas?.drop();
  });

  /** Runs `fn` in a request bound to the tenant's schema, as tenant middleware does. */
  const inTenant = <T>(schema: string, fn: () => Promise<T>): Promise<T> =>
    RequestContext.create(orm.em, fn, { schema });

  /** The tenant's rows of a table, read with MikroORM itself (not through the store). */
  async function rowsOf(schema: string, entity: string): Promise<Row[]> {
    const em: EntityManager = orm.em.fork({ schema });
    const found = await em.find<Row>(
      entity as unknown as EntityName<Row>,
      {},
      {
        orderBy: { id: 'asc' },
      },
    );
    return found.map((row) => ({ ...row }));
  }

  beforeEach(async () => {
    for (const [index, schema] of tenants.entries()) {
      await inTenant(schema, async () => {
        await store.deleteMany('ticket');
        await store.deleteMany('member');
        const id = index === 0 ? 'a' : 'b';
        await store.create('member', member(id));
        await store.create('ticket', {
          id: `t-${id}`,
          token: 'shared-token',
          memberId: id,
          expiresAt: at,
          uses: 0,
        });
      });
    }
  });

  describe(`one store, a schema per tenant (${db.name})`, () => {
    it('create wrote each tenant’s rows into its own schema', async () => {
      expect((await rowsOf(tenants[0], 'Member')).map((row) => row.id)).toEqual(['a']);
      expect((await rowsOf(tenants[1], 'Member')).map((row) => row.id)).toEqual(['b']);
    });

    it('findOne, findMany and count read the tenant’s own rows, shape after shape', async () => {
      for (const [index, schema] of [...tenants, ...tenants].entries()) {
        const id = index % 2 === 0 ? 'a' : 'b';
        await inTenant(schema, async () => {
          const one = await store.findOne('ticket', [{ field: 'token', value: 'shared-token' }]);
          expect(one?.memberId).toBe(id);
          const many = await store.findMany('member', { limit: 10, offset: 0 });
          expect(many.map((row) => row.id)).toEqual([id]);
          expect(await store.count('member', [{ field: 'name', value: id }])).toBe(1);
        });
      }
    });

    it('one-to-one and one-to-many joins read the joined tables of the tenant’s schema', async () => {
      for (const [index, schema] of [...tenants, ...tenants].entries()) {
        const id = index % 2 === 0 ? 'a' : 'b';
        await inTenant(schema, async () => {
          const [ticket] = await store.findMany('ticket', {
            joins: [
              { as: 'owner', model: 'member', on: { from: 'memberId', to: 'id' }, relation: 'one' },
            ],
          });
          expect((ticket?.owner as Row | null)?.id).toBe(id);
          const [owner] = await store.findMany('member', {
            joins: [
              {
                as: 'tickets',
                model: 'ticket',
                on: { from: 'id', to: 'memberId' },
                relation: 'many',
              },
            ],
          });
          expect((owner!.tickets as Row[]).map((row) => row.id)).toEqual([`t-${id}`]);
          // A one-to-one join from the key side (not on a unique key) takes the derived path.
          const [viaKey] = await store.findMany('member', {
            joins: [
              {
                as: 'ticket',
                model: 'ticket',
                on: { from: 'id', to: 'memberId' },
                relation: 'one',
              },
            ],
          });
          expect((viaKey?.ticket as Row | null)?.id).toBe(`t-${id}`);
        });
      }
    });

    it('updateOne, updateMany, incrementOne, deleteMany and consumeOne change only the tenant’s rows', async () => {
      await inTenant(tenants[0], async () => {
        expect(
          await store.updateOne('ticket', [{ field: 'token', value: 'shared-token' }], {
            label: 'first',
          }),
        ).toMatchObject({ id: 't-a' });
      });
      await inTenant(tenants[1], async () => {
        expect(
          await store.updateOne('ticket', [{ field: 'token', value: 'shared-token' }], {
            label: 'second',
          }),
        ).toMatchObject({ id: 't-b', label: 'second' });
        expect(
          await store.updateMany('member', [{ field: 'emailVerified', value: false }], {
            name: 'renamed',
          }),
        ).toBe(1);
        expect(
          await store.incrementOne('ticket', {
            where: [{ field: 'token', value: 'shared-token' }],
            increment: { uses: 5 },
          }),
        ).toMatchObject({ id: 't-b', uses: 5 });
      });
      expect(await rowsOf(tenants[0], 'Ticket')).toMatchObject([{ label: 'first', uses: 0 }]);
      expect(await rowsOf(tenants[1], 'Ticket')).toMatchObject([{ label: 'second', uses: 5 }]);
      expect(await rowsOf(tenants[0], 'Member')).toMatchObject([{ name: 'a' }]);
      expect(await rowsOf(tenants[1], 'Member')).toMatchObject([{ name: 'renamed' }]);

      await inTenant(tenants[0], async () => {
        expect(
          await store.consumeOne('ticket', [{ field: 'token', value: 'shared-token' }]),
        ).toMatchObject({ id: 't-a' });
      });
      expect(await rowsOf(tenants[0], 'Ticket')).toEqual([]);
      expect(await rowsOf(tenants[1], 'Ticket')).toHaveLength(1);
      await inTenant(tenants[1], async () => {
        expect(await store.deleteMany('ticket', [{ field: 'token', value: 'shared-token' }])).toBe(
          1,
        );
      });
      expect(await rowsOf(tenants[1], 'Ticket')).toEqual([]);
      expect(await rowsOf(tenants[0], 'Member')).toHaveLength(1);
    });

    it('a store built from a getter follows the schema of the EntityManager it returns', async () => {
      let schema = tenants[0];
      const scoped = createStore(() => orm.em.fork({ schema }));
      expect(await scoped.findOne('member', [{ field: 'name', value: 'a' }])).toMatchObject({
        id: 'a',
      });
      schema = tenants[1];
      expect(await scoped.findOne('member', [{ field: 'name', value: 'a' }])).toBeNull();
      await scoped.create('member', member('b2'));
      expect((await rowsOf(tenants[1], 'Member')).map((row) => row.id)).toEqual(['b', 'b2']);
      expect((await rowsOf(tenants[0], 'Member')).map((row) => row.id)).toEqual(['a']);
    });
  });
}
