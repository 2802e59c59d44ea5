/**
 * The statement cache is a shortcut, so it must be provably equivalent to the path it skips: random
 * sequences of operations (random where shapes and values, paging, writes, atomic primitives) run
 * through a store with the cache on and one with it off, in random tenant schemas, on a custom-typed
 * field too, and must give identical results and leave identical tables. Also checks what a shape is:
 * page values and `in`-list lengths make no new templates. A failure prints fast-check's seed and
 * path; replay with FC_SEED=<seed> FC_PATH=<path> pnpm test.
 */
import { createStore, type Store } from '@mikro-auth/core';
import { defineEntity, type MikroORM, p, RequestContext } from '@mikro-orm/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../harness/index.js';
import { LowerCaseType, operations, outcome, randomWhere, runOperation } from './operations.js';
import { createTenantSchemas, type TenantSchemas } from './tenant-schemas.js';

const properties = {
  id: p.string().primary(),
  s: p.string().nullable(),
  e: p.type(LowerCaseType).nullable(),
  n: p.integer().nullable(),
  d: p.datetime().nullable(),
};
/** The same table twice: one for the store with the cache, one for the store without. */
const Cached = defineEntity({ name: 'Cached', tableName: 'cached_item', properties });
const Direct = defineEntity({ name: 'Direct', tableName: 'direct_item', properties });

const db = useTestDatabase();
let orm: MikroORM;
let schemas: TenantSchemas;
let cachedStore: Store;
let directStore: Store;
const RUNS = Number(process.env.FC_RUNS ?? 100);

beforeAll(async () => {
  orm = await db.init({ entities: [Cached, Direct] });
  schemas = await createTenantSchemas(db, orm, ['t1', 't2'], ['cached_item', 'direct_item']);
  cachedStore = createStore(orm);
  directStore = createStore(orm, { statementCache: false });
});

afterAll(async () => {
  await schemas?.drop();
});

const FIELDS = ['s', 'e', 'n', 'd'] as const;
const TEXTS = ['a', 'A', 'ab', 'Ab', 'b', 'x%', 'x_y', ''];
const DATES = [new Date('2020-01-01T00:00:00.000Z'), new Date('2024-02-29T12:34:56.789Z')];

const value = (field: (typeof FIELDS)[number]): fc.Arbitrary<string | number | Date> =>
  field === 'n'
    ? fc.integer({ min: -2, max: 2 })
    : field === 'd'
      ? fc.constantFrom(...DATES)
      : fc.constantFrom(...TEXTS);

const where = randomWhere({
  fields: FIELDS,
  value,
  textFields: ['s', 'e'],
  texts: TEXTS,
  maxClauses: 3,
  inList: { maxLength: 5 },
});
const data = fc.record(
  { s: value('s'), e: value('e'), n: value('n'), d: value('d') },
  { requiredKeys: [] },
);

const operation = operations(where, data);

describe(`statement cache on and off give the same rows and the same tables (${db.name})`, () => {
  it(`${RUNS} random operation sequences in random tenant schemas`, async () => {
    let sequence = 0;
    // Guards the property against passing vacuously (every step failing or finding nothing).
    let rowsSeen = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ op: operation, tenant: fc.constantFrom(0, 1) }), {
          minLength: 1,
          maxLength: 25,
        }),
        async (steps) => {
          sequence++;
          for (const schema of schemas.names) {
            await RequestContext.create(
              orm.em,
              async () => {
                await directStore.deleteMany('direct_item');
                await cachedStore.deleteMany('cached_item');
              },
              { schema },
            );
          }
          for (const [index, { op, tenant }] of steps.entries()) {
            const schema = schemas.names[tenant]!;
            const id = `r${sequence}-${index}`;
            const [cached, direct] = await RequestContext.create(
              orm.em,
              async () => [
                await outcome(runOperation(cachedStore, 'cached_item', op, id)),
                await outcome(runOperation(directStore, 'direct_item', op, id)),
              ],
              { schema },
            );
            expect(cached, `step ${index} (${op.kind} in ${schema})`).toEqual(direct);
            const ok = (direct as { ok?: unknown }).ok;
            if (Array.isArray(ok) ? ok.length > 0 : typeof ok === 'object' && ok !== null) {
              rowsSeen++;
            }
          }
          for (const schema of schemas.names) {
            const [cached, direct] = await RequestContext.create(
              orm.em,
              async () => [
                await directStore.findMany('cached_item', {
                  sort: { field: 'id', direction: 'asc' },
                }),
                await directStore.findMany('direct_item', {
                  sort: { field: 'id', direction: 'asc' },
                }),
              ],
              { schema },
            );
            expect(cached, `table contents in ${schema}`).toEqual(direct);
          }
        },
      ),
      {
        numRuns: RUNS,
        seed: process.env.FC_SEED ? Number(process.env.FC_SEED) : undefined,
        path: process.env.FC_PATH,
      },
    );
    expect(rowsSeen).toBeGreaterThan(RUNS);
  }, 120_000);
});

describe(`what a statement shape is (${db.name})`, () => {
  it('page values and in-list lengths are parameters: 200 pages and lists of 1–64 values share a few templates', async () => {
    const store = createStore(orm);
    await store.findMany('cached_item', { limit: 10, offset: 1 });
    const afterOne = store.cachedStatements();
    expect(afterOne).toBe(1);
    for (let offset = 2; offset <= 200; offset++) {
      await store.findMany('cached_item', { limit: 10, offset });
    }
    expect(store.cachedStatements()).toBe(afterOne);
    for (let length = 1; length <= 64; length++) {
      const values = Array.from({ length }, (_, index) => `v${index}`);
      await store.count('cached_item', [{ field: 's', operator: 'in', value: values }]);
    }
    // One template per power of two: 1, 2, 4, 8, 16, 32, 64.
    expect(store.cachedStatements()).toBe(afterOne + 7);
  });

  it('the same shape in another schema is another statement', async () => {
    const store = createStore(orm);
    for (const schema of schemas.names) {
      await RequestContext.create(
        orm.em,
        () => store.count('cached_item', [{ field: 's', value: 'a' }]),
        { schema },
      );
    }
    expect(store.cachedStatements()).toBe(2);
  });

  it('an updateMany shape gets a template: the second call with other values reuses its SQL', async () => {
    // MikroORM's QueryBuilder appends RETURNING for a raw value given to set, so values that went
    // in as raw markers made the marked statement differ from the real one: never cached.
    const store = createStore(orm);
    await store.create('cached_item', { id: 'um-1', s: 'a', d: DATES[0] });
    const templates = store.cachedStatements();
    const update = (s: string, d: Date) =>
      db.recordQueries(() =>
        store.updateMany('cached_item', [{ field: 'id', value: 'um-1' }], { s, d }),
      );
    const first = await update('b', DATES[1]!);
    expect(store.cachedStatements()).toBe(templates + 1);
    const second = await update('c', DATES[0]!);
    expect(store.cachedStatements()).toBe(templates + 1);
    expect(first.result).toBe(1);
    expect(second.result).toBe(1);
    expect(second.queries).toEqual(first.queries);
    expect(second.queries[0]).not.toMatch(/returning/i);
    expect(await directStore.findOne('cached_item', [{ field: 'id', value: 'um-1' }])).toEqual(
      expect.objectContaining({ s: 'c', d: DATES[0] }),
    );
  });

  it('statementCache: false keeps no templates', async () => {
    await directStore.findMany('direct_item', { limit: 1 });
    expect(directStore.cachedStatements()).toBe(0);
  });
});
