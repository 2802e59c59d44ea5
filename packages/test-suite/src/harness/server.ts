/** Administrative access to a database server: version, create and drop databases. */
import mysql from 'mysql2/promise';
import pg from 'pg';
import { DIALECT, type ServerDatabaseName } from './databases.js';

function isPostgres(name: ServerDatabaseName): boolean {
  return DIALECT[name] === 'postgres';
}

/** Runs one statement on the server's admin URL. */
async function adminQuery(name: ServerDatabaseName, url: string, sql: string): Promise<unknown[]> {
  if (isPostgres(name)) {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query(sql)).rows;
    } finally {
      await client.end();
    }
  }
  const connection = await mysql.createConnection({ uri: url });
  try {
    const [rows] = await connection.query(sql);
    return Array.isArray(rows) ? rows : [];
  } finally {
    await connection.end();
  }
}

/** The server's `select version()`, retried while the server is still starting. */
export async function serverVersion(
  name: ServerDatabaseName,
  url: string,
  waitMs = 0,
): Promise<string> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      const rows = (await adminQuery(name, url, 'select version() as version')) as Array<{
        version: string;
      }>;
      return String(rows[0]?.version);
    } catch (error) {
      if (Date.now() >= deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

function quoteIdentifier(name: ServerDatabaseName, identifier: string): string {
  if (!/^[a-z0-9_]+$/.test(identifier)) throw new Error(`Unsafe database name ${identifier}`);
  return isPostgres(name) ? `"${identifier}"` : `\`${identifier}\``;
}

/** Creates an empty database with the server's default collation for its charset. */
export async function createDatabase(
  name: ServerDatabaseName,
  url: string,
  database: string,
): Promise<void> {
  const quoted = quoteIdentifier(name, database);
  await adminQuery(
    name,
    url,
    isPostgres(name)
      ? `create database ${quoted} encoding 'UTF8'`
      : `create database ${quoted} character set utf8mb4`,
  );
}

/** Drops a database the harness created; never touches any other. */
export async function dropDatabase(
  name: ServerDatabaseName,
  url: string,
  database: string,
): Promise<void> {
  if (!database.startsWith(TEST_DATABASE_PREFIX)) {
    throw new Error(`Refusing to drop ${database}: the harness only drops databases it created.`);
  }
  const quoted = quoteIdentifier(name, database);
  await adminQuery(
    name,
    url,
    isPostgres(name)
      ? `drop database if exists ${quoted} with (force)`
      : `drop database if exists ${quoted}`,
  );
}

/** Every database the harness creates starts with this prefix. */
export const TEST_DATABASE_PREFIX = 'mikro_auth_t_';

/** Replaces the database part of a server URL. */
export function urlForDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}
