import type { EntityManager, Platform } from '@mikro-orm/core';
import { describe, expect, it } from 'vitest';
import { MikroAuthError } from '../errors/classes.js';
import { model } from '../model/model.fixture.js';
import { rowFromResult } from './decode.js';

const item = model('Item', [
  ['id', 'id'],
  ['n', 'n', 'number'],
  ['big', 'big', 'bigint'],
  ['ok', 'ok', 'boolean'],
  ['at', 'at', 'date'],
]);
// rowFromResult asks the EntityManager only for its platform, and the platform only for JSON.
const em = { getPlatform: () => ({}) as Platform } as unknown as EntityManager;

describe('rowFromResult', () => {
  it('gives every driver the same JS values: numbers, booleans, dates', () => {
    expect(
      rowFromResult(item, em, { id: 'a', n: '1.5', ok: 1, at: '2026-05-06T07:08:09.123Z' }),
    ).toEqual({ id: 'a', n: 1.5, ok: true, at: new Date('2026-05-06T07:08:09.123Z') });
    expect(rowFromResult(item, em, { ok: '0', n: null })).toEqual({ ok: false, n: null });
  });

  it('returns bigints as numbers while exact and as decimal strings beyond 2^53', () => {
    expect(rowFromResult(item, em, { big: '42' })).toEqual({ big: 42 });
    expect(rowFromResult(item, em, { big: '9007199254740993' })).toEqual({
      big: '9007199254740993',
    });
  });

  it('refuses a bigint a driver already rounded, instead of returning a wrong value', () => {
    expect(() => rowFromResult(item, em, { big: 2 ** 53 + 2 })).toThrow(MikroAuthError);
  });

  it('passes keys that are not fields through unchanged', () => {
    expect(rowFromResult(item, em, { extra: 'x' })).toEqual({ extra: 'x' });
  });
});
