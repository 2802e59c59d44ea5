/**
 * Prepared statements (core/src/orm/prepared.ts) are a shortcut past MikroORM's own execution
 * (which inlines every value into the SQL text), so they must be provably equivalent to it: random
 * operation sequences run through a store with `preparedStatements` on and one with it off (the
 * statement cache on in both), on every kind of value the models hold — text with quotes and
 * question marks, integers, doubles, booleans, dates, JSON, a custom `Type` — in random tenant
 * schemas, half of them inside `store.transaction`, and must give identical results and leave
 * identical tables. The rest checks what a user of a database server would notice: statements are
 * prepared once per connection, a connection that dropped them recovers, the app's own logger and
 * `onQuery` still see every statement, and the switch turns it all off. A failure prints
 * fast-check's seed and path; replay with FC_SEED=<seed> FC_PATH=<path> pnpm test.
 */
import { cp, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createStore, type Row, type Store } from '@mikro-auth/core';
import { preparedRuns } from '@mikro-auth/core/internal';
import { defineEntity, type MikroORM, p, RequestContext } from '@mikro-orm/core';
import fc from 'fast-check';
import { PostgresDialect } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../harness/index.js';
import { LowerCaseType, operations, outcome, randomWhere, runOperation } from './operations.js';
import { preparedDuring, preparesOn } from './prepared-runs.js';
import { createTenantSchemas, type TenantSchemas } from './tenant-schemas.js';

const properties = {
  id: p.string().primary(),
  s: p.string().nullable(),
  e: p.type(LowerCaseType).nullable(),
  n: p.integer().nullable(),
  f: p.double().nullable(),
  b: p.boolean().nullable(),
  d: p.datetime().nullable(),
  j: p.json().nullable(),
};
/** The same table twice: one for the store with prepared statements, one for the store without. */
const Prepared = defineEntity({ name: 'Prepared', tableName: 'prepared_item', properties });
const Inlined = defineEntity({ name: 'Inlined', tableName: 'inlined_item', properties });

const db = useTestDatabase();
let orm: MikroORM;
let schemas: TenantSchemas;
let preparedStore: Store;
let inlinedStore: Store;
const RUNS = Number(process.env.FC_RUNS ?? 100);
const prepares = preparesOn(db);

beforeAll(async () => {
  orm = await db.init({ entities: [Prepared, Inlined] });
  schemas = await createTenantSchemas(db, orm, ['t1', 't2'], ['prepared_item', 'inlined_item']);
  preparedStore = createStore(orm);
  inlinedStore = createStore(orm, { preparedStatements: false });
});

afterAll(async () => {
  await schemas?.drop();
  for (const copy of copies.splice(0)) await rm(copy, { recursive: true, force: true });
});

/** Where coreCopy puts its copies: inside node_modules, so `@mikro-orm/core` resolves from there. */
const COPIES = fileURLToPath(new URL('../../node_modules/.core-copies/', import.meta.url));
/** This worker's copies (another leg's worker may be using its own meanwhile). */
const copies: string[] = [];

/** A second instance of @mikro-auth/core: its built files under another path, imported anew. */
async function coreCopy(name: string): Promise<typeof import('@mikro-auth/core')> {
  const dist = dirname(fileURLToPath(import.meta.resolve('@mikro-auth/core')));
  const target = join(COPIES, `${name}-${process.pid}`);
  copies.push(target);
  await cp(dist, join(target, 'dist'), { recursive: true });
  await writeFile(join(target, 'package.json'), JSON.stringify({ type: 'module' }));
  return import(pathToFileURL(join(target, 'dist', 'index.js')).href);
}

const TEXTS = ['a', 'A', "it's", 'what?', '?', "'; --", 'x%', ''];
const DATES = [new Date('2020-01-01T00:00:00.000Z'), new Date('2024-02-29T12:34:56.789Z')];
const FIELDS = ['s', 'e', 'n', 'f', 'b', 'd'] as const;
type Field = (typeof FIELDS)[number];

const value = (field: Field): fc.Arbitrary<unknown> => {
  switch (field) {
    case 'n':
      return fc.integer({ min: -3, max: 3 });
    case 'f':
      return fc.constantFrom(-1.5, 0, 0.25, 2, 1e-3);
    case 'b':
      return fc.boolean();
    case 'd':
      return fc.constantFrom(...DATES);
    default:
      return fc.constantFrom(...TEXTS);
  }
};

const where = randomWhere({
  fields: FIELDS,
  value,
  textFields: ['s', 'e'],
  texts: TEXTS,
  unordered: ['b'],
  maxClauses: 2,
  inList: { minLength: 1, maxLength: 4 },
});
const data = fc.record(
  {
    s: value('s'),
    e: value('e'),
    n: value('n'),
    f: value('f'),
    b: value('b'),
    d: value('d'),
    j: fc.oneof(
      fc.constant(null),
      fc.record({ tags: fc.array(fc.constantFrom(...TEXTS), { maxLength: 2 }), n: fc.nat(9) }),
    ),
  },
  { requiredKeys: [] },
);

const operation = operations(where, data, { upserts: true });

/** Every row of a table in one schema, read without prepared statements. */
function tableIn(schema: string, model: string): Promise<Row[]> {
  return RequestContext.create(
    orm.em,
    () => inlinedStore.findMany(model, { sort: { field: 'id', direction: 'asc' } }),
    { schema },
  );
}

describe(`prepared statements on and off give the same rows and the same tables (${db.name})`, () => {
  it(`${RUNS} random operation sequences, in tenant schemas and transactions`, async () => {
    let sequence = 0;
    let rowsSeen = 0;
    const before = preparedRuns();
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            op: operation,
            tenant: fc.constantFrom(0, 1),
            inTransaction: fc.boolean(),
            // Twice in a row: the second call of a shape runs its template (and a create then
            // meets its own unique key, so errors are compared too).
            twice: fc.boolean(),
          }),
          { minLength: 1, maxLength: 25 },
        ),
        async (steps) => {
          sequence++;
          for (const schema of schemas.names) {
            await RequestContext.create(
              orm.em,
              async () => {
                await inlinedStore.deleteMany('prepared_item');
                await inlinedStore.deleteMany('inlined_item');
              },
              { schema },
            );
          }
          for (const [index, { op, tenant, inTransaction, twice }] of steps.entries()) {
            const schema = schemas.names[tenant]!;
            const id = `r${sequence}-${index}`;
            const through = (store: Store, model: string) =>
              outcome(
                inTransaction
                  ? store.transaction((tx) => runOperation(tx, model, op, id))
                  : runOperation(store, model, op, id),
              );
            const [prepared, inlined] = await RequestContext.create(
              orm.em,
              async () => {
                const outcomes = [
                  await through(preparedStore, 'prepared_item'),
                  await through(inlinedStore, 'inlined_item'),
                ];
                if (!twice) return outcomes;
                return [
                  [outcomes[0], await through(preparedStore, 'prepared_item')],
                  [outcomes[1], await through(inlinedStore, 'inlined_item')],
                ];
              },
              { schema },
            );
            const label = `step ${index} (${op.kind}${twice ? ' twice' : ''} in ${schema}${inTransaction ? ', transaction' : ''})`;
            expect(prepared, label).toEqual(inlined);
            const ok = ((twice ? (inlined as unknown[])[0] : inlined) as { ok?: unknown }).ok;
            if (Array.isArray(ok) ? ok.length > 0 : typeof ok === 'object' && ok !== null) {
              rowsSeen++;
            }
          }
          for (const schema of schemas.names) {
            expect(await tableIn(schema, 'prepared_item'), `table in ${schema}`).toEqual(
              await tableIn(schema, 'inlined_item'),
            );
          }
        },
      ),
      {
        numRuns: RUNS,
        seed: process.env.FC_SEED ? Number(process.env.FC_SEED) : undefined,
        path: process.env.FC_PATH,
      },
    );
    // Not vacuous: rows were found, and (where the driver allows) statements did run prepared.
    expect(rowsSeen).toBeGreaterThan(RUNS);
    if (prepares) expect(preparedRuns() - before).toBeGreaterThan(RUNS * 2);
    else expect(preparedRuns()).toBe(before);
  }, 180_000);
});

describe(`prepared statements as a database user sees them (${db.name})`, () => {
  it('a repeated look-up runs prepared from its second call; the switch turns that off', async () => {
    const store = createStore(orm);
    await store.create('prepared_item', { id: 'look-1', s: 'one', n: 1 });
    await store.create('prepared_item', { id: 'look-2', s: 'two', n: 2 });
    const before = preparedRuns();
    const found: unknown[] = [];
    for (const id of ['look-1', 'look-2', 'look-1', 'missing']) {
      found.push((await store.findOne('prepared_item', [{ field: 'id', value: id }]))?.s ?? null);
    }
    expect(found).toEqual(['one', 'two', 'one', null]);
    // The first call learns the template through MikroORM's QueryBuilder; the other three are hits.
    expect(preparedRuns() - before).toBe(prepares ? 3 : 0);

    const switchedOff = createStore(orm, { preparedStatements: false });
    const offBefore = preparedRuns();
    for (const id of ['look-1', 'look-2', 'look-1']) {
      await switchedOff.findOne('prepared_item', [{ field: 'id', value: id }]);
    }
    expect(preparedRuns()).toBe(offBefore);
  });

  it("the app's onQuery and logger see every prepared statement, values shown as MikroORM shows them", async () => {
    const logged: string[] = [];
    const seen: string[] = [];
    const logOrm = await db.connect({
      entities: [Prepared, Inlined],
      debug: ['query', 'query-params'],
      logger: (message: string) => logged.push(message),
    });
    // The harness's own onQuery records what ran; recordQueries reads it back.
    const store = createStore(logOrm);
    const { queries } = await db.recordQueries(async () => {
      for (const s of ["it's", 'what?']) {
        await RequestContext.create(logOrm.em, () =>
          store.count('inlined_item', [{ field: 's', value: s }]),
        );
        seen.push(s);
      }
    });
    expect(queries.filter((sql) => sql.includes('inlined_item'))).toHaveLength(2);
    // The second count ran prepared (on SQLite and PostgreSQL) and is logged with its value inlined.
    const last = logged.filter((line) => /count\(/i.test(line)).at(-1) ?? '';
    expect(last).toContain("'what?'");
    expect(seen).toEqual(["it's", 'what?']);
  });
});

// Only where they exist: a skipped test would count as a gap in the matrix.
if (db.dialect === 'postgres' && prepares) {
  describe(`named prepared statements on PostgreSQL (${db.name})`, () => {
    it('each connection prepares a statement once; it shows in pg_prepared_statements', async () => {
      const store = createStore(orm);
      await store.create('prepared_item', { id: 'pg-1', s: 'pg', n: 7 });
      const names = await store.transaction(async (tx) => {
        for (let i = 0; i < 3; i++) {
          expect((await tx.findOne('prepared_item', [{ field: 'n', value: 7 }]))?.id).toBe('pg-1');
        }
        // Same transaction, same connection: the statement the look-ups ran is prepared there.
        const em = orm.em.getContext();
        return (await em
          .getConnection()
          .execute(
            `select name, statement from pg_prepared_statements where name like 'mikro_auth_%'`,
            [],
            'all',
            em.getTransactionContext(),
          )) as Array<{ name: string; statement: string }>;
      });
      expect(names.some((row) => /"prepared_item".*\$1/s.test(row.statement))).toBe(true);
    });

    it('a connection that dropped its prepared statements (DISCARD ALL) recovers on the next call', async () => {
      const single = await db.connect({ entities: [Prepared, Inlined], pool: { min: 1, max: 1 } });
      const store = createStore(single);
      await RequestContext.create(single.em, async () => {
        await store.create('prepared_item', { id: 'pg-2', s: 'discard', n: 8 });
        for (let i = 0; i < 2; i++) {
          expect((await store.findOne('prepared_item', [{ field: 'n', value: 8 }]))?.id).toBe(
            'pg-2',
          );
        }
      });
      // The only connection forgets every prepared statement, as a pooler's reset would.
      await single.em.getConnection().execute('discard all');
      const before = preparedRuns();
      const row = await RequestContext.create(single.em, () =>
        store.findOne('prepared_item', [{ field: 'n', value: 8 }]),
      );
      expect(row?.id).toBe('pg-2');
      expect(preparedRuns() - before).toBe(1);
    });

    it('two copies of core in one process (a bundler that inlined it twice) share a connection without clashing names', async () => {
      // Next.js bundles @mikro-auth/core into each server bundle; both copies reach the one pool.
      const [first, second] = [await coreCopy('first'), await coreCopy('second')];
      const single = await db.connect({ entities: [Prepared, Inlined], pool: { min: 1, max: 1 } });
      const a = first.createStore(single);
      const b = second.createStore(single);
      await RequestContext.create(single.em, async () => {
        await a.create('inlined_item', { id: 'pg-4', s: 'copies', n: 4 });
        for (let i = 0; i < 3; i++) {
          // Different statements, each the first one its copy prepares, on the same connection.
          expect((await a.findOne('inlined_item', [{ field: 's', value: 'copies' }]))?.id).toBe(
            'pg-4',
          );
          expect(await b.count('inlined_item', [{ field: 'n', value: 4 }])).toBe(1);
        }
      });
    });

    it("an app's own Kysely dialect (driverOptions) gets plain SQL text, as MikroORM sends it", async () => {
      // A serverless or in-process PostgreSQL driver behind a Kysely dialect may take strings only.
      const sent: unknown[] = [];
      const pool = new pg.Pool({ connectionString: db.url(), max: 2 });
      pool.on('connect', (client) => {
        const query = client.query.bind(client) as (...args: unknown[]) => unknown;
        (client as { query: unknown }).query = (...args: unknown[]) => {
          sent.push(args[0]);
          return query(...args);
        };
      });
      const own = await db.connect({
        entities: [Prepared, Inlined],
        driverOptions: new PostgresDialect({ pool }),
      });
      const store = createStore(own);
      const found: unknown[] = [];
      const prepared = await preparedDuring(() =>
        RequestContext.create(own.em, async () => {
          await store.create('inlined_item', { id: 'pg-5', s: 'own dialect' });
          for (let i = 0; i < 3; i++) {
            found.push(
              (await store.findOne('inlined_item', [{ field: 's', value: 'own dialect' }]))?.id,
            );
          }
        }),
      );
      expect(found).toEqual(['pg-5', 'pg-5', 'pg-5']);
      expect(prepared).toBe(0);
      expect(sent.length).toBeGreaterThanOrEqual(4);
      expect(sent.every((sql) => typeof sql === 'string')).toBe(true);
    });

    it('a migration that changes a column type while the app runs: the next look-up prepares afresh', async () => {
      const single = await db.connect({ entities: [Prepared, Inlined], pool: { min: 1, max: 1 } });
      const store = createStore(single);
      const lookUp = () =>
        RequestContext.create(single.em, () =>
          store.findOne('inlined_item', [{ field: 's', value: 'migrated' }]),
        );
      await RequestContext.create(single.em, () =>
        store.create('inlined_item', { id: 'pg-3', s: 'migrated', f: 1.5 }),
      );
      expect((await lookUp())?.id).toBe('pg-3');
      expect((await lookUp())?.id).toBe('pg-3');
      // The prepared plan returns double precision; PostgreSQL refuses to run it for numeric
      // ("cached plan must not change result type") until the statement is prepared again.
      const connection = single.em.getConnection();
      await connection.execute('alter table "inlined_item" alter column "f" type numeric');
      try {
        const row = await lookUp();
        expect(row?.id).toBe('pg-3');
        expect(Number(row?.f)).toBe(1.5);
      } finally {
        await connection.execute(
          'alter table "inlined_item" alter column "f" type double precision',
        );
      }
    });
  });
}
