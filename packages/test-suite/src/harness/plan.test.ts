import { describe, expect, it } from 'vitest';
import { DEFAULT_DATABASES, DIALECT, legLabel, selectedDatabases } from './databases.js';
import { embeddedPostgresProblem } from './embedded-postgres.js';
import { sourceFor } from './plan.js';
import { useTestDatabase } from './test-database.js';

const db = useTestDatabase();

describe(`planning the matrix (${db.name})`, () => {
  it('runs postgres18 only when TEST_DATABASES names it', () => {
    expect(selectedDatabases('')).toEqual([...DEFAULT_DATABASES]);
    expect(selectedDatabases('')).not.toContain('postgres18');
    expect(selectedDatabases('postgres18, sqlite')).toEqual(['sqlite', 'postgres18']);
    expect(() => selectedDatabases('postgres17')).toThrow(
      /unknown database\(s\) postgres17; use a comma list of sqlite, postgres, postgres18, mysql, mariadb/,
    );
  });

  it('takes each leg’s own URL variable first', async () => {
    const env = {
      TEST_POSTGRES_URL: 'postgresql://a@127.0.0.1:1/postgres',
      TEST_POSTGRES18_URL: 'postgresql://b@127.0.0.1:2/postgres',
    };
    expect(await sourceFor('postgres18', env)).toEqual({
      kind: 'url',
      variable: 'TEST_POSTGRES18_URL',
      url: env.TEST_POSTGRES18_URL,
    });
    expect(await sourceFor('postgres', env)).toMatchObject({ url: env.TEST_POSTGRES_URL });
  });

  it('says in one sentence why embedded PostgreSQL cannot start without its platform package', () => {
    expect(embeddedPostgresProblem('@embedded-postgres/plan9-x64')).toMatch(
      /^@embedded-postgres\/plan9-x64 is not installed, so there are no PostgreSQL binaries for /,
    );
  });

  it('gives both PostgreSQL legs the postgres dialect and labels them with their versions', () => {
    expect(DIALECT.postgres18).toBe('postgres');
    expect(db.dialect).toBe(DIALECT[db.name]);
    expect(legLabel('postgres18', 'PostgreSQL 18.4 on x86_64-pc-linux-gnu, compiled by gcc')).toBe(
      'PostgreSQL 18.4',
    );
  });

  it('runs on the server its label names (postgres18 on PostgreSQL 18)', async () => {
    const orm = await db.connect({ entities: [], discovery: { warnWhenNoEntities: false } });
    const sql = db.dialect === 'sqlite' ? 'select sqlite_version() as v' : 'select version() as v';
    const [row] = await orm.em.getConnection().execute<Array<{ v: string }>>(sql);
    const version = String(row?.v);
    expect(db.label).toBe(legLabel(db.name, version));
    if (db.name === 'postgres18') expect(version).toMatch(/^PostgreSQL 18\.\d+/);
  });
});
