/**
 * Models keyed by several columns (a `TableSpec` with `primaryKey`, or an app's own entity with two
 * primary properties): what core supports on them, each checked against the database and the
 * app's identity map, and what it refuses with a typed error instead of a wrong statement.
 */
import {
  buildEntitySchemas,
  ConfigurationError,
  createStore,
  type Store,
  type TableSpec,
  UniqueViolationError,
  UnsupportedError,
} from '@mikro-auth/core';
import { type EntityManager, type MikroORM, RequestContext } from '@mikro-orm/core';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../harness/index.js';

const db = useTestDatabase();

/** A one-time code per address, keyed by (address, code) like Auth.js's verification tokens. */
const CODE: TableSpec = {
  entity: 'Code',
  table: 'one_time_code',
  primaryKey: ['address', 'code'],
  fields: {
    address: { type: 'string', exact: true },
    code: { type: 'string', exact: true },
    expires: { type: 'date' },
    attempts: { type: 'number', required: false },
  },
};
const entities = buildEntitySchemas([CODE]);
const Code = entities[0]!;
let orm: MikroORM;
let store: Store;

const expires = new Date('2031-02-03T04:05:06.789Z');
const row = (address: string, code: string, attempts: number | null = null) => ({
  address,
  code,
  expires,
  attempts,
});

beforeAll(async () => {
  orm = await db.init({ entities });
  store = createStore(orm);
});

beforeEach(async () => {
  await store.deleteMany('Code');
  for (const [address, code] of [
    ['ada@example.com', '123456'],
    ['bob@example.com', '123456'],
    ['ada@example.com', '654321'],
  ] as const) {
    await store.create('Code', row(address, code));
  }
});

/** Runs `fn` the way a web framework's middleware would: inside a RequestContext. */
function inRequest<T>(fn: (em: EntityManager) => Promise<T>): Promise<T> {
  return RequestContext.create(orm.em, () => fn(RequestContext.getEntityManager()!));
}

/** Every row as address/code, in key order. */
async function all(): Promise<string[]> {
  const rows = await store.findMany('Code', {});
  return rows.map((found) => `${found.address}/${found.code}`);
}

describe(`composite primary keys (${db.name})`, () => {
  it('the table gets a two-column primary key and no id column', async () => {
    const sql = await orm.schema.getCreateSchemaSQL();
    expect(sql).toMatch(/primary key \(["`]address["`], ?["`]code["`]\)/);
    expect(sql).not.toMatch(/["`]id["`]/);
  });

  it('the same code under two addresses is two rows; the same pair twice is a unique violation', async () => {
    expect(await store.count('Code', [{ field: 'code', value: '123456' }])).toBe(2);
    await expect(store.create('Code', row('ada@example.com', '123456'))).rejects.toBeInstanceOf(
      UniqueViolationError,
    );
    expect(await all()).toHaveLength(3);
  });

  it('create returns the row as stored; findOne finds it by both key fields', async () => {
    expect(await store.create('Code', row('cy@example.com', '000001', 2))).toEqual(
      row('cy@example.com', '000001', 2),
    );
    expect(
      await store.findOne('Code', [
        { field: 'address', value: 'cy@example.com' },
        { field: 'code', value: '000001' },
      ]),
    ).toEqual(row('cy@example.com', '000001', 2));
  });

  it('findMany breaks ties on every key column: pages neither overlap nor skip', async () => {
    const sort = { field: 'expires', direction: 'asc' } as const;
    const pages = [];
    for (const offset of [0, 1, 2]) {
      pages.push(...(await store.findMany('Code', { sort, limit: 1, offset })));
    }
    expect(pages.map((found) => `${found.address}/${found.code}`)).toEqual([
      'ada@example.com/123456',
      'ada@example.com/654321',
      'bob@example.com/123456',
    ]);
  });

  it('consumeOne deletes exactly the matching row once, and detaches it from the request', async () => {
    await inRequest(async (em) => {
      const loaded = await em.findOneOrFail(Code, { address: 'bob@example.com', code: '123456' });
      expect(em.getUnitOfWork().getById(Code, ['bob@example.com', '123456'])).toBe(loaded);
      const where = [
        { field: 'address', value: 'bob@example.com' },
        { field: 'code', value: '123456' },
      ];
      expect(await store.consumeOne('Code', where)).toEqual(row('bob@example.com', '123456'));
      expect(await store.consumeOne('Code', where)).toBeNull();
      expect(em.getUnitOfWork().getById(Code, ['bob@example.com', '123456'])).toBeUndefined();
      // The app's flush does not write the consumed row back.
      const { queries } = await db.recordQueries(() => em.flush());
      expect(queries.filter((sql) => /one_time_code/.test(sql))).toEqual([]);
    });
    expect(await all()).toEqual(['ada@example.com/123456', 'ada@example.com/654321']);
  });

  it('20 concurrent consumers of one address’s codes each get a different row, and each row goes once', async () => {
    await store.deleteMany('Code');
    const codes = Array.from({ length: 5 }, (_, index) => String(100_000 + index));
    for (const code of codes) await store.create('Code', row('ada@example.com', code));
    await store.create('Code', row('bob@example.com', codes[0]!));
    const taken = await Promise.all(
      Array.from({ length: 20 }, () =>
        store.consumeOne('Code', [{ field: 'address', value: 'ada@example.com' }]),
      ),
    );
    const got = taken.filter((found) => found !== null).map((found) => found.code);
    expect(got.sort()).toEqual(codes);
    expect(await all()).toEqual([`bob@example.com/${codes[0]}`]);
  });

  it('deleteMany and updateMany bring the entities loaded in the same request in line', async () => {
    await inRequest(async (em) => {
      const ada1 = await em.findOneOrFail(Code, { address: 'ada@example.com', code: '123456' });
      const ada2 = await em.findOneOrFail(Code, { address: 'ada@example.com', code: '654321' });
      const bob = await em.findOneOrFail(Code, { address: 'bob@example.com', code: '123456' });
      expect(
        await store.updateMany('Code', [{ field: 'address', value: 'ada@example.com' }], {
          attempts: 3,
        }),
      ).toBe(2);
      expect(ada1).toMatchObject({ attempts: 3 });
      expect(ada2).toMatchObject({ attempts: 3 });
      expect(bob).toMatchObject({ attempts: null });
      expect(await store.deleteMany('Code', [{ field: 'code', value: '123456' }])).toBe(2);
      const uow = em.getUnitOfWork();
      expect(uow.getById(Code, ['ada@example.com', '123456'])).toBeUndefined();
      expect(uow.getById(Code, ['bob@example.com', '123456'])).toBeUndefined();
      expect(uow.getById(Code, ['ada@example.com', '654321'])).toBe(ada2);
      // Nothing left for the flush to write: the sync refreshed the snapshot of what it wrote.
      const { queries } = await db.recordQueries(() => em.flush());
      expect(queries.filter((sql) => /attempts/.test(sql))).toEqual([]);
    });
    expect(await store.findMany('Code', {})).toEqual([row('ada@example.com', '654321', 3)]);
  });

  it('updateOne, incrementOne and joins refuse such a model with UnsupportedError, writing nothing', async () => {
    const where = [{ field: 'address', value: 'ada@example.com' }];
    const refused = [
      store.updateOne('Code', where, { attempts: 1 }),
      store.incrementOne('Code', { where, increment: { attempts: 1 } }),
      store.findMany('Code', {
        joins: [{ model: 'Code', as: 'same', on: { from: 'code', to: 'code' }, relation: 'many' }],
      }),
    ];
    for (const attempt of refused) {
      const error = await attempt.catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(UnsupportedError);
      expect((error as Error).message).toMatch(/composite.*\(address, code\)/);
    }
    expect((await store.findMany('Code', {})).map((found) => found.attempts)).toEqual([
      null,
      null,
      null,
    ]);
  });
});

describe('composite primary keys: table descriptions', () => {
  it('refuses a key field that is not a required field of the table', () => {
    expect(() =>
      buildEntitySchemas([{ ...CODE, primaryKey: ['address', 'attempts'] }]),
    ).toThrowError(ConfigurationError);
    expect(() => buildEntitySchemas([{ ...CODE, primaryKey: ['address', 'nope'] }])).toThrowError(
      /primary key field "nope" of table "one_time_code"/,
    );
  });

  it('refuses an id and a composite key together, and a reference to a composite-keyed table', () => {
    expect(() => buildEntitySchemas([{ ...CODE, id: { field: 'id' } }])).toThrowError(
      /both an id and a composite primaryKey/,
    );
    const audit: TableSpec = {
      entity: 'Audit',
      table: 'audit',
      fields: { code: { type: 'string', references: { table: 'Code' } } },
    };
    expect(() => buildEntitySchemas([CODE, audit])).toThrowError(/whose primary key is composite/);
  });
});
