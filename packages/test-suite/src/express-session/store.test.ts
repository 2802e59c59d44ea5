/**
 * The express-session Store contract (get, set, destroy, touch, all, length, clear) of
 * `MikroOrmSessionStore`, with its TTL rules, pruning, serializer and errors, checked against the
 * table on every database; then the store under express-session and @fastify/session over HTTP.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import fastifyCookie from '@fastify/cookie';
import fastifySession from '@fastify/session';
import {
  ConfigurationError,
  createStore,
  MikroAuthError,
  SchemaMismatchError,
  type Store,
} from '@mikro-auth/core';
import {
  MikroOrmSessionStore,
  type MikroOrmSessionStoreOptions,
  type StoredSession,
  sessionStoreEntities,
} from '@mikro-auth/express-session';
import { type MikroORM, RequestContext } from '@mikro-orm/core';
import express from 'express';
import session from 'express-session';
import Fastify from 'fastify';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { preparedDuring, preparesOn } from '../core/prepared-runs.js';
import { createTenantSchemas, type TenantSchemas } from '../core/tenant-schemas.js';
import { useTestDatabase } from '../harness/index.js';

const db = useTestDatabase();
let orm: MikroORM;
/** Reads the table directly, to check what the store wrote. */
let table: Store;
const stores: MikroOrmSessionStore[] = [];

const HOUR = 3_600_000;
const SECRET = 'a secret of at least thirty-two characters';

beforeAll(async () => {
  orm = await db.init({ entities: sessionStoreEntities() });
  table = createStore(orm);
});

beforeEach(async () => {
  await table.deleteMany('HttpSession');
});

afterEach(() => {
  for (const store of stores.splice(0)) store.close();
});

function newStore(options: MikroOrmSessionStoreOptions = {}): MikroOrmSessionStore {
  const store = new MikroOrmSessionStore(orm, { pruneInterval: false, ...options });
  stores.push(store);
  return store;
}

/** The store's callback methods as promises. */
function api(store: MikroOrmSessionStore) {
  return {
    get: promisify(store.get.bind(store)) as (sid: string) => Promise<StoredSession | null>,
    set: promisify(store.set.bind(store)) as (sid: string, value: StoredSession) => Promise<void>,
    destroy: promisify(store.destroy.bind(store)) as (sid: string) => Promise<void>,
    touch: promisify(store.touch.bind(store)) as (
      sid: string,
      value: StoredSession,
    ) => Promise<void>,
    all: promisify(store.all.bind(store)) as () => Promise<Record<string, StoredSession>>,
    length: promisify(store.length.bind(store)) as () => Promise<number>,
    clear: promisify(store.clear.bind(store)) as () => Promise<void>,
  };
}

/** A session as express-session hands it to a store (its cookie, then the app's fields). */
function sessionData(expires: Date | null, fields: Record<string, unknown> = {}): StoredSession {
  return {
    cookie: {
      originalMaxAge: expires ? expires.getTime() - Date.now() : null,
      expires,
      httpOnly: true,
      path: '/',
    },
    ...fields,
  } as unknown as StoredSession;
}

/** The row of `sid` as stored. */
async function row(sid: string) {
  return table.findOne('HttpSession', [{ field: 'sid', value: sid }]);
}

const inHours = (hours: number) => new Date(Date.now() + hours * HOUR);

describe(`express-session store: contract (${db.name})`, () => {
  it('set then get returns the session; an unknown sid is null', async () => {
    const store = api(newStore());
    const expires = inHours(2);
    await store.set('sid-1', sessionData(expires, { userId: 'u1', views: 3 }));
    const got = await store.get('sid-1');
    expect(got).toMatchObject({ userId: 'u1', views: 3 });
    expect(new Date(String(got?.cookie.expires)).getTime()).toBe(expires.getTime());
    expect(await store.get('sid-2')).toBeNull();
    // The row holds the cookie's expiry.
    expect((await row('sid-1'))?.expires).toEqual(expires);
  });

  it('set overwrites the same sid: one row, the newer data', async () => {
    const store = api(newStore());
    await store.set('sid-1', sessionData(inHours(1), { views: 1 }));
    await store.set('sid-1', sessionData(inHours(1), { views: 2 }));
    expect(await store.get('sid-1')).toMatchObject({ views: 2 });
    expect(await table.count('HttpSession')).toBe(1);
  });

  it('session ids are case-sensitive on every database', async () => {
    const store = api(newStore());
    await store.set('AbC', sessionData(inHours(1), { who: 'upper' }));
    await store.set('abc', sessionData(inHours(1), { who: 'lower' }));
    expect(await store.get('AbC')).toMatchObject({ who: 'upper' });
    expect(await store.get('abc')).toMatchObject({ who: 'lower' });
    expect(await store.get('ABC')).toBeNull();
  });

  it('an expired session is not found, not counted and not listed', async () => {
    const store = api(newStore());
    await store.set('old', sessionData(new Date(Date.now() - 1000), { v: 1 }));
    await store.set('new', sessionData(inHours(1), { v: 2 }));
    expect(await store.get('old')).toBeNull();
    expect(await store.length()).toBe(1);
    expect(Object.keys(await store.all())).toEqual(['new']);
    // The expired row is still there until pruned.
    expect(await row('old')).not.toBeNull();
  });

  it('destroy removes the session; destroying an unknown sid is no error', async () => {
    const store = api(newStore());
    await store.set('sid-1', sessionData(inHours(1)));
    await store.set('sid-2', sessionData(inHours(1)));
    await store.destroy('sid-1');
    await store.destroy('nobody');
    expect(await store.get('sid-1')).toBeNull();
    expect(await row('sid-1')).toBeNull();
    expect(await store.get('sid-2')).not.toBeNull();
  });

  it('touch moves the expiry later and changes nothing else', async () => {
    const store = api(newStore());
    await store.set('sid-1', sessionData(inHours(1), { views: 1 }));
    const before = await row('sid-1');
    const later = inHours(5);
    const { queries } = await db.recordQueries(() =>
      store.touch('sid-1', sessionData(later, { views: 99 })),
    );
    expect(queries.filter((sql) => /^\s*update/i.test(sql))).toHaveLength(1);
    expect(await row('sid-1')).toEqual({ ...before, expires: later });
    expect(await store.get('sid-1')).toMatchObject({ views: 1 });
  });

  it('touch never shortens an expiry, and never brings back an expired or destroyed session', async () => {
    const store = api(newStore());
    const far = inHours(10);
    await store.set('sid-1', sessionData(far));
    // An older request's touch, arriving late, carries an earlier expiry.
    await store.touch('sid-1', sessionData(inHours(1)));
    expect((await row('sid-1'))?.expires).toEqual(far);
    await store.set('gone', sessionData(new Date(Date.now() - 1000)));
    await store.touch('gone', sessionData(inHours(1)));
    expect(await store.get('gone')).toBeNull();
    await store.touch('never-set', sessionData(inHours(1)));
    expect(await row('never-set')).toBeNull();
  });

  it('disableTouch: touch writes nothing', async () => {
    const store = api(newStore({ disableTouch: true }));
    const expires = inHours(1);
    await store.set('sid-1', sessionData(expires));
    const { queries } = await db.recordQueries(() => store.touch('sid-1', sessionData(inHours(5))));
    expect(queries).toEqual([]);
    expect((await row('sid-1'))?.expires).toEqual(expires);
  });

  it('all lists the unexpired sessions by sid; length counts them; clear empties the table', async () => {
    const store = api(newStore());
    await store.set('a', sessionData(inHours(1), { n: 1 }));
    await store.set('b', sessionData(inHours(1), { n: 2 }));
    await store.set('c', sessionData(new Date(Date.now() - 1), { n: 3 }));
    const all = await store.all();
    expect(Object.keys(all).sort()).toEqual(['a', 'b']);
    expect(all.b).toMatchObject({ n: 2 });
    expect(await store.length()).toBe(2);
    await store.clear();
    expect(await store.length()).toBe(0);
    expect(await table.count('HttpSession')).toBe(0);
  });
});

describe(`express-session store: expiry, pruning, serializer (${db.name})`, () => {
  it('a cookie without expiry (a browser-session cookie) lives `ttl` seconds, one day by default', async () => {
    const byDefault = api(newStore());
    const start = Date.now();
    await byDefault.set('default', sessionData(null));
    const stored = (await row('default'))?.expires as Date;
    expect(stored.getTime()).toBeGreaterThanOrEqual(start + 86_400_000 - 1000);
    expect(stored.getTime()).toBeLessThanOrEqual(Date.now() + 86_400_000 + 1000);
    const short = api(newStore({ ttl: 60 }));
    await short.set('short', sessionData(null));
    const shortExpiry = (await row('short'))?.expires as Date;
    expect(Math.abs(shortExpiry.getTime() - (Date.now() + 60_000))).toBeLessThan(2000);
  });

  it('a ttl function decides for every session, over the cookie', async () => {
    const store = api(
      newStore({ ttl: (value) => ((value as { remember?: boolean }).remember ? 3600 : 120) }),
    );
    await store.set('remembered', sessionData(inHours(48), { remember: true }));
    await store.set('brief', sessionData(inHours(48), { remember: false }));
    const remembered = (await row('remembered'))?.expires as Date;
    const brief = (await row('brief'))?.expires as Date;
    expect(Math.abs(remembered.getTime() - (Date.now() + HOUR))).toBeLessThan(2000);
    expect(Math.abs(brief.getTime() - (Date.now() + 120_000))).toBeLessThan(2000);
  });

  it('prune() deletes exactly the expired rows, in one statement', async () => {
    const store = newStore();
    const calls = api(store);
    for (let index = 0; index < 5; index++) {
      await calls.set(`old-${index}`, sessionData(new Date(Date.now() - 1000 * (index + 1))));
    }
    await calls.set('live', sessionData(inHours(1)));
    const { result, queries } = await db.recordQueries(() => store.prune());
    expect(result).toBe(5);
    expect(queries).toHaveLength(1);
    expect((await table.findMany('HttpSession', {})).map((found) => found.sid)).toEqual(['live']);
  });

  it('the background timer prunes on its interval; pruneInterval: false runs none', async () => {
    const silent = api(newStore({ pruneInterval: false }));
    await silent.set('expired', sessionData(new Date(Date.now() - 1000)));
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(await row('expired')).not.toBeNull();
    newStore({ pruneInterval: 0.1 });
    await expect.poll(() => row('expired'), { timeout: 10_000 }).toBeNull();
  });

  it('a custom serializer writes the data column and reads it back', async () => {
    const serializer = {
      stringify: (value: StoredSession) => Buffer.from(JSON.stringify(value)).toString('base64'),
      parse: (text: string) => JSON.parse(Buffer.from(text, 'base64').toString()) as StoredSession,
    };
    const store = api(newStore({ serializer }));
    await store.set('sid-1', sessionData(inHours(1), { secret: 'x' }));
    const stored = String((await row('sid-1'))?.data);
    expect(stored).not.toContain('secret');
    expect(JSON.parse(Buffer.from(stored, 'base64').toString())).toMatchObject({ secret: 'x' });
    expect(await store.get('sid-1')).toMatchObject({ secret: 'x' });
  });
});

describe(`express-session store: errors (${db.name})`, () => {
  it('unreadable stored data reaches the callback as a typed error; the row stays', async () => {
    const store = api(newStore());
    await table.upsert('HttpSession', { sid: 'bad', data: '{not json', expires: inHours(1) });
    const error = await store.get('bad').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MikroAuthError);
    expect((error as MikroAuthError).code).toBe('INVALID_VALUE');
    expect((error as Error).message).toMatch(/session "bad".*cannot be read by the serializer/);
    expect((await row('bad'))?.data).toBe('{not json');
    // all() says which session it could not read, too.
    const listing = await store.all().catch((caught: unknown) => caught);
    expect(listing).toBeInstanceOf(MikroAuthError);
    expect((listing as Error).message).toMatch(/session "bad"/);
  });

  it('a missing session table is a SchemaMismatchError naming the fix, before any SQL', async () => {
    const store = api(newStore({ entity: 'NoSuchSession' }));
    const { result: error, queries } = await db.recordQueries(() =>
      store.get('sid').catch((caught: unknown) => caught),
    );
    expect(error).toBeInstanceOf(SchemaMismatchError);
    expect((error as Error).message).toMatch(/sessionStoreEntities/);
    expect(queries).toEqual([]);
  });

  it('bad options fail at construction with ConfigurationError', () => {
    expect(() => new MikroOrmSessionStore({ dbName: 'x' } as never)).toThrow(ConfigurationError);
    expect(() => newStore({ ttl: -1 })).toThrow(ConfigurationError);
    expect(() => newStore({ pruneInterval: 0 })).toThrow(/pruneInterval/);
    expect(() => newStore({ serializer: {} as never })).toThrow(/serializer/);
  });

  it('a serializer that returns no string writes nothing', async () => {
    const store = api(
      newStore({ serializer: { stringify: () => 42 as never, parse: JSON.parse } }),
    );
    const error = await store
      .set('sid-1', sessionData(inHours(1)))
      .catch((caught: unknown) => caught);
    expect((error as Error).message).toMatch(/stringify returned number/);
    expect(await row('sid-1')).toBeNull();
  });
});

describe(`express-session store: concurrency (${db.name})`, () => {
  // SQLite commits each of the 1,000 writes to its file one after another (~15 ms each here).
  it('1,000 concurrent sets of one session leave one row holding one whole write', {
    timeout: 120_000,
  }, async () => {
    const store = api(newStore());
    const expires = inHours(1);
    const outcomes = await Promise.allSettled(
      Array.from({ length: 1000 }, (_, index) =>
        store.set('hot', sessionData(expires, { index, copy: index })),
      ),
    );
    expect(outcomes.filter((outcome) => outcome.status === 'rejected')).toEqual([]);
    expect(await table.count('HttpSession')).toBe(1);
    const got = (await store.get('hot')) as unknown as { index: number; copy: number };
    expect(got.copy).toBe(got.index);
  });
});

describe(`express-session store: a schema per tenant (${db.name})`, () => {
  let schemas: TenantSchemas;
  let tenants: [string, string];
  beforeAll(async () => {
    schemas = await createTenantSchemas(db, orm, ['sessions_a', 'sessions_b'], ['http_session']);
    tenants = [schemas.names[0]!, schemas.names[1]!];
  });
  afterAll(async () => {
    await schemas?.drop();
  });
  /** Runs `fn` in a request bound to the tenant's schema, as tenant middleware does. */
  const inTenant = <T>(schema: string, fn: () => Promise<T>): Promise<T> =>
    RequestContext.create(orm.em, fn, { schema });

  it('the same sid in two tenants is two sessions; each tenant reads, touches, destroys and prunes its own', async () => {
    const [a, b] = tenants;
    const store = newStore();
    const calls = api(store);
    await inTenant(a, () => calls.set('sid', sessionData(inHours(1), { tenant: 'a' })));
    await inTenant(b, () => calls.set('sid', sessionData(inHours(1), { tenant: 'b' })));
    expect(await inTenant(a, () => calls.get('sid'))).toMatchObject({ tenant: 'a' });
    expect(await inTenant(b, () => calls.get('sid'))).toMatchObject({ tenant: 'b' });
    // The default schema has no session of that id.
    expect(await calls.get('sid')).toBeNull();

    const later = inHours(5);
    await inTenant(a, () => calls.touch('sid', sessionData(later)));
    const expiryIn = (schema: string) =>
      inTenant(schema, async () => (await row('sid'))?.expires as Date);
    expect(await expiryIn(a)).toEqual(later);
    expect(await expiryIn(b)).not.toEqual(later);

    await inTenant(a, () => calls.destroy('sid'));
    expect(await inTenant(a, () => calls.get('sid'))).toBeNull();
    expect(await inTenant(b, () => calls.get('sid'))).toMatchObject({ tenant: 'b' });

    // prune() deletes the expired rows of the schema it runs in (the timer runs in the default one).
    for (const schema of tenants) {
      await inTenant(schema, () => calls.set('old', sessionData(new Date(Date.now() - 1000))));
    }
    expect(await inTenant(a, () => store.prune())).toBe(1);
    expect(await inTenant(a, () => row('old'))).toBeNull();
    expect(await inTenant(b, () => row('old'))).not.toBeNull();
  });
});

/** Starts `app` on a free port; returns its base URL and a stop function. */
async function listen(app: express.Express) {
  const server = app.listen(0);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A tiny cookie jar: keeps the session cookie between requests, whichever server answers. */
function browser() {
  let cookie = '';
  return async (url: string) => {
    const response = await fetch(url, { headers: cookie ? { cookie } : {} });
    const set = response.headers.get('set-cookie');
    if (set) cookie = set.split(';')[0]!;
    return { status: response.status, body: await response.text() };
  };
}

describe(`express-session store: under express-session and @fastify/session (${db.name})`, () => {
  const servers: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const stop of servers) await stop();
  });

  function expressApp(store: MikroOrmSessionStore) {
    const app = express();
    app.use(
      session({
        store,
        secret: SECRET,
        resave: false,
        saveUninitialized: false,
        cookie: { maxAge: HOUR },
      }),
    );
    app.get('/count', (req, res) => {
      const data = req.session as unknown as { views?: number };
      data.views = (data.views ?? 0) + 1;
      res.send(String(data.views));
    });
    app.get('/logout', (req, res, next) => {
      req.session.destroy((error) => (error ? next(error) : res.send('bye')));
    });
    return app;
  }

  it('express-session: a session is stored, read back, survives a restart and is destroyed', async () => {
    const visit = browser();
    const first = await listen(expressApp(newStore()));
    expect((await visit(`${first.url}/count`)).body).toBe('1');
    expect((await visit(`${first.url}/count`)).body).toBe('2');
    const stored = await table.findMany('HttpSession', {});
    expect(stored).toHaveLength(1);
    expect(JSON.parse(String(stored[0]?.data))).toMatchObject({ views: 2 });
    await first.stop();
    // A new server process (new app, new store) on the same database knows the session.
    const second = await listen(expressApp(newStore()));
    servers.push(second.stop);
    expect((await visit(`${second.url}/count`)).body).toBe('3');
    expect((await visit(`${second.url}/logout`)).body).toBe('bye');
    expect(await table.count('HttpSession')).toBe(0);
    // The old cookie now starts over.
    expect((await visit(`${second.url}/count`)).body).toBe('1');
  });

  it('@fastify/session: a session is stored and read back through the same store', async () => {
    const store = newStore();
    const app = Fastify();
    await app.register(fastifyCookie);
    await app.register(fastifySession, {
      secret: SECRET,
      store,
      saveUninitialized: false,
      cookie: { secure: false, maxAge: HOUR },
    });
    app.get('/count', async (request) => {
      const views = ((request.session.get('views' as never) as number | undefined) ?? 0) + 1;
      request.session.set('views' as never, views as never);
      return String(views);
    });
    app.get('/logout', async (request) => {
      await request.session.destroy();
      return 'bye';
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    servers.push(() => app.close());
    const { port } = app.server.address() as AddressInfo;
    const visit = browser();
    const base = `http://127.0.0.1:${port}`;
    expect((await visit(`${base}/count`)).body).toBe('1');
    expect((await visit(`${base}/count`)).body).toBe('2');
    const rows = await table.findMany('HttpSession', {});
    expect(rows).toHaveLength(1);
    expect(JSON.parse(String(rows[0]?.data))).toMatchObject({ views: 2 });
    expect((rows[0]!.expires as Date).getTime()).toBeGreaterThan(Date.now() + HOUR - 60_000);
    expect((await visit(`${base}/logout`)).body).toBe('bye');
    expect(await table.count('HttpSession')).toBe(0);
  });
});

describe(`session store options (${db.name})`, () => {
  it('preparedStatements: false reaches the store (reads then run as MikroORM runs them)', async () => {
    await api(newStore()).set('prepared-sid', sessionData(inHours(1), { visits: 3 }));
    const reads = async (options: MikroOrmSessionStoreOptions) => {
      const store = api(newStore(options));
      const found: unknown[] = [];
      const prepared = await preparedDuring(async () => {
        for (const sid of ['prepared-sid', 'prepared-sid', 'missing-sid']) {
          found.push(((await store.get(sid)) as { visits?: number } | null)?.visits ?? null);
        }
      });
      return { found, prepared };
    };
    const on = await reads({});
    const off = await reads({ preparedStatements: false });
    expect(on.found).toEqual([3, 3, null]);
    expect(off.found).toEqual(on.found);
    // The first read learns the statement; the other two run it prepared where that exists.
    expect(on.prepared).toBe(preparesOn(db) ? 2 : 0);
    expect(off.prepared).toBe(0);
  });
});
