/**
 * Differential property test: random data and random where/sort/limit/offset queries must return
 * the same rows, in the same order, on every database as core's JavaScript evaluator returns over
 * the same data. A failure prints fast-check's seed and path; replay with
 * FC_SEED=<seed> FC_PATH=<path> pnpm test.
 */
import {
  buildEntitySchemas,
  type Clause,
  compareRows,
  createStore,
  matchesWhere,
  type Row,
  type SortKey,
  type Store,
} from '@mikro-auth/core';
import type { MikroORM } from '@mikro-orm/core';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../harness/index.js';

const db = useTestDatabase();
let orm: MikroORM;
let store: Store;

const [Sample] = buildEntitySchemas([
  {
    entity: 'Sample',
    table: 'sample',
    fields: {
      s: { type: 'string', required: false },
      n: { type: 'number', required: false },
      b: { type: 'boolean', required: false },
      d: { type: 'date', required: false },
    },
  },
]);

beforeAll(async () => {
  orm = await db.init({ entities: [Sample!] });
  store = createStore(orm);
});

// Characters chosen to stress matching: LIKE/GLOB metacharacters, our escape char, a backslash,
// spaces (MySQL pads), mixed ASCII case, and non-ASCII characters that have no case pair. Letters
// with a non-ASCII case pair are left out on purpose: SQLite's lower() folds ASCII only.
const ALPHABET = [
  'a',
  'A',
  'b',
  'B',
  'z',
  'Z',
  '0',
  '%',
  '_',
  '!',
  '\\',
  ' ',
  'é',
  'ß',
  '漢',
  '🙂',
  '*',
  '?',
  '[',
];
const DATES = [
  new Date('2020-01-01T00:00:00.000Z'),
  new Date('2020-01-01T00:00:00.001Z'),
  new Date('2024-02-29T12:34:56.789Z'),
  new Date('1999-12-31T23:59:59.999Z'),
];

const text = fc
  .array(fc.constantFrom(...ALPHABET), { maxLength: 4 })
  .map((chars) => chars.join(''));
const integer = fc.integer({ min: -3, max: 3 });
const date = fc.constantFrom(...DATES);

const rowArb = fc.record({
  s: fc.option(text, { nil: null }),
  n: fc.option(integer, { nil: null }),
  b: fc.option(fc.boolean(), { nil: null }),
  d: fc.option(date, { nil: null }),
});

const connector = fc.constantFrom('AND' as const, 'OR' as const);
const mode = fc.constantFrom('sensitive' as const, 'insensitive' as const);

/** Swaps ASCII case only: how other letters fold depends on the database (SQLite's lower() and a
 * PostgreSQL database with LC_CTYPE=C leave them alone), which is documented, not tested here. */
function swapCase(value: string): string {
  return value.replace(/[A-Za-z]/g, (char) =>
    char === char.toLowerCase() ? char.toUpperCase() : char.toLowerCase(),
  );
}

/** Strings that collide with the data: stored values, their case-swapped, padded and partial forms. */
function textNear(stored: readonly (string | null)[]): fc.Arbitrary<string> {
  const pool = stored.flatMap((value) => {
    if (value === null) return [];
    const chars = [...value];
    return [
      value,
      swapCase(value),
      `${value} `,
      chars.slice(1).join(''),
      chars.slice(0, -1).join(''),
      swapCase(chars.slice(1, 3).join('')),
    ];
  });
  return pool.length > 0 ? fc.oneof(text, fc.constantFrom(...pool)) : text;
}

function clauseArb(near: fc.Arbitrary<string>): fc.Arbitrary<Clause> {
  const stringClause = fc
    .record({
      operator: fc.constantFrom('eq', 'ne', 'in', 'not_in', 'contains', 'starts_with', 'ends_with'),
      connector,
      mode,
      text: near,
      list: fc.array(near, { maxLength: 3 }),
      isNull: fc.boolean(),
    })
    .map(({ operator, connector, mode, text, list, isNull }): Clause => {
      const field = 's';
      if (operator === 'in' || operator === 'not_in')
        return { field, operator, value: list, connector, mode };
      if ((operator === 'eq' || operator === 'ne') && isNull)
        return { field, operator, value: null, connector };
      return { field, operator: operator as Clause['operator'], value: text, connector, mode };
    });
  return fc.oneof(
    stringClause,
    scalarClause('n', integer, RANGE),
    scalarClause('d', date, RANGE),
    scalarClause('b', fc.boolean(), ['eq', 'ne', 'in', 'not_in']),
  );
}

function scalarClause<T>(
  field: string,
  value: fc.Arbitrary<T>,
  operators: string[],
): fc.Arbitrary<Clause> {
  return fc
    .record({
      operator: fc.constantFrom(...operators),
      connector,
      value,
      list: fc.array(value, { maxLength: 3 }),
      isNull: fc.boolean(),
    })
    .map(({ operator, connector, value, list, isNull }): Clause => {
      if (operator === 'in' || operator === 'not_in') {
        return { field, operator, value: list as Clause['value'], connector };
      }
      if ((operator === 'eq' || operator === 'ne') && isNull)
        return { field, operator, value: null, connector };
      return {
        field,
        operator: operator as Clause['operator'],
        value: value as Clause['value'],
        connector,
      };
    });
}

const RANGE = ['eq', 'ne', 'lt', 'lte', 'gt', 'gte', 'in', 'not_in'];

const sortArb = fc.array(
  fc.record({
    field: fc.constantFrom('n', 'b', 'd', 'id'),
    direction: fc.constantFrom('asc' as const, 'desc' as const),
  }),
  { maxLength: 2 },
);

const caseArb = fc.array(rowArb, { maxLength: 10 }).chain((rows) =>
  fc.record({
    rows: fc.constant(rows),
    where: fc.array(clauseArb(textNear(rows.map((row) => row.s))), { maxLength: 4 }),
    sort: sortArb,
    limit: fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined }),
    offset: fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined }),
  }),
);

function expected(
  rows: Row[],
  where: Clause[],
  sort: SortKey[],
  limit?: number,
  offset?: number,
): string[] {
  const caseFolding = store.caseFolding();
  const keys = sort.some((key) => key.field === 'id')
    ? sort
    : [...sort, { field: 'id', direction: 'asc' as const }];
  const matching = rows
    .filter((row) => matchesWhere(row, where, { caseFolding }))
    .sort((a, b) => compareRows(a, b, keys));
  const start = offset ?? 0;
  return matching
    .slice(start, limit === undefined ? undefined : start + limit)
    .map((row) => row.id as string);
}

const runs = Number(process.env.FC_RUNS ?? 300);
const replay = process.env.FC_SEED
  ? {
      seed: Number(process.env.FC_SEED),
      ...(process.env.FC_PATH ? { path: process.env.FC_PATH } : {}),
    }
  : {};

describe(`differential: database vs evaluator (${db.name})`, () => {
  it(`returns the evaluator's rows for ${runs} random queries`, async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, async ({ rows, where, sort, limit, offset }) => {
        const data = rows.map((row, index) => ({
          id: `r${String(index).padStart(2, '0')}`,
          ...row,
        }));
        await store.deleteMany('sample');
        if (data.length > 0) await orm.em.fork().insertMany(Sample!, data);
        const found = await store.findMany('sample', { where, sort, limit, offset });
        expect(found.map((row) => row.id)).toEqual(expected(data, where, sort, limit, offset));
        expect(await store.count('sample', where)).toBe(
          data.filter((row) => matchesWhere(row, where, { caseFolding: store.caseFolding() }))
            .length,
        );
      }),
      { numRuns: runs, ...replay },
    );
  }, 300_000);
});
