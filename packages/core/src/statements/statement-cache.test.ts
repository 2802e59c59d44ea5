import { describe, expect, it } from 'vitest';
import type { FieldInfo, ModelInfo } from '../model/registry.js';
import type { ResolvedClause } from '../query/types.js';
import { StatementCache } from './cache.js';
import {
  paddedLength,
  paddedList,
  type StatementShape,
  type StatementTarget,
  statementKey,
} from './key.js';
import { fill, learn, type Template } from './template.js';

const field = (name: string): FieldInfo => ({ name, column: name }) as unknown as FieldInfo;
const model = {
  name: 'user',
  meta: { className: 'User' },
  fields: [field('id'), field('email')],
} as unknown as ModelInfo;
const target: StatementTarget = { connection: 1, dialect: 'postgres', schema: '' };

function clause(value: ResolvedClause['value'], operator: ResolvedClause['operator'] = 'eq') {
  return {
    field: 'email',
    operator,
    value,
    connector: 'AND',
    mode: 'sensitive',
    resolved: field('email'),
  } as ResolvedClause;
}

const read = (over: Partial<StatementShape> = {}): StatementShape => ({
  operation: 'findMany',
  model,
  clauses: [clause('a@x.io')],
  ...over,
});

describe('statementKey', () => {
  it('differs by schema, connection and dialect: a template never serves another target', () => {
    const keys = new Set([
      statementKey(target, read()),
      statementKey({ ...target, schema: 'tenant_b' }, read()),
      statementKey({ ...target, connection: 2 }, read()),
      statementKey({ ...target, dialect: 'mysql' }, read()),
    ]);
    expect(keys.size).toBe(4);
  });

  it('leaves values out: other values, limits, offsets and list lengths of one bucket share a key', () => {
    expect(statementKey(target, read({ clauses: [clause('b@x.io')] }))).toBe(
      statementKey(target, read()),
    );
    expect(statementKey(target, read({ page: { limit: 10, offset: 20 } }))).toBe(
      statementKey(target, read({ page: { limit: 50, offset: 4000 } })),
    );
    expect(statementKey(target, read({ clauses: [clause(['a', 'b', 'c'], 'in')] }))).toBe(
      statementKey(target, read({ clauses: [clause(['a', 'b', 'c', 'd'], 'in')] })),
    );
  });

  it('keeps what changes the SQL: value kinds, null, presence of limit and offset, operators', () => {
    const keys = new Set([
      statementKey(target, read()),
      statementKey(target, read({ clauses: [clause(null)] })),
      statementKey(target, read({ clauses: [clause(7)] })),
      statementKey(target, read({ clauses: [clause('a', 'ne')] })),
      statementKey(target, read({ page: { limit: 1 } })),
      statementKey(target, read({ page: { limit: 1, offset: 1 } })),
      statementKey(target, read({ clauses: [clause(['a', 'b', 'c', 'd', 'e'], 'in')] })),
      statementKey(target, read({ operation: 'count' })),
    ]);
    expect(keys.size).toBe(8);
  });
});

describe('in-list padding', () => {
  it('pads to the next power of two by repeating the last value', () => {
    expect([0, 1, 2, 3, 5, 8, 9].map(paddedLength)).toEqual([0, 1, 2, 4, 8, 8, 16]);
    expect(paddedList(['a', 'b', 'c'])).toEqual(['a', 'b', 'c', 'c']);
    expect(paddedList(['a', 'b'])).toEqual(['a', 'b']);
  });
});

describe('StatementCache', () => {
  const template = (sql: string): Template => ({ sql, params: [], positions: [] });

  it('evicts the least recently used shape, and a hit counts as a use', () => {
    const cache = new StatementCache(2);
    cache.set('a', template('a'));
    cache.set('b', template('b'));
    expect(cache.get('a')?.sql).toBe('a'); // 'a' is now the most recent
    cache.set('c', template('c'));
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')?.sql).toBe('a');
    expect(cache.get('c')?.sql).toBe('c');
    expect(cache.size).toBe(2);
  });

  it('remembers shapes that cannot be cached as null', () => {
    const cache = new StatementCache();
    cache.set('x', null);
    expect(cache.get('x')).toBeNull();
  });
});

describe('learn and fill', () => {
  const marker = (n: number) => `\u0000mikro-auth-slot-${n}\u0000`;

  it('learns where each value goes and refills a template with new values', () => {
    const learned = learn(
      { sql: 'select * from t where a = ? limit ?', params: ['x', 10] },
      { sql: 'select * from t where a = ? limit ?', params: [marker(0), marker(1)] },
      [marker(0), marker(1)],
      ['x', 10],
    );
    expect(learned).toBeDefined();
    expect(fill(learned!, ['y', 20])).toEqual(['y', 20]);
  });

  it('refuses a shape whose real parameters are not the values it was given (a conversion)', () => {
    expect(
      learn(
        { sql: 'select * from t where a = ?', params: ['ada@x.io'] },
        { sql: 'select * from t where a = ?', params: [marker(0)] },
        [marker(0)],
        ['ADA@X.IO'],
      ),
    ).toBeUndefined();
  });

  it('treats a one-parameter `?` fragment as that parameter', () => {
    const learned = learn(
      { sql: 'select 1 where a = ?', params: [{ sql: '?', params: ['v'] }] },
      { sql: 'select 1 where a = ?', params: [{ sql: '?', params: [marker(0)] }] },
      [marker(0)],
      ['v'],
    );
    expect(learned?.positions).toEqual([0]);
  });
});
