// The same app, type-checked as a TypeScript user compiles it (nodenext and bundler resolution).
import { type AuthjsAdapter, authjsEntities, MikroOrmAdapter } from '@mikro-auth/authjs';
import { betterAuthEntities, mikroOrmAdapter } from '@mikro-auth/better-auth';
import { MikroOrmSessionStore, sessionStoreEntities } from '@mikro-auth/express-session';
import { MikroORM } from '@mikro-orm/core';
import { NodeSqliteDialect, SqliteDriver } from '@mikro-orm/sql';
import { betterAuth } from 'better-auth';

const config = { emailAndPassword: { enabled: true } };
const orm = await MikroORM.init({
  driver: SqliteDriver,
  dbName: ':memory:',
  driverOptions: new NodeSqliteDialect(':memory:'),
  entities: [...betterAuthEntities(config), ...authjsEntities(), ...sessionStoreEntities()],
});
const auth = betterAuth({ ...config, database: mikroOrmAdapter(orm) });
const adapter: AuthjsAdapter = MikroOrmAdapter(orm);
export const user: Promise<{ email: string } | null> = adapter.getUserByEmail('a@example.com');
export type Session = typeof auth.$Infer.Session;
export const sessionStore: import('express-session').Store = new MikroOrmSessionStore(orm, {
  ttl: 3600,
});
