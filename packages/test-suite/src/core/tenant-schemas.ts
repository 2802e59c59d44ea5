/**
 * Tenant schemas for tests, the way schema-per-tenant apps lay them out: copies of the tables in
 * named schemas (PostgreSQL schemas, MySQL/MariaDB databases, SQLite attached database files), with
 * entities that have no schema of their own, so the EntityManager's `schema` picks the tenant.
 */
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MikroORM } from '@mikro-orm/core';
import type { SqlSchemaGenerator } from '@mikro-orm/sql';
import type { TestDatabase } from '../harness/index.js';

export interface TenantSchemas {
  readonly names: readonly string[];
  /** Drops what `createTenantSchemas` made outside the test file's own database. */
  drop(): Promise<void>;
}

/** Creates one schema per tenant holding empty copies of `tables` (created in the default schema). */
export async function createTenantSchemas(
  db: TestDatabase,
  orm: MikroORM,
  tenants: readonly string[],
  tables: readonly string[],
): Promise<TenantSchemas> {
  const base = String(orm.config.get('dbName'));
  const connection = orm.em.getConnection();
  const names = tenants.map((tenant) =>
    db.name === 'mysql' || db.name === 'mariadb' ? `${base}_${tenant}` : tenant,
  );
  const sqliteFile = (schema: string) =>
    join(tmpdir(), `${base.split('/').pop()}.${schema}.sqlite`);
  for (const schema of names) {
    if (db.name === 'sqlite') {
      await connection.execute(`attach database '${sqliteFile(schema)}' as "${schema}"`);
      for (const table of tables) {
        const [ddl] = (await connection.execute(
          `select sql from sqlite_master where type = 'table' and name = ?`,
          [table],
        )) as Array<{ sql: string }>;
        await connection.execute(
          ddl!.sql.replace(/^create table [`"]?\w+[`"]?/i, `create table "${schema}"."${table}"`),
        );
      }
      continue;
    }
    await (orm.schema as unknown as SqlSchemaGenerator).createNamespace(schema);
    for (const table of tables) {
      await connection.execute(
        db.dialect === 'postgres'
          ? `create table "${schema}"."${table}" (like "public"."${table}" including all)`
          : `create table \`${schema}\`.\`${table}\` like \`${base}\`.\`${table}\``,
      );
    }
  }
  return {
    names,
    async drop() {
      for (const schema of names) {
        if (db.name === 'sqlite') await rm(sqliteFile(schema), { force: true });
        // PostgreSQL schemas go with the test file's database; MySQL "schemas" are databases.
        if (db.name === 'mysql' || db.name === 'mariadb') {
          await connection.execute(`drop database if exists \`${schema}\``);
        }
      }
    },
  };
}
