/**
 * One database per contender, with identical tables (created by MikroORM from
 * betterAuthEntities), so no contender reads another's rows or caches.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';

export type BenchDatabase = 'sqlite' | 'postgres';

export const adminUrl =
  process.env.BENCH_POSTGRES_URL ??
  process.env.TEST_POSTGRES_URL ??
  'postgresql://postgres@127.0.0.1:5432/postgres';

const directory = join(tmpdir(), `mikro-auth-bench-${process.pid}`);

export interface Location {
  /** SQLite file path, or PostgreSQL URL of the contender's own database. */
  target: string;
  drop: () => Promise<void>;
}

export async function createLocation(
  database: BenchDatabase,
  contender: string,
): Promise<Location> {
  const name = `mikro_auth_bench_${contender.replace(/\W/g, '_')}`;
  if (database === 'sqlite') {
    mkdirSync(directory, { recursive: true });
    const file = join(directory, `${name}.sqlite`);
    rmSync(file, { force: true });
    return { target: file, drop: async () => rmSync(file, { force: true }) };
  }
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`drop database if exists "${name}" with (force)`);
  await admin.query(`create database "${name}"`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    target: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      await client.query(`drop database if exists "${name}" with (force)`);
      await client.end();
    },
  };
}

/** Runs SQL with positional parameters on a location through the raw driver. */
export interface RawConnection {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  run(sql: string, params?: unknown[]): Promise<number>;
  close(): Promise<void>;
}

export function rawConnection(database: BenchDatabase, target: string): RawConnection {
  if (database === 'sqlite') {
    const db = new Database(target);
    const statements = new Map<string, Database.Statement>();
    const prepared = (sql: string) => {
      let statement = statements.get(sql);
      if (!statement) {
        statement = db.prepare(sql);
        statements.set(sql, statement);
      }
      return statement;
    };
    return {
      query: async <T>(sql: string, params: unknown[] = []) => prepared(sql).all(...params) as T[],
      run: async (sql, params = []) => prepared(sql).run(...params).changes,
      close: async () => {
        db.close();
      },
    };
  }
  const pool = new pg.Pool({ connectionString: target, max: 10 });
  const numbered = (sql: string) => {
    let index = 0;
    return sql.replace(/\?/g, () => `$${++index}`);
  };
  return {
    query: async <T>(sql: string, params: unknown[] = []) =>
      (await pool.query(numbered(sql), params)).rows as T[],
    run: async (sql, params = []) => (await pool.query(numbered(sql), params)).rowCount ?? 0,
    close: () => pool.end(),
  };
}
