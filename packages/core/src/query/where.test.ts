import type { Platform } from '@mikro-orm/core';
import { describe, expect, it } from 'vitest';
import { InvalidQueryError } from '../errors/classes.js';
import { model } from '../model/model.fixture.js';
import { resolveWhere, translateWhere } from './where.js';

const user = model('User', [
  ['id', 'id'],
  ['email', 'email'],
  ['age', 'age', 'number'],
]);
/** The two capability flags `dialectOf` reads, as PostgreSQL and MySQL answer them. */
const postgres = {
  usesReturningStatement: () => true,
  usesCascadeStatement: () => true,
} as unknown as Platform;
const mysql = { usesReturningStatement: () => false } as unknown as Platform;
const translate = (where: Parameters<typeof resolveWhere>[1], platform = postgres) =>
  translateWhere(user, resolveWhere(user, where), platform);

describe('translateWhere', () => {
  it('turns plain comparisons into MikroORM filters keyed by property', () => {
    expect(translate([{ field: 'email', value: 'a@x.io' }])).toEqual({ email: 'a@x.io' });
    expect(translate([{ field: 'age', operator: 'gte', value: 18 }])).toEqual({
      age: { $gte: 18 },
    });
    expect(translate([{ field: 'age', value: null }])).toEqual({ age: null });
    expect(translate([{ field: 'age', operator: 'ne', value: null }])).toEqual({
      age: { $ne: null },
    });
  });

  it('combines AND clauses with any of the OR clauses', () => {
    expect(
      translate([
        { field: 'age', value: 1 },
        { field: 'email', value: 'a', connector: 'OR' },
        { field: 'email', value: 'b', connector: 'OR' },
      ]),
    ).toEqual({ $and: [{ age: 1 }, { $or: [{ email: 'a' }, { email: 'b' }] }] });
  });

  it('pads in-lists to a power of two by repeating the last value', () => {
    expect(translate([{ field: 'age', operator: 'in', value: [1, 2, 3] }])).toEqual({
      age: { $in: [1, 2, 3, 3] },
    });
  });

  it('never emits an empty $in or $or: no match is a constant, any match is no filter', () => {
    // One raw `1 = 0` fragment (a symbol key), not an empty `$in` MikroORM would mishandle.
    const nothing = translate([{ field: 'age', operator: 'in', value: [] }]);
    expect(Reflect.ownKeys(nothing)).toHaveLength(1);
    expect(Object.keys(nothing)).toEqual([]);
    expect(translate([{ field: 'age', operator: 'not_in', value: [] }])).toEqual({});
    expect(translate(undefined)).toEqual({});
  });

  it('compares strings exactly on MySQL: the plain equality keeps its index, a binary check decides', () => {
    const filter = translate([{ field: 'email', value: 'A@x.io' }], mysql);
    expect(filter.$and?.[0]).toEqual({ email: 'A@x.io' });
    expect(filter.$and).toHaveLength(2);
  });

  it('coerces values to the field type and names the field when it cannot', () => {
    expect(translate([{ field: 'age', value: '7' }])).toEqual({ age: 7 });
    expect(() => translate([{ field: 'age', value: 'seven' }])).toThrow(InvalidQueryError);
    expect(() => translate([{ field: 'age', operator: 'contains', value: '7' }])).toThrow(
      /only applies to text fields/,
    );
  });
});
