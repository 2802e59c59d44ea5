import {
  ConfigurationError,
  type Store as CoreStore,
  createStore,
  MikroAuthError,
  type ModelTarget,
  type OrmSource,
  SchemaMismatchError,
  type StoreOptions,
} from '@mikro-auth/core';
import { checkModels, isOrmSource, ModelRegistry } from '@mikro-auth/core/internal';
import session from 'express-session';
import { SESSION_ENTITY } from './entities.js';

/** What the store writes: express-session's `SessionData`, or @fastify/session's session. */
export type StoredSession = session.SessionData;

/** Turns sessions into the text stored in the `data` column and back. */
export interface SessionSerializer {
  stringify(session: StoredSession): string;
  parse(text: string): StoredSession;
}

/**
 * Options of `MikroOrmSessionStore`. `preparedStatements` (default `true`) is @mikro-auth/core's:
 * set it to `false` behind a pooler that cannot keep prepared statements (PgBouncer in transaction
 * mode before 1.21).
 */
export interface MikroOrmSessionStoreOptions extends Pick<StoreOptions, 'preparedStatements'> {
  /**
   * The session entity: its class, entity name or table name. Default `HttpSession`, the entity
   * of `sessionStoreEntities()`.
   */
  entity?: ModelTarget;
  /**
   * Property names of your own entity, when they differ from `sid`, `data` and `expires`.
   */
  fields?: { sid?: string; data?: string; expires?: string };
  /**
   * Lifetime in seconds of a session whose cookie sets no expiry (a browser-session cookie).
   * Default 86400 (one day). A function decides for every session, cookie expiry or not.
   */
  ttl?: number | ((session: StoredSession) => number);
  /**
   * `touch` does nothing (default false: `touch` pushes the row's expiry to the cookie's, so
   * sessions that are used stay, with `resave: false`).
   */
  disableTouch?: boolean;
  /**
   * Seconds between background deletions of expired rows (one `DELETE` each, on an unref'd timer
   * that keeps no process alive). Default 900 (15 minutes); `false` turns the timer off (call
   * `prune()` yourself, e.g. from a cron job). Expired sessions are never returned either way.
   */
  pruneInterval?: number | false;
  /** How sessions become the text of the `data` column. Default `JSON`. */
  serializer?: SessionSerializer;
  /** Where a failed background prune is reported. Default `console.error`. */
  errorLog?: (error: unknown) => void;
}

type Callback<T = void> = (error: unknown, result?: T) => void;

const DEFAULT_TTL_SECONDS = 86_400;
const DEFAULT_PRUNE_SECONDS = 900;
/** setInterval's limit (a 32-bit signed count of milliseconds). */
const MAX_TIMER_MS = 2 ** 31 - 1;

function assertPositive(name: string, value: unknown, allowFalse: boolean): void {
  if (value === undefined || (allowFalse && value === false)) return;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new ConfigurationError(
      name,
      `expected a positive number of seconds${allowFalse ? ' or false' : ''}, got ${String(value)}.`,
    );
  }
}

/**
 * An express-session store (also usable by @fastify/session) on your MikroORM instance. Each
 * method is one SQL statement through `@mikro-auth/core`: `set` an atomic upsert, `get` a lookup
 * that treats an expired row as absent, `touch` an update of the expiry alone.
 *
 * Concurrency: every write is atomic (a row never mixes two requests' data). Of two concurrent
 * `set`s of one session the one the database runs last wins whole; express-session passes no
 * version, so which request was newer cannot be known there. `touch` only ever moves an expiry
 * later and never brings back a session that expired or was destroyed.
 */
export class MikroOrmSessionStore extends session.Store {
  readonly #store: CoreStore;
  readonly #model = 'session';
  readonly #entity: ModelTarget;
  readonly #fields: { sid: string; data: string; expires: string };
  readonly #ttl: number | ((session: StoredSession) => number);
  readonly #disableTouch: boolean;
  readonly #serializer: SessionSerializer;
  readonly #errorLog: (error: unknown) => void;
  #timer: ReturnType<typeof setInterval> | undefined;
  #checked: Promise<void> | undefined;

  constructor(orm: OrmSource, options: MikroOrmSessionStoreOptions = {}) {
    super();
    if (!isOrmSource(orm)) {
      throw new ConfigurationError(
        'orm',
        'MikroOrmSessionStore needs your initialised MikroORM instance (or an EntityManager, or a ' +
          `function returning one), but got ${orm === null ? 'null' : typeof orm}. Pass it: ` +
          '`new MikroOrmSessionStore(orm)`.',
      );
    }
    assertPositive('ttl', typeof options.ttl === 'function' ? undefined : options.ttl, false);
    assertPositive('pruneInterval', options.pruneInterval, true);
    const serializer = options.serializer ?? JSON;
    if (typeof serializer.stringify !== 'function' || typeof serializer.parse !== 'function') {
      throw new ConfigurationError('serializer', 'expected an object with stringify and parse.');
    }
    this.#entity = options.entity ?? SESSION_ENTITY;
    this.#store = createStore(orm, {
      models: { [this.#model]: this.#entity },
      ...(options.preparedStatements === false ? { preparedStatements: false } : {}),
    });
    this.#fields = {
      sid: options.fields?.sid ?? 'sid',
      data: options.fields?.data ?? 'data',
      expires: options.fields?.expires ?? 'expires',
    };
    this.#ttl = options.ttl ?? DEFAULT_TTL_SECONDS;
    this.#disableTouch = options.disableTouch ?? false;
    this.#serializer = serializer;
    this.#errorLog = options.errorLog ?? ((error) => console.error('[mikro-auth]', error));
    const prune = options.pruneInterval ?? DEFAULT_PRUNE_SECONDS;
    if (prune !== false) {
      this.#timer = setInterval(
        () => {
          this.prune().catch(this.#errorLog);
        },
        Math.min(prune * 1000, MAX_TIMER_MS),
      );
      this.#timer.unref();
    }
  }

  /** The session of `sid`, or null when there is none or it expired. */
  override get(sid: string, callback: Callback<StoredSession | null>): void {
    this.#settle(callback, async () => {
      const { sid: sidField, data, expires } = this.#fields;
      const row = await this.#store.findOne(this.#model, [
        { field: sidField, value: sid },
        { field: expires, operator: 'gt', value: new Date() },
      ]);
      return row ? this.#parse(sid, row[data]) : null;
    });
  }

  /** Stores the session (insert or overwrite, one atomic statement) with its expiry. */
  override set(sid: string, value: StoredSession, callback?: Callback): void {
    this.#settle(callback, async () => {
      const text = this.#serializer.stringify(value);
      if (typeof text !== 'string') {
        throw new MikroAuthError(
          'INVALID_VALUE',
          `session "${sid}": the serializer's stringify returned ${typeof text}, not a string; ` +
            'nothing was written.',
        );
      }
      const { sid: sidField, data, expires } = this.#fields;
      await this.#store.upsert(this.#model, {
        [sidField]: sid,
        [data]: text,
        [expires]: this.#expiryOf(value),
      });
    });
  }

  /** Deletes the session (nothing happens when there is none). */
  override destroy(sid: string, callback?: Callback): void {
    this.#settle(callback, async () => {
      await this.#store.deleteMany(this.#model, [{ field: this.#fields.sid, value: sid }]);
    });
  }

  /**
   * Moves the session's expiry to the cookie's, when that is later; a session that expired or was
   * destroyed stays gone. Nothing with `disableTouch`.
   */
  override touch(sid: string, value: StoredSession, callback?: Callback): void {
    this.#settle(callback, async () => {
      if (this.#disableTouch) return;
      const { sid: sidField, expires } = this.#fields;
      const next = this.#expiryOf(value);
      await this.#store.updateMany(
        this.#model,
        [
          { field: sidField, value: sid },
          { field: expires, operator: 'gt', value: new Date() },
          { field: expires, operator: 'lt', value: next },
        ],
        { [expires]: next },
      );
    });
  }

  /**
   * Every unexpired session, keyed by session id (as express-session's own MemoryStore answers).
   * Reads them all at once: meant for admin tools and tests, not for request paths.
   */
  override all(callback: Callback<Record<string, StoredSession>>): void {
    this.#settle(callback, async () => {
      const { sid, data, expires } = this.#fields;
      const rows = await this.#store.findMany(this.#model, {
        where: [{ field: expires, operator: 'gt', value: new Date() }],
      });
      const sessions: Record<string, StoredSession> = {};
      for (const row of rows) sessions[String(row[sid])] = this.#parse(String(row[sid]), row[data]);
      return sessions;
    });
  }

  /** How many unexpired sessions there are. */
  override length(callback: Callback<number>): void {
    this.#settle(callback, () =>
      this.#store.count(this.#model, [
        { field: this.#fields.expires, operator: 'gt', value: new Date() },
      ]),
    );
  }

  /** Deletes every session. */
  override clear(callback?: Callback): void {
    this.#settle(callback, async () => {
      await this.#store.deleteMany(this.#model);
    });
  }

  /** Deletes every expired session in one statement; resolves to how many it deleted. */
  async prune(): Promise<number> {
    await this.#check();
    return this.#store.deleteMany(this.#model, [
      { field: this.#fields.expires, operator: 'lte', value: new Date() },
    ]);
  }

  /** Stops the background pruning (the timer keeps no process alive either way). */
  close(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** The stored data of session `sid`, parsed; an unreadable one is a typed error (the row stays). */
  #parse(sid: string, text: unknown): StoredSession {
    try {
      return this.#serializer.parse(String(text));
    } catch (error) {
      throw new MikroAuthError(
        'INVALID_VALUE',
        `session "${sid}": its stored data cannot be read by the serializer (${String(error)}). ` +
          'The row is unchanged; destroy the session, or give the store the serializer that wrote it.',
        { cause: error },
      );
    }
  }

  /** When the row of `value` expires: the `ttl` function's, else the cookie's, else now + `ttl`. */
  #expiryOf(value: StoredSession): Date {
    const now = Date.now();
    if (typeof this.#ttl === 'function') return new Date(now + this.#ttl(value) * 1000);
    const cookieExpiry = value?.cookie?.expires;
    if (cookieExpiry) {
      const at = new Date(cookieExpiry);
      if (!Number.isNaN(at.getTime())) return at;
    }
    return new Date(now + this.#ttl * 1000);
  }

  /** Checks once, from the ORM's metadata (no SQL), that the session entity has what the store uses. */
  #check(): Promise<void> {
    this.#checked ??= Promise.resolve().then(() => {
      const registry = new ModelRegistry(this.#store.em().getMetadata(), {
        [this.#model]: this.#entity,
      });
      const problems = checkModels(
        { model: (name) => registry.get(name), dialect: () => this.#store.dialect() },
        [
          {
            model: this.#model,
            fields: [
              { field: this.#fields.sid, primaryKey: true },
              { field: this.#fields.data },
              { field: this.#fields.expires },
            ],
          },
        ],
      );
      if (problems.length > 0) {
        throw new SchemaMismatchError(
          problems,
          'Register the session table with your ORM: `entities: [...sessionStoreEntities()]`, ' +
            'then create it (schema generator or a migration); or point the store at your own ' +
            'entity with its `entity` and `fields` options.',
        );
      }
    });
    // A failed check (e.g. the ORM was not ready) is asked again next time.
    this.#checked.catch(() => {
      this.#checked = undefined;
    });
    return this.#checked;
  }

  /**
   * Runs `body` after the schema check and hands its outcome to the framework's callback, outside
   * the promise chain: an exception thrown by the callback surfaces as such, and the callback is
   * never called twice.
   */
  #settle<T>(callback: Callback<T> | undefined, body: () => Promise<T>): void {
    this.#check()
      .then(body)
      .then(
        (result) => {
          if (callback) process.nextTick(callback, null, result);
        },
        (error: unknown) => {
          if (callback) process.nextTick(callback, error);
          else this.#errorLog(error);
        },
      );
  }
}
