/**
 * The MikroORM instance, created without touching the database, so `next build` needs none.
 *
 * `new MikroORM(options)` is synchronous: it discovers the entities and sets up the driver, and
 * opens no connection (MikroORM 7 connects on the first query). The instance is kept on
 * `globalThis` so that `next dev`, which re-evaluates this module on every edit, reuses one pool
 * instead of opening a new one per reload.
 *
 * DATABASE_URL picks the database: unset or `file:<path>` is SQLite (default data/app.sqlite),
 * `postgres://…` PostgreSQL, `mysql://…` MySQL and `mariadb://…` MariaDB.
 */
import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { betterAuthEntities } from '@mikro-auth/better-auth';
import { MikroORM } from '@mikro-orm/core';
import { MariaDbDriver } from '@mikro-orm/mariadb';
import { MySqlDriver } from '@mikro-orm/mysql';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { SqliteDriver } from '@mikro-orm/sqlite';
import { authConfig } from './auth-config';

function sqliteFile(url: string | undefined): string | undefined {
  if (!url) return resolve('data/app.sqlite');
  if (/^(file|sqlite):/.test(url)) return resolve(url.replace(/^(file|sqlite):(\/\/)?/, ''));
  return undefined;
}

function createOrm(): MikroORM {
  const url = process.env.DATABASE_URL || undefined;
  const common = {
    entities: betterAuthEntities(authConfig),
    allowGlobalContext: false,
    debug: process.env.DEBUG_SQL === '1',
  };
  const file = sqliteFile(url);
  if (file) return new MikroORM({ ...common, driver: SqliteDriver, dbName: file });
  if (url && /^postgres(ql)?:/.test(url)) {
    return new MikroORM({ ...common, driver: PostgreSqlDriver, clientUrl: url });
  }
  if (url && /^mysql:/.test(url)) {
    return new MikroORM({ ...common, driver: MySqlDriver, clientUrl: url });
  }
  if (url && /^mariadb:/.test(url)) {
    // The mariadb connector takes mysql:// URLs; the scheme only picks the driver.
    return new MikroORM({
      ...common,
      driver: MariaDbDriver,
      clientUrl: url.replace(/^mariadb:/, 'mysql:'),
    });
  }
  throw new Error(
    `DATABASE_URL must be file:<path>, postgres://…, mysql://… or mariadb://…, got ${url}`,
  );
}

const cache = globalThis as typeof globalThis & {
  mikroAuthOrm?: MikroORM;
  mikroAuthSchema?: Promise<void>;
};

cache.mikroAuthOrm ??= createOrm();
export const orm: MikroORM = cache.mikroAuthOrm;

/**
 * Creates the tables once per server process, on the first request that needs them (a retry
 * after a failure). A schema update keeps this demo migration-free; in your app, run MikroORM
 * migrations when you deploy and drop this function.
 */
export function ensureSchema(): Promise<void> {
  cache.mikroAuthSchema ??= (async () => {
    const file = sqliteFile(process.env.DATABASE_URL || undefined);
    if (file) await mkdir(dirname(file), { recursive: true });
    await orm.schema.update();
  })().catch((error: unknown) => {
    cache.mikroAuthSchema = undefined;
    throw error;
  });
  return cache.mikroAuthSchema;
}
