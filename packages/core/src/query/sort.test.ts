import { describe, expect, it } from 'vitest';
import { InvalidQueryError, UnknownFieldError } from '../errors/classes.js';
import { model } from '../model/model.fixture.js';
import { resolveSort } from './sort.js';

const user = model('User', [
  ['id', 'id'],
  ['email', 'email_address'],
  ['age', 'age', 'number'],
]);
const keys = (sort: Parameters<typeof resolveSort>[1]) =>
  resolveSort(user, sort).map(({ field, direction }) => `${field.name} ${direction}`);

describe('resolveSort', () => {
  it('appends the primary key as the final tie-breaker, so pages are stable', () => {
    expect(keys(undefined)).toEqual(['id asc']);
    expect(keys({ field: 'age', direction: 'desc' })).toEqual(['age desc', 'id asc']);
  });

  it('takes a list, resolves column names to properties, and adds no second primary key', () => {
    expect(
      keys([
        { field: 'email_address', direction: 'asc' },
        { field: 'id', direction: 'desc' },
      ]),
    ).toEqual(['email asc', 'id desc']);
  });

  it('rejects an unknown field and a direction other than asc/desc', () => {
    expect(() => keys({ field: 'nope', direction: 'asc' })).toThrow(UnknownFieldError);
    expect(() => keys({ field: 'age', direction: 'up' as 'asc' })).toThrow(InvalidQueryError);
  });
});
