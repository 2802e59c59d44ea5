// lib/db.ts of the NextAuth.js v4 and v5 apps: the ORM created without connecting, kept on
// globalThis (packages/authjs/README.md); SQLite through node:sqlite here.
import { authjsEntities } from '@mikro-auth/authjs';
import { MikroORM } from '@mikro-orm/core';
import { NodeSqliteDialect, SqliteDriver } from '@mikro-orm/sql';

const cache = globalThis as typeof globalThis & { orm?: MikroORM };
cache.orm ??= new MikroORM({
  driver: SqliteDriver,
  dbName: 'app.sqlite',
  driverOptions: new NodeSqliteDialect('app.sqlite'),
  entities: authjsEntities(),
});
export const orm: MikroORM = cache.orm;
