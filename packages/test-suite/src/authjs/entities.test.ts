/**
 * The default Auth.js entities: their DDL, the same entities rendered as source for migrations,
 * and the table options.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { authjsEntities, authjsTables, MikroOrmAdapter } from '@mikro-auth/authjs';
import { renderEntitySource } from '@mikro-auth/core';
import type { EntitySchema } from '@mikro-orm/core';
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../harness/index.js';

const db = useTestDatabase();

/** The CREATE TABLE statement of one table in the schema generator's output. */
function tableSql(sql: string, table: string): string {
  const found = sql
    .split(';')
    .find((statement) => new RegExp(`create table ["\`]${table}["\`]`).test(statement));
  if (!found) throw new Error(`no create table for ${table} in:\n${sql}`);
  return found;
}
const generated = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '.generated');

describe(`Auth.js entities (${db.name})`, () => {
  it('creates the five tables with snake_case columns, cascades and millisecond dates', async () => {
    const orm = await db.init({ entities: authjsEntities() });
    const sql = await orm.schema.getCreateSchemaSQL();
    for (const table of ['user', 'account', 'session', 'verification_token', 'authenticator']) {
      expect(sql).toMatch(new RegExp(`create table ["\`]${table}["\`]`));
    }
    for (const column of [
      'email_verified',
      'provider_account_id',
      'session_token',
      'credential_id',
      'credential_public_key',
      'credential_backed_up',
    ]) {
      expect(sql).toContain(column);
    }
    // Auth.js's own schema: no JSON column for token extras unless asked for (accountExtra), and
    // a verification token keyed by (identifier, token), with no surrogate id.
    expect(sql).not.toMatch(/["`]extra["`]/);
    const token = tableSql(sql, 'verification_token');
    expect(token).not.toMatch(/["`]id["`]/);
    expect(token).toMatch(/primary key \(["`]identifier["`], ?["`]token["`]\)/);
    expect(sql.match(/on delete cascade/gi)).toHaveLength(3);
    if (db.name === 'mysql' || db.name === 'mariadb') expect(sql).toMatch(/datetime\(3\)/);
    if (db.dialect === 'postgres') expect(sql).toMatch(/timestamptz\(3\)/);
  });

  it('renders source for migrations that yields exactly the same schema', async () => {
    const tables = authjsTables({
      additionalFields: { user: { role: { type: 'string', required: false } } },
    });
    const source = renderEntitySource(tables, {
      header: 'Auth.js entities, generated for a test.',
    });
    await mkdir(generated, { recursive: true });
    const file = join(generated, `authjs-entities-${db.name}-${process.pid}.ts`);
    await writeFile(file, source);
    const rendered = Object.values((await import(file)) as Record<string, EntitySchema>);
    expect(rendered.map((entity) => entity.meta.className)).toEqual([
      'User',
      'Account',
      'Session',
      'VerificationToken',
      'Authenticator',
    ]);
    const fromSource = await db.init({ entities: rendered });
    const fromSpec = await db.init({
      entities: authjsEntities({
        additionalFields: { user: { role: { type: 'string', required: false } } },
      }),
    });
    expect(await fromSource.schema.getCreateSchemaSQL()).toBe(
      await fromSpec.schema.getCreateSchemaSQL(),
    );
  });

  it('accountExtra adds the nullable JSON column extra to the account table', async () => {
    const orm = await db.init({ entities: authjsEntities({ accountExtra: true }) });
    expect(tableSql(await orm.schema.getCreateSchemaSQL(), 'account')).toMatch(
      /["`]extra["`] json(b)? null/,
    );
  });

  it('without accountExtra, token-response fields with no column are left out and sign-in goes on', async () => {
    const orm = await db.init({ entities: authjsEntities() });
    const adapter = MikroOrmAdapter(orm);
    const user = await adapter.createUser({
      id: 'u1',
      email: 'ada@example.com',
      emailVerified: null,
    });
    const account = {
      userId: user.id,
      type: 'oauth' as const,
      provider: 'github',
      providerAccountId: '1815',
      access_token: 'gho_access',
      token_type: 'bearer' as const,
    };
    await adapter.linkAccount({ ...account, refresh_token_expires_in: 15_897_600, foo: 'bar' });
    expect(await adapter.getAccount('1815', 'github')).toEqual(account);
    expect(
      await adapter.getUserByAccount({ provider: 'github', providerAccountId: '1815' }),
    ).toEqual(user);
  });

  it('leaves out the authenticator table when WebAuthn is off', () => {
    expect(authjsTables({ webAuthn: false }).map((table) => table.table)).toEqual([
      'user',
      'account',
      'session',
      'verification_token',
    ]);
  });

  it('refuses an added field that would redefine an Auth.js field', () => {
    expect(() =>
      authjsTables({ additionalFields: { user: { email: { type: 'string' } } } }),
    ).toThrow(/additionalFields\.user\.email/);
  });

  it('points foreign keys at a renamed user entity and table', () => {
    const tables = authjsTables({
      entityNames: { user: 'Member' },
      tableNames: { user: 'members' },
    });
    const account = tables.find((table) => table.entity === 'Account');
    expect(account?.fields.userId?.references?.table).toBe('Member');
    expect(tables.find((table) => table.entity === 'Member')?.table).toBe('members');
  });
});
