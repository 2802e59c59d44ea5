/**
 * The session-store contenders: @mikro-auth/express-session's MikroOrmSessionStore against
 * connect-pg-simple (PostgreSQL only: the most used SQL store for express-session) and
 * express-session's own MemoryStore (the in-process limit). Each on a database of its own; the
 * same session payload; pruning timers off. The Store interface is callback-based: each call is
 * wrapped in a promise the same way for every contender.
 */
import { MikroOrmSessionStore, sessionStoreEntities } from '@mikro-auth/express-session';
import { MikroORM as PostgresOrm } from '@mikro-orm/postgresql';
import { MikroORM as SqliteOrm } from '@mikro-orm/sqlite';
import connectPgSimple from 'connect-pg-simple';
import session from 'express-session';
import pg from 'pg';
import { type BenchDatabase, createLocation } from './databases.ts';

export interface StoreContender {
  name: 'mikro-auth' | 'connect-pg-simple' | 'memory';
  get(sid: string): Promise<unknown>;
  set(sid: string, value: session.SessionData): Promise<void>;
  touch(sid: string, value: session.SessionData): Promise<void>;
  close(): Promise<void>;
}

function promised(store: session.Store, name: StoreContender['name'], close: () => Promise<void>) {
  const call = <T>(run: (done: (error?: unknown, result?: T) => void) => void) =>
    new Promise<T>((resolve, reject) =>
      run((error, result) => (error ? reject(error) : resolve(result as T))),
    );
  return {
    name,
    get: (sid: string) => call((done) => store.get(sid, done)),
    set: (sid: string, value: session.SessionData) =>
      call<void>((done) => store.set(sid, value, done)),
    touch: (sid: string, value: session.SessionData) =>
      call<void>((done) => store.touch?.(sid, value, () => done())),
    close,
  } satisfies StoreContender;
}

/** A signed-in Passport session, as express-session hands it to a store. */
export function benchSession(index: number, expires: Date): session.SessionData {
  return {
    cookie: { originalMaxAge: 86_400_000, expires, httpOnly: true, path: '/', secure: false },
    passport: { user: `user-${index}` },
    visits: index,
  } as unknown as session.SessionData;
}

export async function createStoreContenders(
  database: BenchDatabase,
): Promise<{ contenders: StoreContender[]; drop: () => Promise<void> }> {
  const drops: Array<() => Promise<void>> = [];
  const contenders: StoreContender[] = [];

  const own = await createLocation(database, 'sessions_mikro_auth');
  drops.push(own.drop);
  const options = { entities: sessionStoreEntities() };
  const orm =
    database === 'sqlite'
      ? await SqliteOrm.init({ ...options, dbName: own.target })
      : await PostgresOrm.init({ ...options, clientUrl: own.target });
  await orm.schema.create();
  const store = new MikroOrmSessionStore(orm, { pruneInterval: false });
  contenders.push(promised(store, 'mikro-auth', () => orm.close()));

  if (database === 'postgres') {
    const location = await createLocation(database, 'sessions_connect_pg_simple');
    drops.push(location.drop);
    const pool = new pg.Pool({ connectionString: location.target, max: 10 });
    const PgStore = connectPgSimple(session);
    const pgStore = new PgStore({ pool, createTableIfMissing: true, pruneSessionInterval: false });
    contenders.push(promised(pgStore, 'connect-pg-simple', () => pool.end()));
  }

  contenders.push(promised(new session.MemoryStore(), 'memory', async () => {}));
  return {
    contenders,
    drop: async () => {
      for (const drop of drops) await drop();
    },
  };
}
