/**
 * The Better Auth contenders: @mikro-auth/better-auth, Better Auth's built-in Kysely adapter,
 * and the same SQL sent straight through the driver. Same better-auth version, same options,
 * same tables, one database each.
 */
import { betterAuthEntities, mikroOrmAdapter } from '@mikro-auth/better-auth';
import { MikroORM as PostgresOrm } from '@mikro-orm/postgresql';
import { MikroORM as SqliteOrm } from '@mikro-orm/sqlite';
import { type BetterAuthOptions, betterAuth } from 'better-auth';
import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import {
  type BenchDatabase,
  createLocation,
  type RawConnection,
  rawConnection,
} from './databases.ts';

export const authConfig = {
  secret: 'bench-secret-bench-secret-bench-secret',
  baseURL: 'http://localhost:3000',
  telemetry: { enabled: false },
  // A trivial hasher so hashing does not dominate sign-up and sign-in.
  emailAndPassword: {
    enabled: true,
    password: {
      hash: async (password: string) => password,
      verify: async ({ hash, password }) => hash === password,
    },
  },
  rateLimit: { enabled: false },
  // The session cookie cache off: every lookup reaches the database.
  session: { cookieCache: { enabled: false } },
  advanced: { database: { joins: true } },
} satisfies BetterAuthOptions;

type Auth = ReturnType<typeof betterAuth>;

export interface Contender {
  name: 'mikro-auth' | 'kysely' | 'raw';
  /** One session lookup for the signed-in user, through Better Auth's API. */
  lookup(): Promise<unknown>;
  /** The same lookup at the adapter: the session by token with its user joined. */
  adapterLookup(): Promise<unknown>;
  /** Sign-up then sign-in of a fresh user. */
  signUpAndIn(index: number): Promise<void>;
  /** Inserts `count` sessions of the bench user (setup, not measured). */
  seedSessions(count: number, expired: boolean): Promise<void>;
  /** Deletes expired sessions through the contender; returns how many. */
  deleteExpired(): Promise<number>;
  /** Updates every session of the bench user; returns how many. */
  updateSessions(): Promise<number>;
  close(): Promise<void>;
}

async function createTables(database: BenchDatabase, target: string): Promise<void> {
  const options = { entities: betterAuthEntities(authConfig) };
  const orm =
    database === 'sqlite'
      ? await SqliteOrm.init({ ...options, dbName: target })
      : await PostgresOrm.init({ ...options, clientUrl: target });
  await orm.schema.create();
  await orm.close();
}

/** Writes sessions straight through the driver, in the contender's own date format. */
async function seed(
  raw: RawConnection,
  userId: string,
  count: number,
  expired: boolean,
  date: (d: Date) => unknown,
) {
  const expiresAt = date(new Date(Date.now() + (expired ? -3_600_000 : 3_600_000)));
  const now = date(new Date());
  const tag = Math.random().toString(36).slice(2);
  for (let start = 0; start < count; start += 500) {
    const rows = Array.from({ length: Math.min(500, count - start) }, (_, index) => start + index);
    await raw.run(
      `insert into "session" ("id", "token", "userId", "expiresAt", "createdAt", "updatedAt") values ${rows.map(() => '(?, ?, ?, ?, ?, ?)').join(', ')}`,
      rows.flatMap((index) => [
        `s-${tag}-${index}`,
        `t-${tag}-${index}`,
        userId,
        expiresAt,
        now,
        now,
      ]),
    );
  }
}

/** A contender built on a Better Auth instance (ours or Kysely's). */
async function authContender(
  name: 'mikro-auth' | 'kysely',
  auth: Auth,
  raw: RawConnection,
  date: (d: Date) => unknown,
  close: () => Promise<void>,
): Promise<Contender> {
  const signedUp = await auth.api.signUpEmail({
    body: { email: 'bench@example.com', password: 'bench-password', name: 'Bench' },
    returnHeaders: true,
  });
  const cookie = signedUp.headers
    .getSetCookie()
    .map((value) => value.split(';')[0])
    .join('; ');
  const headers = new Headers({ cookie });
  const userId = signedUp.response.user.id;
  const adapter = (await auth.$context).adapter;
  const token = signedUp.response.token;
  return {
    name,
    lookup: async () => {
      const session = await auth.api.getSession({ headers });
      if (!session) throw new Error(`${name}: session lookup found nothing`);
      return session;
    },
    adapterLookup: async () => {
      const found = await adapter.findOne({
        model: 'session',
        where: [{ field: 'token', value: token }],
        join: { user: true },
      });
      if (!found) throw new Error(`${name}: adapter lookup found nothing`);
      return found;
    },
    async signUpAndIn(index) {
      const email = `user-${name}-${index}-${Math.random().toString(36).slice(2)}@example.com`;
      await auth.api.signUpEmail({ body: { email, password: 'bench-password', name: 'User' } });
      await auth.api.signInEmail({ body: { email, password: 'bench-password' } });
    },
    seedSessions: (count, expired) => seed(raw, userId, count, expired, date),
    deleteExpired: () =>
      adapter.deleteMany({
        model: 'session',
        where: [{ field: 'expiresAt', operator: 'lt', value: new Date() }],
      }),
    updateSessions: () =>
      adapter.updateMany({
        model: 'session',
        where: [{ field: 'userId', value: userId }],
        update: { userAgent: 'bulk' },
      }),
    close: async () => {
      await raw.close();
      await close();
    },
  };
}

export async function createContenders(
  database: BenchDatabase,
): Promise<{ contenders: Contender[]; drop: () => Promise<void> }> {
  const drops: Array<() => Promise<void>> = [];
  const contenders: Contender[] = [];
  // SQLite has no date type: MikroORM stores epoch milliseconds, Better Auth's Kysely adapter ISO text.
  const pgDate = (d: Date) => d;

  {
    const location = await createLocation(database, 'mikro-auth');
    drops.push(location.drop);
    await createTables(database, location.target);
    const orm =
      database === 'sqlite'
        ? await SqliteOrm.init({
            entities: betterAuthEntities(authConfig),
            dbName: location.target,
          })
        : await PostgresOrm.init({
            entities: betterAuthEntities(authConfig),
            clientUrl: location.target,
          });
    const auth = betterAuth({ ...authConfig, database: mikroOrmAdapter(orm) });
    const raw = rawConnection(database, location.target);
    contenders.push(
      await authContender(
        'mikro-auth',
        auth as Auth,
        raw,
        database === 'sqlite' ? (d) => d.getTime() : pgDate,
        () => orm.close(),
      ),
    );
  }
  {
    const location = await createLocation(database, 'kysely');
    drops.push(location.drop);
    await createTables(database, location.target);
    let db: Kysely<unknown>;
    if (database === 'sqlite') {
      db = new Kysely({ dialect: new SqliteDialect({ database: new Database(location.target) }) });
    } else {
      db = new Kysely({
        dialect: new PostgresDialect({
          pool: new pg.Pool({ connectionString: location.target, max: 10 }),
        }),
      });
    }
    // Transactions on, like @mikro-auth/better-auth's default, so both do the same work.
    const auth = betterAuth({ ...authConfig, database: { db, type: database, transaction: true } });
    const raw = rawConnection(database, location.target);
    contenders.push(
      await authContender(
        'kysely',
        auth as Auth,
        raw,
        database === 'sqlite' ? (d) => d.toISOString() : pgDate,
        () => db.destroy(),
      ),
    );
  }
  {
    const location = await createLocation(database, 'raw');
    drops.push(location.drop);
    await createTables(database, location.target);
    contenders.push(await rawContender(database, location.target));
  }
  return {
    contenders,
    drop: async () => {
      for (const drop of drops) await drop();
    },
  };
}

/** The SQL the adapters send for these operations, straight through the driver: the floor. */
async function rawContender(database: BenchDatabase, target: string): Promise<Contender> {
  const raw = rawConnection(database, target);
  const date = database === 'sqlite' ? (d: Date) => d.getTime() : (d: Date) => d;
  const bool = database === 'sqlite' ? (b: boolean) => (b ? 1 : 0) : (b: boolean) => b;
  const now = () => date(new Date());
  const newId = () => Math.random().toString(36).slice(2) + Date.now().toString(36);
  const userId = newId();
  await raw.run(
    'insert into "user" ("id", "name", "email", "emailVerified", "createdAt", "updatedAt") values (?, ?, ?, ?, ?, ?)',
    [userId, 'Bench', 'bench@example.com', bool(false), now(), now()],
  );
  const token = newId();
  await raw.run(
    'insert into "session" ("id", "token", "userId", "expiresAt", "createdAt", "updatedAt") values (?, ?, ?, ?, ?, ?)',
    [newId(), token, userId, date(new Date(Date.now() + 86_400_000)), now(), now()],
  );
  const lookupSql =
    'select s."id", s."token", s."userId", s."expiresAt", s."createdAt", s."updatedAt", s."ipAddress", s."userAgent", ' +
    'u."id" as "u_id", u."name" as "u_name", u."email" as "u_email", u."emailVerified" as "u_emailVerified", ' +
    'u."image" as "u_image", u."createdAt" as "u_createdAt", u."updatedAt" as "u_updatedAt" ' +
    'from "session" s left join "user" u on u."id" = s."userId" where s."token" = ?';
  const lookup = async () => {
    const rows = await raw.query(lookupSql, [token]);
    if (rows.length !== 1) throw new Error('raw: session lookup found nothing');
    return rows[0];
  };
  return {
    name: 'raw',
    lookup,
    adapterLookup: lookup,
    async signUpAndIn(index) {
      const email = `user-raw-${index}-${newId()}@example.com`;
      const id = newId();
      // sign-up: the user, the credential account, the first session
      await raw.run(
        'insert into "user" ("id", "name", "email", "emailVerified", "createdAt", "updatedAt") values (?, ?, ?, ?, ?, ?)',
        [id, 'User', email, bool(false), now(), now()],
      );
      await raw.run(
        'insert into "account" ("id", "accountId", "providerId", "userId", "password", "createdAt", "updatedAt") values (?, ?, ?, ?, ?, ?, ?)',
        [newId(), id, 'credential', id, 'bench-password', now(), now()],
      );
      await raw.run(
        'insert into "session" ("id", "token", "userId", "expiresAt", "createdAt", "updatedAt") values (?, ?, ?, ?, ?, ?)',
        [newId(), newId(), id, date(new Date(Date.now() + 86_400_000)), now(), now()],
      );
      // sign-in: the user with their accounts, then a new session
      const found = await raw.query<{ id: string }>(
        'select u."id", a."password" from "user" u left join "account" a on a."userId" = u."id" where u."email" = ?',
        [email],
      );
      await raw.run(
        'insert into "session" ("id", "token", "userId", "expiresAt", "createdAt", "updatedAt") values (?, ?, ?, ?, ?, ?)',
        [newId(), newId(), found[0]!.id, date(new Date(Date.now() + 86_400_000)), now(), now()],
      );
    },
    seedSessions: (count, expired) => seed(raw, userId, count, expired, date),
    deleteExpired: () => raw.run('delete from "session" where "expiresAt" < ?', [now()]),
    updateSessions: () =>
      raw.run('update "session" set "userAgent" = ? where "userId" = ?', ['bulk', userId]),
    close: () => raw.close(),
  };
}
