import { MikroORM } from '@mikro-orm/core';
import { MsSqlDriver, MsSqlPlatform } from '@mikro-orm/mssql';
import { describe, expect, it } from 'vitest';
import { UnsupportedError } from '../errors/classes.js';
import { buildEntitySchemas } from '../schema/entity-schema.js';
import { createStore } from '../store.js';
import { dialectOf } from './dialect.js';

describe('dialectOf', () => {
  it('refuses Microsoft SQL Server with a typed error, though its flags look like MySQL', () => {
    const platform = new MsSqlPlatform();
    // What made it pass for MySQL before: no RETURNING.
    expect(platform.usesReturningStatement()).toBe(false);
    expect(() => dialectOf(platform)).toThrow(UnsupportedError);
    expect(() => dialectOf(platform)).toThrow(/Microsoft SQL Server \(MsSqlPlatform\)/);
    try {
      dialectOf(platform);
    } catch (error) {
      expect((error as UnsupportedError).code).toBe('UNSUPPORTED');
    }
  });
});

describe('a store on a MikroORM instance for SQL Server', () => {
  it('fails its first operation with UnsupportedError, before any SQL', async () => {
    const orm = await MikroORM.init({
      driver: MsSqlDriver,
      dbName: 'unused',
      entities: buildEntitySchemas([
        { entity: 'Note', table: 'note', fields: { body: { type: 'string' } } },
      ]),
    });
    try {
      await expect(createStore(orm).findOne('note', [])).rejects.toThrow(UnsupportedError);
    } finally {
      await orm.close();
    }
  });
});
