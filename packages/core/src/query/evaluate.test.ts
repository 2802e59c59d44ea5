import { describe, expect, it } from 'vitest';
import { InvalidQueryError } from '../errors/classes.js';
import { type CaseFolding, compareStrings, foldCase } from './case-folding.js';
import { compareRows, matchesWhere } from './evaluate.js';
import { likePattern, normalizeWhere } from './normalize.js';

const alice = { name: 'Alice', email: 'alice@example.com', age: 30, role: null, active: true };
const bob = { name: 'bob', email: 'BOB@example.com', age: 17, role: 'admin', active: false };

describe('matchesWhere', () => {
  it('matches every row for an empty where', () => {
    expect(matchesWhere(alice, [])).toBe(true);
    expect(matchesWhere(alice, undefined)).toBe(true);
  });

  it('treats eq/ne null as IS NULL / IS NOT NULL', () => {
    expect(matchesWhere(alice, [{ field: 'role', value: null }])).toBe(true);
    expect(matchesWhere(bob, [{ field: 'role', value: null }])).toBe(false);
    expect(matchesWhere(bob, [{ field: 'role', operator: 'ne', value: null }])).toBe(true);
  });

  it('never matches a null field with a non-null comparison, like SQL', () => {
    expect(matchesWhere(alice, [{ field: 'role', operator: 'ne', value: 'admin' }])).toBe(false);
    expect(matchesWhere(alice, [{ field: 'role', operator: 'not_in', value: ['admin'] }])).toBe(
      false,
    );
  });

  it('groups as (all AND) AND (any OR)', () => {
    const where = [
      { field: 'active', value: true },
      { field: 'age', operator: 'gt', value: 40, connector: 'OR' },
      { field: 'name', value: 'Alice', connector: 'OR' },
    ] as const;
    expect(matchesWhere(alice, where)).toBe(true);
    expect(matchesWhere(bob, where)).toBe(false);
    expect(matchesWhere({ ...alice, name: 'Carol' }, where)).toBe(false);
  });

  it('matches nothing for an empty in and everything for an empty not_in', () => {
    expect(matchesWhere(alice, [{ field: 'age', operator: 'in', value: [] }])).toBe(false);
    expect(matchesWhere(alice, [{ field: 'age', operator: 'not_in', value: [] }])).toBe(true);
  });

  it('matches LIKE operators literally', () => {
    const row = { code: 'a%b_c.*' };
    expect(matchesWhere(row, [{ field: 'code', operator: 'contains', value: '%b_' }])).toBe(true);
    expect(matchesWhere(row, [{ field: 'code', operator: 'contains', value: 'a.b' }])).toBe(false);
    expect(matchesWhere(row, [{ field: 'code', operator: 'ends_with', value: '.*' }])).toBe(true);
    expect(matchesWhere(row, [{ field: 'code', operator: 'starts_with', value: 'A' }])).toBe(false);
  });

  it('folds case only in insensitive mode, for every operator', () => {
    const insensitive = { mode: 'insensitive' } as const;
    expect(matchesWhere(bob, [{ field: 'email', value: 'bob@example.com' }])).toBe(false);
    expect(matchesWhere(bob, [{ field: 'email', value: 'bob@example.com', ...insensitive }])).toBe(
      true,
    );
    expect(
      matchesWhere(bob, [{ field: 'name', operator: 'ne', value: 'BOB', ...insensitive }]),
    ).toBe(false);
    expect(
      matchesWhere(bob, [{ field: 'name', operator: 'in', value: ['BOB'], ...insensitive }]),
    ).toBe(true);
    expect(
      matchesWhere(bob, [
        { field: 'email', operator: 'starts_with', value: 'bob', ...insensitive },
      ]),
    ).toBe(true);
  });

  it('compares dates by instant', () => {
    const row = { at: new Date('2026-01-01T00:00:00.001Z') };
    expect(matchesWhere(row, [{ field: 'at', value: new Date('2026-01-01T00:00:00.001Z') }])).toBe(
      true,
    );
    expect(
      matchesWhere(row, [
        { field: 'at', operator: 'gt', value: new Date('2026-01-01T00:00:00.000Z') },
      ]),
    ).toBe(true);
  });
});

describe('normalizeWhere', () => {
  it('applies the defaults', () => {
    expect(normalizeWhere([{ field: 'a', value: 1 }])).toEqual([
      { field: 'a', operator: 'eq', value: 1, connector: 'AND', mode: 'sensitive' },
    ]);
  });

  it.each([
    [{ field: 'a', operator: 'in', value: 'x' }, /needs an array/],
    [{ field: 'a', operator: 'eq', value: [1] }, /needs a single value/],
    [{ field: 'a', operator: 'contains', value: 3 }, /needs a string/],
    [{ field: 'a', operator: 'gt', value: null }, /needs a number, string or Date/],
    [{ field: 'a', operator: 'like', value: 'x' }, /unknown operator "like"/],
    [{ field: 'a', value: undefined }, /use null/],
  ])('rejects %j with a clear error', (clause, message) => {
    // biome-ignore lint/suspicious/noExplicitAny: deliberately malformed input
    const run = () => normalizeWhere([clause as any], 'user');
    expect(run).toThrow(InvalidQueryError);
    expect(run).toThrow(message);
    expect(run).toThrow(/model "user", field "a"/);
  });
});

describe('likePattern', () => {
  it('escapes wildcards and the escape character', () => {
    expect(likePattern('contains', '50%_off!')).toBe('%50!%!_off!!%');
    expect(likePattern('starts_with', 'a')).toBe('a%');
    expect(likePattern('ends_with', 'a')).toBe('%a');
  });
});

describe('compareRows', () => {
  it('sorts by several keys with nulls smallest', () => {
    const rows = [
      { a: 2, b: 'x' },
      { a: null, b: 'y' },
      { a: 2, b: 'a' },
      { a: 1, b: 'z' },
    ];
    const sorted = [...rows].sort((x, y) =>
      compareRows(x, y, [
        { field: 'a', direction: 'asc' },
        { field: 'b', direction: 'desc' },
      ]),
    );
    expect(sorted.map((row) => `${row.a}${row.b}`)).toEqual(['nully', '1z', '2x', '2a']);
  });
});

describe('case folding', () => {
  it('folds only ASCII letters when told to, as SQLite does', () => {
    const row = { name: 'Émile' };
    const where = [{ field: 'name', value: 'émile', mode: 'insensitive' as const }];
    expect(matchesWhere(row, where)).toBe(true);
    expect(matchesWhere(row, where, { caseFolding: 'ascii' })).toBe(false);
    expect(
      matchesWhere({ name: 'ÉMILE' }, [{ field: 'name', value: 'Émile', mode: 'insensitive' }], {
        caseFolding: 'ascii',
      }),
    ).toBe(true);
  });
});

describe('case folding per database', () => {
  // What each database's lower() returns, measured on PostgreSQL 15 (C.UTF-8, glibc 2.36),
  // MariaDB 10.11 (utf8mb4_general_ci) and SQLite 3.53; `unicode` is toLowerCase(), as ICU does it.
  const cases: ReadonlyArray<[string, string, Record<CaseFolding, string>]> = [
    [
      'İ (U+0130): a plain i, but i + U+0307 in full Unicode',
      '\u0130',
      { ascii: '\u0130', postgres: 'i', mysql: 'i', unicode: 'i\u0307' },
    ],
    ['I', 'I', { ascii: 'i', postgres: 'i', mysql: 'i', unicode: 'i' }],
    [
      'dotless ı stays',
      '\u0131',
      { ascii: '\u0131', postgres: '\u0131', mysql: '\u0131', unicode: '\u0131' },
    ],
    [
      'Σ at the end of a word: σ, but ς in full Unicode',
      'ΟΔΟΣ',
      { ascii: 'ΟΔΟΣ', postgres: 'οδοσ', mysql: 'οδοσ', unicode: 'οδος' },
    ],
    ['final ς stays', 'οδος', { ascii: 'οδος', postgres: 'οδος', mysql: 'οδος', unicode: 'οδος' }],
    [
      'capital sharp ẞ (U+1E9E)',
      '\u1e9e',
      { ascii: '\u1e9e', postgres: 'ß', mysql: '\u1e9e', unicode: 'ß' },
    ],
    ['ß stays (no expansion to ss)', 'ß', { ascii: 'ß', postgres: 'ß', mysql: 'ß', unicode: 'ß' }],
    [
      'Kelvin sign K (U+212A)',
      '\u212a',
      { ascii: '\u212a', postgres: 'k', mysql: 'k', unicode: 'k' },
    ],
    [
      'Ångström sign Å (U+212B)',
      '\u212b',
      { ascii: '\u212b', postgres: 'å', mysql: 'å', unicode: 'å' },
    ],
    ['É', 'É', { ascii: 'É', postgres: 'é', mysql: 'é', unicode: 'é' }],
    [
      'titlecase ǅ',
      '\u01c5',
      { ascii: '\u01c5', postgres: '\u01c6', mysql: '\u01c6', unicode: '\u01c6' },
    ],
    [
      'theta symbol ϴ (U+03F4)',
      '\u03f4',
      { ascii: '\u03f4', postgres: 'θ', mysql: '\u03f4', unicode: 'θ' },
    ],
    [
      'Ⱥ (U+023A), whose lowercase is a byte longer',
      '\u023a',
      { ascii: '\u023a', postgres: '\u2c65', mysql: '\u023a', unicode: '\u2c65' },
    ],
    [
      'Cherokee Ꭰ (U+13A0)',
      '\u13a0',
      { ascii: '\u13a0', postgres: '\uab70', mysql: '\u13a0', unicode: '\uab70' },
    ],
    [
      'Georgian Mtavruli Ა (U+1C90)',
      '\u1c90',
      { ascii: '\u1c90', postgres: '\u10d0', mysql: '\u1c90', unicode: '\u10d0' },
    ],
    [
      'fullwidth Ａ',
      '\uff21',
      { ascii: '\uff21', postgres: '\uff41', mysql: '\uff41', unicode: '\uff41' },
    ],
    [
      'Deseret 𐐀 (U+10400)',
      '\u{10400}',
      { ascii: '\u{10400}', postgres: '\u{10428}', mysql: '\u{10400}', unicode: '\u{10428}' },
    ],
    [
      'a mixed word',
      'Ⱥİ Σ🙂Z',
      { ascii: 'Ⱥİ Σ🙂z', postgres: 'ⱥi σ🙂z', mysql: 'Ⱥi σ🙂z', unicode: 'ⱥi\u0307 σ🙂z' },
    ],
  ];

  it.each(cases)('folds %s like each database', (_, input, expected) => {
    for (const folding of ['ascii', 'postgres', 'mysql', 'unicode'] as const) {
      expect([folding, foldCase(input, folding)]).toEqual([folding, expected[folding]]);
    }
  });

  it('leaves letters newer than the database tables alone', () => {
    // U+A7CC (Unicode 16) and U+16EA0 (Unicode 17) have lowercase forms only newer runtimes know.
    for (const letter of ['\ua7cc', '\u{16ea0}']) {
      expect(foldCase(letter, 'postgres')).toBe(letter);
      expect(foldCase(letter, 'mysql')).toBe(letter);
    }
  });

  it('matches insensitively as the database does, per folding', () => {
    const match = (stored: string, value: string, caseFolding: CaseFolding) =>
      matchesWhere({ name: stored }, [{ field: 'name', value, mode: 'insensitive' }], {
        caseFolding,
      });
    expect(match('İSTANBUL', 'istanbul', 'postgres')).toBe(true);
    expect(match('İSTANBUL', 'istanbul', 'mysql')).toBe(true);
    expect(match('İSTANBUL', 'istanbul', 'ascii')).toBe(false);
    expect(match('İSTANBUL', 'istanbul', 'unicode')).toBe(false);
    expect(match('İSTANBUL', 'i\u0307stanbul', 'unicode')).toBe(true);
    expect(match('ΟΔΟΣ', 'οδος', 'postgres')).toBe(false);
    expect(match('ΟΔΟΣ', 'οδοσ', 'postgres')).toBe(true);
    expect(match('STRAẞE', 'straße', 'postgres')).toBe(true);
    expect(match('STRAẞE', 'straße', 'mysql')).toBe(false);
    expect(match('STRAẞE', 'STRASSE', 'postgres')).toBe(false);
    expect(match('\u212a', 'K', 'mysql')).toBe(true);
    expect(match('\u212a', 'K', 'ascii')).toBe(false);
    const izmir = [
      { field: 'name', operator: 'starts_with', value: 'iz', mode: 'insensitive' },
    ] as const;
    expect(matchesWhere({ name: 'İZMIR' }, izmir, { caseFolding: 'postgres' })).toBe(true);
    expect(matchesWhere({ name: 'İZMIR' }, izmir)).toBe(false);
  });
});

describe('string order', () => {
  it('orders by code point (UTF-8 byte order), not by UTF-16 code unit', () => {
    // '🙂' (U+1F642) is stored as the surrogates D83D DE42, which JavaScript's < puts before U+FF21.
    expect('🙂' < '\uff21').toBe(true);
    expect(compareStrings('🙂', '\uff21')).toBe(1);
    expect(compareStrings('\uff21', '🙂')).toBe(-1);
    expect(compareStrings('\ud7ff', '\ue000')).toBe(-1);
    expect(compareStrings('\u{10400}', '\u{10428}')).toBe(-1);
    expect(compareStrings('a', 'a ')).toBe(-1);
    expect(compareStrings('B', 'a')).toBe(-1);
    expect(compareStrings('🙂', '🙂')).toBe(0);
  });

  it('applies to range operators and sorting', () => {
    const row = { name: '\uff21' };
    expect(matchesWhere(row, [{ field: 'name', operator: 'lt', value: '🙂' }])).toBe(true);
    expect(matchesWhere(row, [{ field: 'name', operator: 'gte', value: '🙂' }])).toBe(false);
    expect(
      matchesWhere(row, [{ field: 'name', operator: 'lt', value: '🙂', mode: 'insensitive' }]),
    ).toBe(true);
    const rows = [{ name: '🙂' }, { name: '\uff21' }, { name: 'a' }, { name: 'B' }];
    rows.sort((a, b) => compareRows(a, b, [{ field: 'name', direction: 'asc' }]));
    expect(rows.map((r) => r.name)).toEqual(['B', 'a', '\uff21', '🙂']);
  });
});
