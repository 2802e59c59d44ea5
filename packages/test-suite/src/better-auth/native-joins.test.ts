/**
 * The official joins suite cannot tell a native join from Better Auth's fallback (separate
 * queries), so this checks the statements: a joined read is one SQL statement.
 */
import { betterAuthEntities, mikroOrmAdapter } from '@mikro-auth/better-auth';
import type { BetterAuthOptions } from 'better-auth';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../harness/index.js';

const db = useTestDatabase();
const options: BetterAuthOptions = { advanced: { database: { joins: true } } };
let adapter: ReturnType<ReturnType<typeof mikroOrmAdapter>>;
let userId: string;

beforeAll(async () => {
  const orm = await db.init({ entities: betterAuthEntities(options) });
  adapter = mikroOrmAdapter(orm)(options);
  const now = new Date();
  const user = await adapter.create<{ id: string }>({
    model: 'user',
    data: {
      name: 'Ada',
      email: 'ada@example.com',
      emailVerified: true,
      createdAt: now,
      updatedAt: now,
    },
  });
  userId = user.id;
  for (const token of ['one', 'two']) {
    await adapter.create({
      model: 'session',
      data: {
        token,
        userId,
        expiresAt: new Date(Date.now() + 60_000),
        createdAt: now,
        updatedAt: now,
      },
    });
  }
});

describe(`native joins through the Better Auth adapter (${db.name})`, () => {
  it('reads a user with their sessions in one statement', async () => {
    const { result, queries } = await db.recordQueries(() =>
      adapter.findOne<{ email: string; session: Array<{ token: string }> }>({
        model: 'user',
        where: [{ field: 'id', value: userId }],
        join: { session: true },
      }),
    );
    expect(result?.email).toBe('ada@example.com');
    expect(result?.session.map((session) => session.token).sort()).toEqual(['one', 'two']);
    expect(queries).toHaveLength(1);
  });

  it('reads a session with its user in one statement (the session lookup of every request)', async () => {
    const { result, queries } = await db.recordQueries(() =>
      adapter.findOne<{ token: string; user: { email: string } }>({
        model: 'session',
        where: [{ field: 'token', value: 'one' }],
        join: { user: true },
      }),
    );
    expect(result?.user.email).toBe('ada@example.com');
    expect(queries).toHaveLength(1);
  });
});
