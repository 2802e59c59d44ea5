import { describe, expect, it } from 'vitest';
import { InvalidQueryError } from '../errors.js';
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
