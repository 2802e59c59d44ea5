/**
 * The MikroORM options handed to `MikroOrmModule.forRoot(...)`. DATABASE_URL picks the database:
 * unset or `file:<path>` is SQLite (default data/app.sqlite), `postgres://…` PostgreSQL,
 * `mysql://…` MySQL and `mariadb://…` MariaDB.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { betterAuthEntities } from '@mikro-auth/better-auth';
import { MariaDbDriver } from '@mikro-orm/mariadb';
import { MySqlDriver } from '@mikro-orm/mysql';
import type { MikroOrmModuleSyncOptions } from '@mikro-orm/nestjs';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { SqliteDriver } from '@mikro-orm/sqlite';
import { authConfig } from './auth.config.js';
import { Profile } from './profile.entity.js';

/** Better Auth's entities, generated from its configuration. */
export const authEntities = betterAuthEntities(authConfig);
/** Better Auth's user entity, for reading the user through the app's EntityManager. */
export const AuthUser = authEntities.find((entity) => entity.meta.className === 'User')!;

export function ormOptions(url = process.env.DATABASE_URL || undefined): MikroOrmModuleSyncOptions {
  const common = {
    // Better Auth's tables (generated from its configuration) next to the app's own entity.
    entities: [...authEntities, Profile],
    // The default, kept explicit: the global EntityManager refuses context-specific work.
    allowGlobalContext: false,
  };
  if (!url || /^(file|sqlite):/.test(url)) {
    const file = resolve(url ? url.replace(/^(file|sqlite):(\/\/)?/, '') : 'data/app.sqlite');
    mkdirSync(dirname(file), { recursive: true });
    return { ...common, driver: SqliteDriver, dbName: file };
  }
  if (/^postgres(ql)?:/.test(url)) return { ...common, driver: PostgreSqlDriver, clientUrl: url };
  if (/^mysql:/.test(url)) return { ...common, driver: MySqlDriver, clientUrl: url };
  if (/^mariadb:/.test(url)) {
    // The mariadb connector takes mysql:// URLs; the scheme only picks the driver.
    return { ...common, driver: MariaDbDriver, clientUrl: url.replace(/^mariadb:/, 'mysql:') };
  }
  throw new Error(
    `DATABASE_URL must be file:<path>, postgres://…, mysql://… or mariadb://…, got ${url}`,
  );
}
