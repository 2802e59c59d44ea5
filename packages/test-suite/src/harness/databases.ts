/** The databases of the conformance matrix and how each one is provided. */
export type DatabaseName = 'sqlite' | 'postgres' | 'mysql' | 'mariadb';
export type ServerDatabaseName = Exclude<DatabaseName, 'sqlite'>;

export const ALL_DATABASES: readonly DatabaseName[] = ['sqlite', 'postgres', 'mysql', 'mariadb'];

/** Environment variable that points a server leg at an existing server. */
export const URL_VARIABLE: Record<ServerDatabaseName, string> = {
  postgres: 'TEST_POSTGRES_URL',
  mysql: 'TEST_MYSQL_URL',
  mariadb: 'TEST_MARIADB_URL',
};

/** Image started with testcontainers when no URL is given. */
export const CONTAINER_IMAGE: Record<ServerDatabaseName, string> = {
  postgres: 'postgres:17',
  mysql: 'mysql:8.4',
  mariadb: 'mariadb:11',
};

/** How a leg of the matrix reaches its database. */
export type DatabaseSource =
  | { kind: 'embedded' }
  | { kind: 'url'; variable: string; url: string }
  | { kind: 'container'; image: string };

/** What every test file of a leg receives (through vitest's `provide`/`inject`). */
export interface ProvidedDatabase {
  name: DatabaseName;
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

/** Parses `TEST_DATABASES` (comma list); all databases when unset or empty. */
export function selectedDatabases(value = process.env.TEST_DATABASES): DatabaseName[] {
  if (!value?.trim()) return [...ALL_DATABASES];
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
  switch (name) {
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
