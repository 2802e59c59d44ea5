/**
 * Joins on binary keys: ids stored as 16 bytes (BINARY(16) on MySQL/MariaDB, bytea on PostgreSQL,
 * BLOB on SQLite) through the app's own `Type`, as apps storing UUIDs compactly do. The driver
 * hands every key back as a new Buffer, so rows must be told apart by the bytes, not the object.
 */
import { createStore, type Row, type Store } from '@mikro-auth/core';
import { defineEntity, type Platform, p, Type } from '@mikro-orm/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../harness/index.js';

/** A UUID string in JavaScript, its 16 bytes in the database. */
class BinaryUuidType extends Type<string, Buffer> {
  override convertToDatabaseValue(value: string): Buffer {
    return typeof value === 'string' ? Buffer.from(value.replaceAll('-', ''), 'hex') : value;
  }
  override convertToJSValue(value: Buffer | string): string {
    if (typeof value === 'string') return value;
    const hex = Buffer.from(value).toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }
  override getColumnType(_prop: unknown, platform: Platform): string {
    const name = platform.constructor.name;
    if (name.startsWith('PostgreSql')) return 'bytea';
    if (name.startsWith('Sqlite') || name.startsWith('BetterSqlite')) return 'blob';
    return 'binary(16)';
  }
  override compareAsType(): string {
    return 'Buffer';
  }
}

const Owner = defineEntity({
  name: 'Owner',
  tableName: 'owner',
  properties: {
    id: p.type(BinaryUuidType).primary(),
    name: p.string(),
  },
});

const Item = defineEntity({
  name: 'Item',
  tableName: 'item',
  properties: {
    id: p.type(BinaryUuidType).primary(),
    ownerId: p.type(BinaryUuidType).index(),
    label: p.string(),
  },
});

const db = useTestDatabase();
let store: Store;
const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

beforeAll(async () => {
  const orm = await db.init({ entities: [Owner, Item] });
  store = createStore(orm);
  await store.create('owner', { id: uuid(1), name: 'one' });
  await store.create('owner', { id: uuid(2), name: 'two' });
  for (const [id, owner] of [
    [11, 1],
    [12, 1],
    [13, 1],
    [21, 2],
  ] as const) {
    await store.create('item', { id: uuid(id), ownerId: uuid(owner), label: `item ${id}` });
  }
});

const items = {
  as: 'items',
  model: 'item',
  on: { from: 'id', to: 'ownerId' },
  relation: 'many',
} as const;
const labels = (rows: unknown) => (rows as Row[]).map((row) => row.label);

describe(`joins on binary keys (${db.name})`, () => {
  it('one-to-many: each base row once, each joined row once', async () => {
    const rows = await store.findMany('owner', {
      sort: { field: 'name', direction: 'asc' },
      joins: [items],
    });
    expect(rows.map((row) => row.id)).toEqual([uuid(1), uuid(2)]);
    expect(labels(rows[0]!.items)).toEqual(['item 11', 'item 12', 'item 13']);
    expect(labels(rows[1]!.items)).toEqual(['item 21']);
  });

  it('two one-to-many joins: no joined row repeated by the other join', async () => {
    const row = await store.findOne('owner', [{ field: 'id', value: uuid(1) }], {
      joins: [items, { ...items, as: 'again' }],
    });
    expect(row?.id).toBe(uuid(1));
    expect(labels(row?.items)).toEqual(['item 11', 'item 12', 'item 13']);
    expect(labels(row?.again)).toEqual(['item 11', 'item 12', 'item 13']);
  });
});
