import type { EntityProperty } from '@mikro-orm/core';
import { describe, expect, it } from 'vitest';
import { InvalidQueryError, InvalidValueError } from '../errors/classes.js';
import type { FieldInfo, FieldType } from '../model/registry.js';
import { coerceIncrement, coerceValue } from './coerce.js';

function field(
  type: FieldType,
  integer = false,
  property: Partial<EntityProperty> = {},
): FieldInfo {
  return {
    name: 'f',
    column: 'f_col',
    kind: 'scalar',
    type,
    integer,
    nullable: true,
    primary: false,
    property: property as EntityProperty,
  };
}

const at = { model: 'thing', field: 'f' };
const integer = field('number', true);
const float = field('number', false);
const bigint = field('bigint', true);
const text = field('string');
const json = field('json');

/** The error `fn` throws, asserted to be an InvalidValueError with `reason`. */
function invalidValue(fn: () => unknown, reason: string): InvalidValueError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidValueError);
    const typed = error as InvalidValueError;
    expect(typed.code).toBe('INVALID_VALUE');
    expect(typed.reason).toBe(reason);
    expect(typed.model).toBe('thing');
    expect(typed.field).toBe('f');
    expect(typed.message).toMatch(/field "f" of model "thing"/);
    expect(typed.message).toMatch(/Nothing was sent to the database\./);
    return typed;
  }
  throw new Error('expected an InvalidValueError, nothing was thrown');
}

describe('coerceValue: numbers', () => {
  it('keeps finite numbers and numeric strings', () => {
    expect(coerceValue(float, 1.5, at)).toBe(1.5);
    expect(coerceValue(float, '2.25', at)).toBe(2.25);
    expect(coerceValue(integer, 41, at)).toBe(41);
    expect(coerceValue(integer, '-7', at)).toBe(-7);
    expect(coerceValue(integer, 9_007_199_254_740_991, at)).toBe(9_007_199_254_740_991);
    expect(coerceValue(integer, 12n, at)).toBe(12);
  });

  it('refuses NaN and ±Infinity on every numeric field, naming the value', () => {
    for (const target of [integer, float, bigint]) {
      expect(invalidValue(() => coerceValue(target, Number.NaN, at), 'not_finite').message).toMatch(
        /got NaN/,
      );
      invalidValue(() => coerceValue(target, Number.POSITIVE_INFINITY, at), 'not_finite');
      invalidValue(() => coerceValue(target, Number.NEGATIVE_INFINITY, at), 'not_finite');
    }
    invalidValue(() => coerceValue(float, 'NaN', at), 'not_finite');
    invalidValue(() => coerceValue(float, 'Infinity', at), 'not_finite');
    invalidValue(() => coerceValue(bigint, 'NaN', at), 'not_finite');
  });

  it('refuses fractions for integer and bigint fields, with the fix', () => {
    const error = invalidValue(() => coerceValue(integer, 1.5, at), 'not_integer');
    expect(error.message).toMatch(/got 1\.5/);
    expect(error.message).toMatch(/Math\.round/);
    invalidValue(() => coerceValue(integer, '2.5', at), 'not_integer');
    invalidValue(() => coerceValue(bigint, 1.5, at), 'not_integer');
    invalidValue(() => coerceValue(bigint, '1.5', at), 'not_integer');
  });

  it('refuses integers a JS number cannot hold exactly', () => {
    invalidValue(() => coerceValue(integer, 2 ** 53, at), 'out_of_range');
    invalidValue(() => coerceValue(integer, 2n ** 60n, at), 'out_of_range');
    invalidValue(() => coerceValue(bigint, 2 ** 53, at), 'out_of_range');
  });

  it('still reports values of the wrong type as InvalidQueryError', () => {
    expect(() => coerceValue(integer, 'old', at)).toThrow(InvalidQueryError);
    expect(() => coerceValue(bigint, 'abc', at)).toThrow(InvalidQueryError);
    expect(() => coerceValue(bigint, true, at)).toThrow(InvalidQueryError);
  });
});

describe('coerceValue: bigints', () => {
  it('keeps numbers and BigInts as given and normalises integer strings', () => {
    expect(coerceValue(bigint, 42, at)).toBe(42);
    expect(coerceValue(bigint, 9_007_199_254_740_993n, at)).toBe(9_007_199_254_740_993n);
    expect(coerceValue(bigint, ' +9007199254740993 ', at)).toBe('9007199254740993');
    expect(coerceValue(bigint, '-9223372036854775808', at)).toBe('-9223372036854775808');
  });

  it('refuses values outside the signed (or unsigned) 64-bit range', () => {
    const error = invalidValue(
      () => coerceValue(bigint, '9223372036854775808', at),
      'out_of_range',
    );
    expect(error.message).toMatch(/-9223372036854775808 to 9223372036854775807/);
    invalidValue(() => coerceValue(bigint, -(2n ** 63n) - 1n, at), 'out_of_range');
    const unsigned = field('bigint', true, { unsigned: true });
    expect(coerceValue(unsigned, '18446744073709551615', at)).toBe('18446744073709551615');
    invalidValue(() => coerceValue(unsigned, -1, at), 'out_of_range');
  });

  it('on SQLite refuses bigints its driver would read back rounded', () => {
    const sqlite = { ...at, integersAsNumbers: true };
    expect(coerceValue(bigint, '9007199254740991', sqlite)).toBe('9007199254740991');
    const error = invalidValue(
      () => coerceValue(bigint, '9007199254740993', sqlite),
      'out_of_range',
    );
    expect(error.message).toMatch(/SQLite/);
    invalidValue(() => coerceValue(bigint, -(2n ** 53n), sqlite), 'out_of_range');
    // Elsewhere the same value is kept exactly.
    expect(coerceValue(bigint, '9007199254740993', { ...at, integersAsNumbers: false })).toBe(
      '9007199254740993',
    );
  });
});

describe('coerceValue: text', () => {
  it('keeps well-formed strings, emoji included', () => {
    expect(coerceValue(text, 'a😀b', at)).toBe('a😀b');
    expect(coerceValue(text, 12, at)).toBe('12');
  });

  it('refuses NUL characters on every database, saying where', () => {
    const error = invalidValue(() => coerceValue(text, 'a\u0000b', at), 'nul_character');
    expect(error.message).toMatch(/at index 1/);
    expect(error.message).toMatch(/replaceAll/);
    invalidValue(() => coerceValue(field('other'), '\u0000', at), 'nul_character');
  });

  it('refuses lone surrogates, which have no UTF-8 encoding', () => {
    const error = invalidValue(() => coerceValue(text, 'a\uD83Db', at), 'malformed_unicode');
    expect(error.message).toMatch(/\(U\+D83D\) at index 1/);
    invalidValue(() => coerceValue(text, '\uDE00', at), 'malformed_unicode');
    invalidValue(() => coerceValue(text, 'end\uD83D', at), 'malformed_unicode');
  });

  it('checks strings and keys inside JSON values', () => {
    const value = { nested: [{ ok: 'fine 😀' }], flag: true };
    expect(coerceValue(json, value, at)).toBe(value);
    invalidValue(() => coerceValue(json, { nested: ['x\u0000'] }, at), 'nul_character');
    invalidValue(() => coerceValue(json, { 'k\uD800': 1 }, at), 'malformed_unicode');
    invalidValue(() => coerceValue(field('array'), ['a', 'b\u0000'], at), 'nul_character');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(coerceValue(json, cyclic, at)).toBe(cyclic);
  });
});

describe('coerceIncrement', () => {
  it('accepts whole deltas for integer fields and fractions for float fields', () => {
    expect(coerceIncrement(integer, -3, at)).toBe(-3);
    expect(coerceIncrement(float, 0.5, at)).toBe(0.5);
  });

  it('refuses fractions for integer fields and non-finite deltas everywhere', () => {
    invalidValue(() => coerceIncrement(integer, 0.5, at), 'not_integer');
    invalidValue(() => coerceIncrement(bigint, 1.5, at), 'not_integer');
    invalidValue(() => coerceIncrement(float, Number.NaN, at), 'not_finite');
    expect(() => coerceIncrement(integer, '1', at)).toThrow(InvalidQueryError);
  });
});
