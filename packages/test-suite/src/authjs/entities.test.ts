/**
 * The default Auth.js entities: their DDL, the same entities rendered as source for migrations,
 * and the table options.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { authjsEntities, authjsTables } from '@mikro-auth/authjs';
import { renderEntitySource } from '@mikro-auth/core';
import type { EntitySchema } from '@mikro-orm/core';
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../harness/index.js';

const db = useTestDatabase();
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
      'extra',
    ]) {
      expect(sql).toContain(column);
    }
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
