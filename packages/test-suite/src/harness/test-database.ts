/**
 * The per-test-file database: every test file gets its own freshly created database on the leg's
 * server (or its own SQLite file), initialised MikroORM instances on it, and drops it afterwards.
 */
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MikroORM, type Options } from '@mikro-orm/core';
import { afterAll, beforeAll, inject } from 'vitest';
import { type DatabaseName, type Dialect, isServer, type ProvidedDatabase } from './databases.js';
import type {} from './replica-setup.js';
import { createTables, dropTables } from './schema.js';
import { createDatabase, dropDatabase, TEST_DATABASE_PREFIX, urlForDatabase } from './server.js';

type DriverClass = NonNullable<Options['driver']>;

async function driverFor(dialect: Dialect): Promise<DriverClass> {
  switch (dialect) {
    case 'sqlite':
      return (await import('@mikro-orm/sqlite')).SqliteDriver as unknown as DriverClass;
    case 'postgres':
      return (await import('@mikro-orm/postgresql')).PostgreSqlDriver as unknown as DriverClass;
    case 'mysql':
      return (await import('@mikro-orm/mysql')).MySqlDriver as unknown as DriverClass;
    case 'mariadb':
      return (await import('@mikro-orm/mariadb')).MariaDbDriver as unknown as DriverClass;
  }
}

/** The statements core's replica monitor samples WAL positions with (orm/replicas.ts). */
const REPLICA_SAMPLE = /^select pg_(current_wal_insert|last_wal_replay)_lsn\(\)::text as lsn$/;

/**
 * The adapter option that sends reads to replicas on the postgres-replicas leg (nothing elsewhere),
 * so the official suites run there in replica mode.
 */
export function legReads(): {
  reads?: { from: 'replicas'; maxLagMs: number; sampleIntervalMs: number };
} {
  return inject('replicaCluster')
    ? { reads: { from: 'replicas', maxLagMs: 1000, sampleIntervalMs: 50 } }
    : {};
}

export interface TestDatabase {
  /** The leg (sqlite, postgres, postgres18, mysql, mariadb): for names and labels only. */
  readonly name: DatabaseName;
  /** The dialect (sqlite, postgres, mysql, mariadb): what a test branches on. */
  readonly dialect: Dialect;
  /** The leg's label with the server's real version. */
  readonly label: string;
  /** Initialises MikroORM on this file's own database and creates the tables of `entities` afresh. */
  init(options: Partial<Options>): Promise<MikroORM>;
  /** Initialises MikroORM on this file's own database without touching its schema. */
  connect(options: Partial<Options>): Promise<MikroORM>;
  /** Closes the ORMs made so far and empties the database (drops and recreates it). */
  reset(): Promise<void>;
  /**
   * A URL for this file's database that another process can open: `file:<path>` for SQLite,
   * the server URL otherwise (`mariadb://` for the mariadb leg, so the driver choice survives).
   */
  url(): string;
  /**
   * Runs `fn` and returns the SQL statements the ORMs of this file sent meanwhile; on the
   * postgres-replicas leg less the replica monitor's WAL-position samples, which run in the
   * background whenever reads arrive and belong to no operation (core/replicas.test.ts counts them).
   */
  recordQueries<T>(fn: () => Promise<T>): Promise<{ result: T; queries: string[] }>;
}

/**
 * Closes an ORM, giving up after a few seconds: with MikroORM 7.2 on PostgreSQL, a connection
 * killed inside `em.transactional` is never released to the pool, so `close()` would wait forever.
 * Core guards the pools its store runs transactions on (core/src/orm/connection-recovery.ts), but a
 * test's own `em.transactional` on a pool no store has guarded yet can still leak that way.
 * The database is dropped with `force` afterwards, which ends whatever is left.
 */
async function closeOrm(orm: MikroORM): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const gaveUp = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), 5_000);
  });
  const outcome = await Promise.race([orm.close(true).then(() => 'closed' as const), gaveUp]);
  clearTimeout(timer);
  if (outcome === 'timeout') {
    console.warn(
      '[harness] MikroORM close() did not finish within 5 s (a leaked pool connection); moving on.',
    );
  }
}

/** Registers beforeAll/afterAll hooks that give this test file its own fresh database. */
export function useTestDatabase(): TestDatabase {
  const provided: ProvidedDatabase = inject('database');
  const databaseName = `${TEST_DATABASE_PREFIX}${process.pid}_${randomBytes(4).toString('hex')}`;
  const sqliteFile = join(tmpdir(), `${databaseName}.sqlite`);
  const open: MikroORM[] = [];
  let recording: string[] | undefined;

  async function createEmpty(): Promise<void> {
    if (isServer(provided.name)) {
      await createDatabase(provided.name, provided.url!, databaseName);
    }
  }

  async function dropAll(): Promise<void> {
    await Promise.all(open.splice(0).map(closeOrm));
    if (isServer(provided.name)) {
      await dropDatabase(provided.name, provided.url!, databaseName);
    } else {
      await rm(sqliteFile, { force: true });
    }
  }

  beforeAll(createEmpty, 60_000);
  afterAll(dropAll, 60_000);

  return {
    name: provided.name,
    dialect: provided.dialect,
    label: provided.label,
    async connect(options) {
      const driver = await driverFor(provided.dialect);
      const location = isServer(provided.name)
        ? { clientUrl: urlForDatabase(provided.url!, databaseName), dbName: databaseName }
        : { dbName: sqliteFile };
      // On the postgres-replicas leg every ORM has the leg's replicas, as a scaled-out app would.
      const cluster = inject('replicaCluster');
      const replicas =
        cluster && options.replicas === undefined
          ? cluster.replicas.map((replica, index) => ({
              name: `replica${index + 1}`,
              clientUrl: `postgresql://postgres@127.0.0.1:${replica.port}/${databaseName}`,
            }))
          : options.replicas;
      const orm = await MikroORM.init({
        ...options,
        ...location,
        ...(replicas ? { replicas } : {}),
        driver,
        allowGlobalContext: false,
        onQuery: (sql: string) => {
          if (!REPLICA_SAMPLE.test(sql)) recording?.push(sql);
          return sql;
        },
      } as Options);
      open.push(orm);
      return orm;
    },
    async init(options) {
      const orm = await this.connect(options);
      // Drop and create rather than diff: MikroORM's MySQL schema diff misreads the implicit
      // CHECK constraints MariaDB adds to JSON columns and fails to update an unchanged table.
      await dropTables(orm);
      await createTables(orm);
      return orm;
    },
    async reset() {
      await dropAll();
      await createEmpty();
    },
    url() {
      if (!isServer(provided.name)) return `file:${sqliteFile}`;
      const url = urlForDatabase(provided.url!, databaseName);
      return provided.dialect === 'mariadb' ? url.replace(/^mysql:/, 'mariadb:') : url;
    },
    async recordQueries(fn) {
      const queries: string[] = [];
      recording = queries;
      try {
        const result = await fn();
        return { result, queries };
      } finally {
        recording = undefined;
      }
    },
  };
}
