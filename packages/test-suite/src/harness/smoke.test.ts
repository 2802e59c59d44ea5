import { EntitySchema } from '@mikro-orm/core';
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from './test-database.js';

interface Note {
  id: number;
  body: string;
  createdAt: Date;
}

const NoteSchema = new EntitySchema<Note>({
  name: 'SmokeNote',
  tableName: 'smoke_note',
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    body: { type: 'string' },
    createdAt: { type: 'datetime', length: 3 },
  },
});

const db = useTestDatabase();

describe(`harness smoke (${db.name})`, () => {
  it('runs real queries on its own database and reads back what it wrote', async () => {
    const orm = await db.init({ entities: [NoteSchema] });
    const em = orm.em.fork();
    const createdAt = new Date('2026-01-02T03:04:05.678Z');
    em.create(NoteSchema, { body: 'hello', createdAt });
    await em.flush();

    const fresh = orm.em.fork();
    const found = await fresh.findOneOrFail(NoteSchema, { body: 'hello' });
    expect(found.createdAt.toISOString()).toBe(createdAt.toISOString());
    expect(await fresh.count(NoteSchema)).toBe(1);
  });

  it('counts the statements an operation sends', async () => {
    const orm = await db.init({ entities: [NoteSchema] });
    const em = orm.em.fork();
    const { queries } = await db.recordQueries(() => em.count(NoteSchema, {}));
    expect(queries).toHaveLength(1);
  });

  it('starts from an empty database after reset', async () => {
    await db.reset();
    const orm = await db.init({ entities: [NoteSchema] });
    expect(await orm.em.fork().count(NoteSchema)).toBe(0);
  });
});
