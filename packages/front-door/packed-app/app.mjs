// An app that installed the packed tarballs with npm, as the packages' READMEs say (ESM).

import { authjsEntities, MikroOrmAdapter } from '@mikro-auth/authjs';
import { betterAuthEntities, mikroOrmAdapter } from '@mikro-auth/better-auth';
import { MikroOrmSessionStore, sessionStoreEntities } from '@mikro-auth/express-session';
import { MikroORM } from '@mikro-orm/core';
import { NodeSqliteDialect, SqliteDriver } from '@mikro-orm/sql';
import { betterAuth } from 'better-auth';

const config = {
  emailAndPassword: { enabled: true },
  secret: 'packed-install-secret-0123456789abcdef',
  baseURL: 'http://localhost:3000',
};
const orm = await MikroORM.init({
  driver: SqliteDriver,
  dbName: ':memory:',
  driverOptions: new NodeSqliteDialect(':memory:'),
  entities: [...betterAuthEntities(config)],
});
await orm.schema.create();
const auth = betterAuth({ ...config, database: mikroOrmAdapter(orm) });
const { user } = await auth.api.signUpEmail({
  body: { name: 'Ada', email: 'ada@example.com', password: 'analytical-engine' },
});
const found = await orm.em.fork().getConnection().execute('select email from user');
console.log(JSON.stringify({ betterAuth: user.email, rows: found.map((r) => r.email) }));
await orm.close();

const orm2 = await MikroORM.init({
  driver: SqliteDriver,
  dbName: ':memory:',
  driverOptions: new NodeSqliteDialect(':memory:'),
  entities: authjsEntities(),
});
await orm2.schema.create();
const adapter = MikroOrmAdapter(orm2);
const created = await adapter.createUser({
  id: crypto.randomUUID(),
  email: 'grace@example.com',
  emailVerified: null,
});
console.log(
  JSON.stringify({
    authjs: (await adapter.getUserByEmail('grace@example.com'))?.id === created.id,
  }),
);
await orm2.close();

const orm3 = await MikroORM.init({
  driver: SqliteDriver,
  dbName: ':memory:',
  driverOptions: new NodeSqliteDialect(':memory:'),
  entities: sessionStoreEntities(),
});
await orm3.schema.create();
const store = new MikroOrmSessionStore(orm3, { pruneInterval: false });
const cookie = { originalMaxAge: 60_000, expires: new Date(Date.now() + 60_000), path: '/' };
await new Promise((resolve, reject) =>
  store.set('sid-1', { cookie, views: 3 }, (error) => (error ? reject(error) : resolve())),
);
const session = await new Promise((resolve, reject) =>
  store.get('sid-1', (error, value) => (error ? reject(error) : resolve(value))),
);
console.log(JSON.stringify({ sessionStore: session?.views }));
await orm3.close();
