/**
 * Opens MikroORM for the database named by DATABASE_URL: SQLite in a local file by default, or
 * postgres://, mysql:// or mariadb:// servers.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { MikroORM, type Options } from '@mikro-orm/core';

export async function openDatabase(
  url: string | undefined,
  entities: Options['entities'],
): Promise<MikroORM> {
  const common = { entities, allowGlobalContext: false, debug: process.env.DEBUG_SQL === '1' };
  if (!url || /^(file|sqlite):/.test(url)) {
    const file = resolve(url ? url.replace(/^(file|sqlite):(\/\/)?/, '') : 'data/demo.sqlite');
    mkdirSync(dirname(file), { recursive: true });
    const { SqliteDriver } = await import('@mikro-orm/sqlite');
    return MikroORM.init({ ...common, driver: SqliteDriver, dbName: file });
  }
  if (/^postgres(ql)?:/.test(url)) {
    const { PostgreSqlDriver } = await import('@mikro-orm/postgresql');
    return MikroORM.init({ ...common, driver: PostgreSqlDriver, clientUrl: url });
  }
  if (url.startsWith('mysql:')) {
    const { MySqlDriver } = await import('@mikro-orm/mysql');
    return MikroORM.init({ ...common, driver: MySqlDriver, clientUrl: url });
  }
  if (url.startsWith('mariadb:')) {
    const { MariaDbDriver } = await import('@mikro-orm/mariadb');
    const clientUrl = url.replace(/^mariadb:/, 'mysql:');
    return MikroORM.init({ ...common, driver: MariaDbDriver, clientUrl });
  }
  throw new Error(
    `DATABASE_URL must start with file:, postgres://, mysql:// or mariadb://, got ${url}`,
  );
}
