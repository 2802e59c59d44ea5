/**
 * Keeps a PostgreSQL pool usable when the server drops connections (backend killed, server
 * restarted, idle-in-transaction timeout).
 *
 * MikroORM 7.2 runs PostgreSQL through Kysely's PostgresDialect on a `pg` pool, and two things go
 * wrong when a connection dies:
 *
 * - Inside a transaction, the ROLLBACK MikroORM sends on the dead connection throws, and Kysely's
 *   `ControlledTransaction.rollback()` (likewise `commit()`) only releases its connection after the
 *   statement succeeded. MikroORM's `AbstractSqlConnection.transactional` logs the failed rollback
 *   and moves on, so the pool's slot is never given back: after `pool.max` such failures every
 *   query and `orm.close()` wait forever.
 * - Kysely releases a connection without the error that broke it, so `pg-pool` keeps a client whose
 *   server just sent a FATAL error (e.g. 57P01 from `pg_terminate_backend`) as idle until the socket
 *   closes, and the next query can pick it.
 *
 * The fix touches no private internals: it takes the pool from MikroORM's public
 * `Connection.getNativeClient()`, watches pg-pool's documented `acquire`/`release` events, and wraps
 * the public `query` method of each client checked out. The first query that fails because its
 * connection is lost gives the client back with `client.release(error)`, which makes pg-pool destroy
 * it and free its slot at once; the holder's later `release()` (Kysely's, if it comes) is replaced by
 * a no-op for that client, since a second release would throw.
 *
 * MySQL and MariaDB need none of this: mysql2 removes a pooled connection from its pool by itself
 * when the connection ends or fails. MikroORM 6 (Knex, tarn pool) has no `getNativeClient()`; this
 * file is the only place that knows about `pg`.
 */
import type { EntityManager } from '@mikro-orm/core';
import { isConnectionLoss } from '../errors/translate.js';
import { dialectOf } from './dialect.js';

/** The part of a `pg` client (as handed out by `pg-pool`) this file uses. */
interface PgClient {
  query: (...args: unknown[]) => unknown;
  /** Set by pg-pool while the client is checked out; with an error, destroys the client. */
  release?: (error?: Error | boolean) => void;
}

/** The part of a `pg-pool` Pool this file uses. */
interface PgPool {
  connect: (...args: unknown[]) => unknown;
  /** True once `end()` was called (public, typed in @types/pg). */
  readonly ending: boolean;
  on(event: 'acquire', listener: (client: PgClient) => void): unknown;
  on(event: 'release', listener: (error: unknown, client: PgClient) => void): unknown;
}

const guardedPools = new WeakSet<object>();
const watchedClients = new WeakSet<PgClient>();
const checkedOut = new WeakSet<PgClient>();

/** A pg-pool `Pool` (what MikroORM 7's PostgreSQL connection builds itself). */
export function isPgPool(value: unknown): value is PgPool {
  if (typeof value !== 'object' || value === null) return false;
  const pool = value as Record<string, unknown>;
  return (
    typeof pool.on === 'function' &&
    typeof pool.connect === 'function' &&
    typeof pool.totalCount === 'number' &&
    typeof pool.idleCount === 'number'
  );
}

/** Gives a checked-out client back to the pool with `error`, which destroys it and frees its slot. */
function discard(client: PgClient, error: unknown): void {
  const release = client.release;
  if (!checkedOut.has(client) || typeof release !== 'function') return;
  // Whoever holds the client releases it later (or, after a failed ROLLBACK, never); either way
  // the slot is already free and a second release would throw.
  client.release = () => undefined;
  release.call(client, error instanceof Error ? error : new Error(String(error)));
}

function watch(client: PgClient): void {
  if (watchedClients.has(client)) return;
  watchedClients.add(client);
  const query = client.query;
  client.query = function watchedQuery(this: unknown, ...args: unknown[]): unknown {
    const result = query.apply(this, args);
    // Callback and cursor (submittable) forms return no promise; Kysely uses neither for queries.
    if (typeof (result as PromiseLike<unknown> | undefined)?.then !== 'function') return result;
    return Promise.resolve(result).catch((error: unknown) => {
      if (isConnectionLoss(error)) discard(client, error);
      throw error;
    });
  };
}

/** Per connection: the guard's installation while it runs, then `true`. */
const guards = new WeakMap<object, Promise<void> | true>();

/**
 * Makes the `pg` pool behind `em`'s primary connection (or behind `connection`, e.g. one of
 * MikroORM's read replicas: a replica restart breaks its pooled clients the same way) destroy each
 * connection that loses its server, so none leaks. Synchronous and free once the guard is in
 * place; until then every caller (concurrent first callers included) gets the same promise of its
 * installation, so none runs unguarded.
 */
export function guardConnectionLoss(
  em: EntityManager,
  connection: ReturnType<EntityManager['getConnection']> = em.getConnection('write'),
): Promise<void> | undefined {
  const known = guards.get(connection);
  if (known === true) return undefined;
  if (known) return known;
  // Nothing to do for other databases.
  if (!dialectOf(em.getPlatform()).poolNeedsLossGuard) {
    guards.set(connection, true);
    return undefined;
  }
  const installing = installGuard(connection).finally(() => guards.set(connection, true));
  guards.set(connection, installing);
  return installing;
}

/**
 * A client the pool hands out after `end()` was called goes back at once, and the caller gets an
 * error instead. Kysely's `PostgresDriver.destroy()` (run by `orm.close()`) clears its pool field and
 * then calls `pool.end()`; an `acquireConnection()` whose `pool.connect()` was still waiting (a new
 * connection being set up) then resumes, reads the cleared field (`this.#pool.Client`), throws a
 * TypeError and never releases the client, and `pool.end()`, so `orm.close()`, waits for it forever.
 * A statement still in flight when the ORM closes (the replica monitor's background sample, or
 * the app's own) fails either way; this makes it fail without keeping the client.
 */
function refuseClientsWhileEnding(pool: PgPool): void {
  const connect = pool.connect;
  pool.connect = function guardedConnect(this: PgPool, ...args: unknown[]): unknown {
    const result = connect.apply(this, args);
    // The callback form returns nothing; Kysely uses the promise form.
    if (args.length > 0 || typeof (result as PromiseLike<unknown>)?.then !== 'function')
      return result;
    return (result as Promise<PgClient>).then((client) => {
      if (!pool.ending) return client;
      client.release?.();
      throw new Error('The connection pool is closing (orm.close()): the statement was not run.');
    });
  };
}

async function installGuard(connection: ReturnType<EntityManager['getConnection']>): Promise<void> {
  let pool: unknown;
  try {
    pool = await connection.getNativeClient();
  } catch {
    // A driver without a native client, or one built from a Kysely instance the app passed in.
    return;
  }
  if (!isPgPool(pool) || guardedPools.has(pool)) return;
  guardedPools.add(pool);
  refuseClientsWhileEnding(pool);
  pool.on('acquire', (client) => {
    checkedOut.add(client);
    watch(client);
  });
  pool.on('release', (_error, client) => {
    checkedOut.delete(client);
  });
}
