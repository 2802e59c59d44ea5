/**
 * Differential property test: random data and random where/sort/limit/offset queries must return
 * the same rows, in the same order, on every database as core's JavaScript evaluator returns over
 * the same data (strings compared by code point, case folded as the store's `caseFolding()` says).
 * A failure prints fast-check's seed and path; replay with FC_SEED=<seed> FC_PATH=<path> pnpm test.
 * A second test compares the evaluator's case folding with the database's lower() on every code point.
 */
import {
  buildEntitySchemas,
  type Clause,
  createStore,
  type Row,
  type SortKey,
  type Store,
} from '@mikro-auth/core';
import { compareRows, matchesWhere } from '@mikro-auth/core/internal';
import type { MikroORM } from '@mikro-orm/core';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
// The folding itself is internal to core; the evaluator's answers are compared through it here.
import { foldCase } from '../../../core/src/query/case-folding.js';
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
// spaces (MySQL pads), mixed ASCII case, letters whose lowercase differs between the databases and
// JavaScript ('İ', final 'Σ'/'ς', 'ẞ', Kelvin 'K', Ångström 'Å', dotless 'ı', Cherokee, 'ϴ', 'Ⱥ',
// Deseret above U+FFFF), and code points whose UTF-16 order differs from their UTF-8 byte order
// (fullwidth 'Ａ' U+FF21 sorts after '🙂' by code unit, before it by code point).
const ALPHABET = [
  'a',
  'A',
  'b',
  'B',
  'i',
  'I',
  'k',
  's',
  'z',
  'Z',
  '0',
  '%',
  '_',
  '!',
  '\\',
  ' ',
  'é',
  'É',
  'ß',
  '\u1e9e', // ẞ capital sharp s
  '\u0130', // İ capital I with dot above
  '\u0131', // ı dotless i
  '\u03a3', // Σ
  '\u03c3', // σ
  '\u03c2', // ς final sigma
  '\u03f4', // ϴ capital theta symbol
  '\u03b8', // θ
  '\u212a', // K Kelvin sign
  '\u212b', // Å Ångström sign
  'å',
  '\u023a', // Ⱥ (its lowercase is a byte longer in UTF-8)
  '\u2c65', // ⱥ
  '\u13a0', // Ꭰ Cherokee
  '\uab70', // ꭰ Cherokee small letter
  '\uff21', // Ａ fullwidth
  '\uff41', // ａ fullwidth
  '\u{10400}', // 𐐀 Deseret
  '\u{10428}', // 𐐨 Deseret small letter
  '漢',
  '🙂',
  '*',
  '?',
  '[',
];

/** Case partners of the alphabet's letters, to make near-miss strings for insensitive queries. */
const PARTNERS: Readonly<Record<string, readonly string[]>> = {
  a: ['A'],
  A: ['a'],
  b: ['B'],
  B: ['b'],
  i: ['I', '\u0130'],
  I: ['i', '\u0131'],
  k: ['K', '\u212a'],
  s: ['S', 'ß'],
  z: ['Z'],
  Z: ['z'],
  é: ['É'],
  É: ['é'],
  ß: ['\u1e9e', 's'],
  '\u1e9e': ['ß'],
  '\u0130': ['i', 'I'],
  '\u0131': ['I', 'i'],
  '\u03a3': ['\u03c2', '\u03c3'],
  '\u03c3': ['\u03a3', '\u03c2'],
  '\u03c2': ['\u03a3', '\u03c3'],
  '\u03f4': ['\u03b8'],
  '\u03b8': ['\u03f4'],
  '\u212a': ['k', 'K'],
  '\u212b': ['å', 'Å'],
  å: ['\u212b', 'Å'],
  '\u023a': ['\u2c65'],
  '\u2c65': ['\u023a'],
  '\u13a0': ['\uab70'],
  '\uab70': ['\u13a0'],
  '\uff21': ['\uff41'],
  '\uff41': ['\uff21'],
  '\u{10400}': ['\u{10428}'],
  '\u{10428}': ['\u{10400}'],
};

const DATES = [
  new Date('2020-01-01T00:00:00.000Z'),
  new Date('2020-01-01T00:00:00.001Z'),
  new Date('2024-02-29T12:34:56.789Z'),
  new Date('1999-12-31T23:59:59.999Z'),
];

/** Strings of up to 4 characters of `alphabet`. */
function textOf(alphabet: readonly string[]): fc.Arbitrary<string> {
  return fc.array(fc.constantFrom(...alphabet), { maxLength: 4 }).map((chars) => chars.join(''));
}

// Half the strings draw from the letters with a case partner only, so that insensitive queries and
// string order meet the letters the databases fold and order differently often.
const text = fc.oneof(textOf(ALPHABET), textOf(Object.keys(PARTNERS)));
const integer = fc.integer({ min: -3, max: 3 });
const date = fc.constantFrom(...DATES);

const rowArb = fc.record({
  s: fc.option(text, { nil: null }),
  n: fc.option(integer, { nil: null }),
  b: fc.option(fc.boolean(), { nil: null }),
  d: fc.option(date, { nil: null }),
});

const RANGE = ['eq', 'ne', 'lt', 'lte', 'gt', 'gte', 'in', 'not_in'];
const connector = fc.constantFrom('AND' as const, 'OR' as const);
const mode = fc.constantFrom('sensitive' as const, 'insensitive' as const);

/** Replaces every letter by its `pick`-th case partner (cycling), e.g. 'ẞ' by 'ß' or 'Σ' by 'ς'. */
function respell(value: string, pick: number): string {
  return [...value]
    .map((char) => {
      const partners = PARTNERS[char];
      return partners ? partners[pick % partners.length]! : char;
    })
    .join('');
}

/** Strings that collide with the data: stored values, their respelled, padded and partial forms. */
function textNear(stored: readonly (string | null)[]): fc.Arbitrary<string> {
  const pool = stored.flatMap((value) => {
    if (value === null) return [];
    const chars = [...value];
    return [
      value,
      respell(value, 0),
      respell(value, 1),
      `${value} `,
      chars.slice(1).join(''),
      chars.slice(0, -1).join(''),
      respell(chars.slice(1, 3).join(''), 0),
    ];
  });
  return pool.length > 0 ? fc.oneof(text, fc.constantFrom(...pool)) : text;
}

function clauseArb(near: fc.Arbitrary<string>): fc.Arbitrary<Clause> {
  const stringClause = fc
    .record({
      operator: fc.constantFrom(...RANGE, 'contains', 'starts_with', 'ends_with'),
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

const sortArb = fc.array(
  fc.record({
    field: fc.constantFrom('s', 'n', 'b', 'd', 'id'),
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

const runs = Number(process.env.FC_RUNS ?? 1000);
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

/** Every code point but the surrogates (which no database stores) and NUL (PostgreSQL's chr() refuses it). */
const LAST_CODE_POINT = 0x10ffff;
const SURROGATES = [0xd800, 0xdfff] as const;

/** A 0–16 digit table, cross-joined below to count to U+10FFFF on MySQL without a recursion limit. */
const DIGITS = `(${Array.from({ length: 17 }, (_, digit) => `select ${digit} as d`).join(' union all ')})`;

/** Runs a statement on this file's database and returns its rows. */
async function rawQuery<T>(sql: string): Promise<T[]> {
  return (await orm.em.fork().getConnection().execute(sql)) as T[];
}

/** SQL listing `cp` and `lowered` (hex of the UTF-8 of lower(cp)) for the code points lower() changes. */
async function loweringSql(): Promise<string> {
  const skip = `cp not between ${SURROGATES[0]} and ${SURROGATES[1]}`;
  switch (db.dialect) {
    case 'postgres':
      return `select cp, encode(convert_to(lower(chr(cp)), 'UTF8'), 'hex') as lowered from generate_series(1, ${LAST_CODE_POINT}) as cp where ${skip} and lower(chr(cp)) <> chr(cp)`;
    case 'sqlite':
      return `with recursive n(cp) as (select 1 union all select cp + 1 from n where cp < ${LAST_CODE_POINT}) select cp, hex(lower(char(cp))) as lowered from n where ${skip} and lower(char(cp)) <> char(cp)`;
    default: {
      // lower() follows the collation of the column the store compares, so ask for that one.
      const [column] = await rawQuery<{ collation: string }>(
        "select collation_name as collation from information_schema.columns where table_schema = database() and table_name = 'sample' and column_name = 's'",
      );
      const collation = column!.collation;
      if (!/^\w+$/.test(collation)) throw new Error(`unexpected collation ${collation}`);
      const char = `convert(char(cp using utf32) using utf8mb4) collate ${collation}`;
      const number = 'p.d * 65536 + q.d * 4096 + r.d * 256 + u.d * 16 + v.d';
      const digits = `${DIGITS} as q, ${DIGITS} as r, ${DIGITS} as u, ${DIGITS} as v`;
      return `select cp, hex(lower(${char})) as lowered from (select ${number} as cp from ${DIGITS} as p, ${digits} where q.d < 16 and r.d < 16 and u.d < 16 and v.d < 16) as n where cp between 1 and ${LAST_CODE_POINT} and ${skip} and binary lower(${char}) <> binary ${char}`;
    }
  }
}

/** Hex of a string's UTF-8 bytes, upper case as the databases print it. */
const utf8Hex = (value: string) => Buffer.from(value, 'utf8').toString('hex').toUpperCase();

describe(`differential: lower() vs the evaluator's case folding (${db.name})`, () => {
  it('folds every code point exactly like the database', async () => {
    const rows = await rawQuery<{ cp: number | string; lowered: string }>(await loweringSql());
    const lowered = new Map(rows.map((row) => [Number(row.cp), row.lowered.toUpperCase()]));
    const caseFolding = store.caseFolding();
    const differences: string[] = [];
    for (let cp = 1; cp <= LAST_CODE_POINT; cp++) {
      if (cp >= SURROGATES[0] && cp <= SURROGATES[1]) continue;
      const char = String.fromCodePoint(cp);
      const database = lowered.get(cp) ?? utf8Hex(char);
      const evaluator = utf8Hex(foldCase(char, caseFolding));
      if (evaluator !== database)
        differences.push(`U+${cp.toString(16).toUpperCase()}: ${database} vs ${evaluator}`);
    }
    expect(differences).toEqual([]);
  }, 120_000);
});
