import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildEntitySchemas, createStore, renderEntitySource } from '@mikro-auth/core';
import type { EntitySchema, MikroORM } from '@mikro-orm/core';
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../harness/index.js';
import { CORE_TABLES } from './fixtures.js';

const db = useTestDatabase();
const generated = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '.generated');

async function createSql(orm: MikroORM): Promise<string> {
  return orm.schema.getCreateSchemaSQL();
}

describe(`entities from a table description (${db.name})`, () => {
  it('renders defineEntity source that yields exactly the schema buildEntitySchemas yields', async () => {
    const source = renderEntitySource(CORE_TABLES, { header: 'Generated for a test.' });
    expect(renderEntitySource(CORE_TABLES, { header: 'Generated for a test.' })).toBe(source);

    await mkdir(generated, { recursive: true });
    const file = join(generated, `entities-${db.name}-${process.pid}.ts`);
    await writeFile(file, source);
    const module = (await import(file)) as Record<string, EntitySchema>;
    const rendered = Object.values(module);
    expect(rendered.map((entity) => entity.meta.className)).toEqual([
      'Member',
      'Ticket',
      'Counter',
    ]);

    const fromSource = await db.init({ entities: rendered });
    const fromSpec = await db.init({ entities: buildEntitySchemas(CORE_TABLES) });
    expect(await createSql(fromSource)).toBe(await createSql(fromSpec));

    const store = createStore(fromSource);
    const at = new Date('2026-01-01T00:00:00.123Z');
    await store.create('member', {
      id: 'r',
      name: 'r',
      email: 'r@x.io',
      emailVerified: true,
      createdAt: at,
    });
    expect(await store.findOne('member', [{ field: 'id', value: 'r' }])).toMatchObject({
      emailVerified: true,
      createdAt: at,
    });
  });

  it('writes explicit table and column names, millisecond dates and cascading foreign keys', async () => {
    const orm = await db.init({ entities: buildEntitySchemas(CORE_TABLES) });
    const sql = await createSql(orm);
    expect(sql).toMatch(/email_verified/);
    expect(sql).toMatch(/on delete cascade/i);
    if (db.name === 'mysql' || db.name === 'mariadb') expect(sql).toMatch(/datetime\(3\)/);
    if (db.dialect === 'postgres') expect(sql).toMatch(/timestamptz\(3\)/);
  });
});
