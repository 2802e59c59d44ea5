import { buildEntitySchemas, createStore, type Store } from '@mikro-auth/core';
import type { MikroORM } from '@mikro-orm/core';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../harness/index.js';
import { CORE_TABLES } from './fixtures.js';

const db = useTestDatabase();
const entities = buildEntitySchemas(CORE_TABLES);
const Ticket = entities.find((schema) => schema.meta.className === 'Ticket')!;
let orm: MikroORM;
let store: Store;
const at = new Date('2026-05-06T07:08:09.123Z');
const ROWS = 1000;
const mysqlFamily = db.name === 'mysql' || db.name === 'mariadb';

beforeAll(async () => {
  orm = await db.init({ entities });
  store = createStore(orm);
});

beforeEach(async () => {
  await store.deleteMany('ticket');
  await store.deleteMany('member');
  await store.create('member', {
    id: 'm',
    name: 'm',
    email: 'm@x.io',
    emailVerified: false,
    createdAt: at,
  });
  const rows = Array.from({ length: ROWS }, (_, index) => ({
    id: `t${index}`,
    token: `token-${index}`,
    memberId: 'm',
    expiresAt: at,
    uses: index % 2,
  }));
  await orm.em.fork().insertMany(Ticket, rows);
});

describe(`statements per operation (${db.name})`, () => {
  it(`updateMany of ${ROWS} rows is one statement`, async () => {
    const { result, queries } = await db.recordQueries(() =>
      store.updateMany('ticket', [{ field: 'memberId', value: 'm' }], { label: 'bulk' }),
    );
    expect(result).toBe(ROWS);
    expect(queries).toHaveLength(1);
  });

  it(`deleteMany of ${ROWS} rows is one statement`, async () => {
    const { result, queries } = await db.recordQueries(() =>
      store.deleteMany('ticket', [{ field: 'uses', operator: 'in', value: [0, 1] }]),
    );
    expect(result).toBe(ROWS);
    expect(queries).toHaveLength(1);
  });

  it('findOne, findMany and count are one statement each', async () => {
    for (const run of [
      async () => store.findOne('ticket', [{ field: 'token', value: 'token-5' }]),
      () =>
        store.findMany('ticket', { where: [{ field: 'uses', value: 1 }], limit: 10, offset: 5 }),
      async () => store.count('ticket', [{ field: 'label', value: null }]),
    ] as Array<() => Promise<unknown>>) {
      expect((await db.recordQueries(run)).queries).toHaveLength(1);
    }
  });

  it('create is one statement (INSERT … RETURNING; on MySQL the row is built from what was written)', async () => {
    const { result, queries } = await db.recordQueries(() =>
      store.create('ticket', { id: 'new', token: 'new', memberId: 'm', expiresAt: at, uses: 0 }),
    );
    expect(result).toEqual({
      id: 'new',
      token: 'new',
      memberId: 'm',
      expiresAt: at,
      uses: 0,
      label: null,
    });
    expect(queries.filter((sql) => !/^select version/i.test(sql))).toHaveLength(1);
  });

  it(`updateOne by id is ${mysqlFamily ? 'two statements' : 'one statement'}`, async () => {
    const { result, queries } = await db.recordQueries(() =>
      store.updateOne('ticket', [{ field: 'id', value: 't3' }], { label: 'one' }),
    );
    expect(result).toMatchObject({ id: 't3', label: 'one' });
    expect(queries).toHaveLength(mysqlFamily ? 2 : 1);
  });

  // MySQL has no DELETE … RETURNING: a locking read and a delete. MariaDB 10.5+ has it.
  const lockingConsume = mysqlFamily && !/mariadb/i.test(db.label);
  it(`consumeOne is ${lockingConsume ? 'a locking read and a delete' : 'one statement'}`, async () => {
    const { result, queries } = await db.recordQueries(() =>
      store.consumeOne('ticket', [{ field: 'token', value: 'token-7' }]),
    );
    expect(result).toMatchObject({ id: 't7' });
    // The first mysql-family consume asks the server's version once per store.
    expect(queries.filter((sql) => !/^select version/i.test(sql))).toHaveLength(
      lockingConsume ? 2 : 1,
    );
  });

  it('consumeOne of a token nothing matches is one statement (it waits for no lock)', async () => {
    await store.consumeOne('ticket', [{ field: 'token', value: 'token-8' }]);
    const { result, queries } = await db.recordQueries(() =>
      store.consumeOne('ticket', [{ field: 'token', value: 'token-8' }]),
    );
    expect(result).toBeNull();
    expect(queries).toHaveLength(1);
  });
});
