/**
 * Prepared statements for the statement cache's SQL (MikroORM 7).
 *
 * MikroORM 7's `connection.execute(sql, params)` inlines every value into the SQL text
 * (`platform.formatQuery`) and sends that text with no parameters. Each distinct value is then a new
 * statement to the database: SQLite (better-sqlite3) compiles it anew, and PostgreSQL parses and
 * plans it anew. Core already holds every repeated statement as a parameterized template
 * (statements/template.ts), so a template hit can instead run a prepared statement with the values
 * bound:
 *
 * - **SQLite (better-sqlite3):** one `Statement` per SQL text, kept per `Database` (least recently
 *   used dropped past {@link STATEMENTS_PER_DATABASE}), run on the same `Database` MikroORM's Kysely
 *   dialect uses — inside a transaction exactly as outside (MikroORM 7's SQLite connection is one
 *   connection with no lock of its own, so the statement lands where MikroORM's would).
 * - **PostgreSQL (pg):** a *named* prepared statement, run through the same Kysely instance or
 *   transaction MikroORM would use (pool, `onCreateConnection`/`onReserveConnection` hooks, the
 *   pool guard of connection-recovery.ts, the transaction's client): pg parses it once per
 *   connection, then only binds and executes. Only on the pg pool MikroORM built itself (an app's
 *   own Kysely dialect may take SQL strings only). Named by a hash of the text, so copies of this
 *   module on one pool agree; a connection that lost it (or whose plan's row type changed) gets it
 *   under the next generation's name — retried at once outside a transaction, failing that one
 *   statement inside one (the transaction is already aborted).
 *
 * What stays MikroORM's: `onQuery` rewrites the SQL first, and the statement is logged and timed by
 * the connection's own `executeQuery` (with the formatted SQL when the logger asks for params), and
 * its result is shaped by the connection's own `transformRawResult`. Errors are the driver's, as on
 * MikroORM's path.
 *
 * Values are bound as what MikroORM's inlined literal means (prepared-values.ts): booleans as 1/0
 * on SQLite (`true`/`false` there), Dates as epoch milliseconds (SQLite) or `platform.formatDate`
 * text (PostgreSQL), plain objects as JSON text, integers as SQLite INTEGERs (better-sqlite3 would
 * bind a JS number as REAL, which a TEXT column stores as `'5.0'`). MikroORM's `??` identifier
 * placeholders are filled in (quoted as `formatQuery` quotes them). Anything whose inlined form is
 * not a plain literal — arrays (inlined as lists), raw fragments, `\?` escapes, non-finite numbers,
 * fractional numbers on PostgreSQL (a numeric literal there, an untyped parameter here) — makes
 * that one call take MikroORM's path: {@link runPrepared} returns undefined.
 *
 * Switch: `createStore(orm, { preparedStatements: false })`. Turn it off behind a pooler that
 * cannot keep prepared statements (PgBouncer in transaction mode before 1.21).
 */
import type { Dictionary, EntityManager } from '@mikro-orm/core';
import { isPgPool } from './connection-recovery.js';
import { dialectOf } from './dialect.js';
import { isStalePreparedStatement, namedStatement, rawQuery, renew } from './named-statements.js';
import {
  bindPostgres,
  bindSqlite,
  type Cached,
  remember,
  type SqlPlatform,
  valuesOf,
} from './prepared-values.js';
import type { Connection } from './replicas.js';
import { ormVersion } from './versions.js';

/** SQLite statements kept per database connection. */
const STATEMENTS_PER_DATABASE = 1000;

type Method = 'all' | 'run';

/** What core uses of MikroORM 7's `AbstractSqlConnection` (its protected members included). */
interface SqlConnection {
  getPlatform(): SqlPlatform;
  config: {
    get(key: 'onQuery'): (sql: string, params: readonly unknown[]) => string;
    get(key: 'slowQueryThreshold'): number | undefined;
    getLogger(): { isEnabled(namespace: string, context?: unknown): boolean };
  };
  executeQuery<T>(sql: string, run: () => Promise<T>, context?: Dictionary): Promise<T>;
  transformRawResult<T>(result: unknown, method: Method): T;
  getClient?(): KyselyLike;
  getNativeClient?(): Promise<unknown>;
  /** The better-sqlite3 database (`@mikro-orm/sqlite`). */
  database?: SqliteDatabase;
  /** False until MikroORM connected (its own path connects on first use). */
  connected?: boolean;
}

interface SqliteStatement {
  readonly reader: boolean;
  all(params: readonly unknown[]): Dictionary[];
  run(params: readonly unknown[]): { changes: number; lastInsertRowid: number | bigint };
}

interface SqliteDatabase {
  readonly open: boolean;
  prepare(sql: string): SqliteStatement;
  pragma: unknown;
}

interface KyselyLike {
  executeQuery(query: unknown): Promise<{ rows: Dictionary[]; numAffectedRows?: bigint }>;
}

let runs = 0;

/** How many statements ran prepared in this process (a diagnostic for tests). @internal */
export function preparedRuns(): number {
  return runs;
}

/**
 * Runs `sql` with `params` as a prepared statement on `connection` (inside `em`'s transaction when
 * it has one), or returns undefined when this call must take MikroORM's path (see the module
 * comment for when). Nothing is called before that is decided, the app's `onQuery` included.
 */
export function runPrepared(
  em: EntityManager,
  connection: Connection,
  sql: string,
  params: readonly unknown[],
  method: Method,
): Promise<unknown> | undefined {
  if (ormVersion().major < 7) return undefined;
  const conn = connection as unknown as SqlConnection;
  if (
    conn.connected !== true ||
    typeof conn.executeQuery !== 'function' ||
    typeof conn.transformRawResult !== 'function'
  )
    return undefined;
  const platform = conn.getPlatform();
  const kind = dialectOf(platform as never).preparedStatements;
  if (kind === 'statement-objects') {
    const database = conn.database;
    if (!isBetterSqlite(database)) return undefined;
    const values = valuesOf(sql, params, platform);
    const bound = values && bindSqlite(values.params);
    if (!values || !bound) return undefined;
    return run(conn, sql, params, values.text, method, async (text) =>
      text === values.text
        ? runSqlite(sqliteStatement(database, text), bound)
        : // An `onQuery` that rewrote the SQL into something else runs as written, values inlined.
          runSqlite(database.prepare(platform.formatQuery(text, params)), []),
    );
  }
  if (kind === 'named') {
    if (!ownsPgPool(conn)) return undefined;
    const transaction = em.getTransactionContext() as KyselyLike | undefined;
    const client = transaction ?? conn.getClient?.();
    if (typeof client?.executeQuery !== 'function') return undefined;
    const values = valuesOf(sql, params, platform);
    const bound = values && bindPostgres(values.params, platform);
    const named = values && namedStatement(values.text);
    if (!values || !bound || !named) return undefined;
    return run(conn, sql, params, values.text, method, async (text) => {
      // An `onQuery` that rewrote the SQL into something else runs as written, values inlined.
      if (text !== values.text) {
        return client.executeQuery(rawQuery(platform.formatQuery(text, params), []));
      }
      try {
        return await client.executeQuery(rawQuery(named, bound));
      } catch (error) {
        if (!isStalePreparedStatement(error)) throw error;
        // The connection lost or outgrew the statement (DISCARD ALL, a changed result type):
        // a new name prepares it afresh. Outside a transaction that can happen right away.
        renew(named);
        if (transaction) throw error;
        return client.executeQuery(rawQuery(named, bound));
      }
    });
  }
  return undefined;
}

/**
 * Starts learning what runPrepared needs to know about `connection` (whether MikroORM owns its
 * pg pool), so that a shape's second call, its first template hit, can already run prepared.
 */
export function learnConnection(connection: Connection): void {
  const conn = connection as unknown as SqlConnection;
  if (ormVersion().major < 7 || conn.connected !== true) return;
  if (dialectOf(conn.getPlatform() as never).preparedStatements === 'named') ownsPgPool(conn);
}

const pgPools = new WeakMap<SqlConnection, boolean | Promise<void>>();

/**
 * Whether MikroORM built this connection's Kysely on its own pg pool, which takes pg query configs
 * (named statements). An app may hand MikroORM a Kysely instance or dialect of its own
 * (`driverOptions`: a serverless or in-process PostgreSQL driver), whose `sql` must stay a string;
 * MikroORM then has no native client to give. Learned once per connection, in the background:
 * until then, calls take MikroORM's path.
 */
function ownsPgPool(conn: SqlConnection): boolean {
  const known = pgPools.get(conn);
  if (typeof known === 'boolean') return known;
  if (!known) {
    const learning = (async () => {
      let owns = false;
      try {
        owns = isPgPool(await conn.getNativeClient?.());
      } catch {
        // The app passed its own Kysely instance or dialect.
      }
      pgPools.set(conn, owns);
    })();
    pgPools.set(conn, learning);
  }
  return false;
}

/**
 * Runs a statement the way MikroORM's `execute` does around its driver call: the app's `onQuery`
 * first (it may rewrite the SQL), then logged and timed by the connection's own `executeQuery`
 * (the formatted SQL only when the logger wants it), the result shaped by `transformRawResult`.
 */
function run(
  conn: SqlConnection,
  sql: string,
  params: readonly unknown[],
  prepared: string,
  method: Method,
  execute: (text: string) => Promise<unknown>,
): Promise<unknown> {
  const onQuery = conn.config.get('onQuery');
  const query = onQuery(sql, params);
  // MikroORM's own `onQuery` is the identity; the SQL to prepare is the one with identifiers filled.
  const text = query === sql ? prepared : query;
  const context: Dictionary = { query, params };
  const logger = conn.config.getLogger();
  let shown = query;
  if (logger.isEnabled('query') || conn.config.get('slowQueryThreshold') != null) {
    context.formatted = conn.getPlatform().formatQuery(query, params);
    if (logger.isEnabled('query-params')) shown = context.formatted as string;
  }
  return conn
    .executeQuery(
      shown,
      () => {
        runs++;
        return execute(text);
      },
      context,
    )
    .then((result) => conn.transformRawResult(result, method));
}

function runSqlite(statement: SqliteStatement, bound: readonly unknown[]): unknown {
  if (statement.reader) return { rows: statement.all(bound) };
  const { changes, lastInsertRowid } = statement.run(bound);
  return { insertId: BigInt(lastInsertRowid), numAffectedRows: BigInt(changes), rows: [] };
}

/**
 * An open better-sqlite3 `Database` (what `@mikro-orm/sqlite` builds), told apart from look-alike
 * APIs (libsql's) by members only better-sqlite3 has: binding rules here are better-sqlite3's.
 */
function isBetterSqlite(database: unknown): database is SqliteDatabase {
  const db = database as (SqliteDatabase & { table?: unknown; serialize?: unknown }) | undefined;
  return (
    typeof db?.prepare === 'function' &&
    typeof db.pragma === 'function' &&
    typeof db.table === 'function' &&
    typeof db.serialize === 'function' &&
    db.open === true
  );
}

const sqliteStatements = new WeakMap<SqliteDatabase, Map<string, Cached<SqliteStatement>>>();

/** The statement of `sql` on `database`, prepared on first use. */
function sqliteStatement(database: SqliteDatabase, sql: string): SqliteStatement {
  let statements = sqliteStatements.get(database);
  if (!statements) {
    statements = new Map();
    sqliteStatements.set(database, statements);
  }
  return remember(statements, sql, () => database.prepare(sql), STATEMENTS_PER_DATABASE)!;
}
