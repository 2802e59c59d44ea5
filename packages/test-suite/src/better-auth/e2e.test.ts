/**
 * End to end through Better Auth itself (`betterAuth({...}).api`), with the organization, admin,
 * two-factor and username plugins, their tables created from `betterAuthEntities`.
 */
import { betterAuthEntities, mikroOrmAdapter } from '@mikro-auth/better-auth';
import type { MikroORM } from '@mikro-orm/core';
import { type BetterAuthOptions, betterAuth } from 'better-auth';
import { admin, organization, twoFactor, username } from 'better-auth/plugins';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../harness/index.js';

const db = useTestDatabase();

const config = {
  secret: 'a-test-secret-that-is-long-enough-for-better-auth',
  baseURL: 'http://localhost:3000',
  emailAndPassword: {
    enabled: true,
    // A trivial hasher keeps the test about the database, not scrypt.
    password: {
      hash: async (password: string) => `hashed:${password}`,
      verify: async ({ hash, password }) => hash === `hashed:${password}`,
    },
  },
  plugins: [organization(), admin(), twoFactor(), username()],
  advanced: { database: { joins: true } },
  telemetry: { enabled: false },
} satisfies BetterAuthOptions;

let orm: MikroORM;
let auth: ReturnType<
  typeof betterAuth<typeof config & { database: ReturnType<typeof mikroOrmAdapter> }>
>;

beforeAll(async () => {
  orm = await db.init({ entities: betterAuthEntities(config) });
  auth = betterAuth({ ...config, database: mikroOrmAdapter(orm) });
});

/** Signs in and returns request headers carrying the session cookie. */
async function signIn(email: string, password: string): Promise<Headers> {
  const response = await auth.api.signInEmail({ body: { email, password }, asResponse: true });
  expect(response.status).toBe(200);
  const cookie = response.headers
    .getSetCookie()
    .map((value) => value.split(';')[0])
    .join('; ');
  return new Headers({ cookie });
}

describe(`Better Auth end to end (${db.name})`, () => {
  it('signs up, signs in, lists and revokes sessions, changes password with revokeOtherSessions', async () => {
    const signedUp = await auth.api.signUpEmail({
      body: { email: 'ada@example.com', password: 'correct horse', name: 'Ada', username: 'ada' },
    });
    expect(signedUp.user.email).toBe('ada@example.com');

    const first = await signIn('ada@example.com', 'correct horse');
    const second = await signIn('ada@example.com', 'correct horse');
    const session = await auth.api.getSession({ headers: first });
    expect(session?.user).toMatchObject({
      email: 'ada@example.com',
      username: 'ada',
      role: 'user',
    });

    const sessions = await auth.api.listSessions({ headers: first });
    expect(sessions.length).toBeGreaterThanOrEqual(3); // sign-up, first and second sign-in
    const secondSession = await auth.api.getSession({ headers: second });
    await auth.api.revokeSession({ headers: first, body: { token: secondSession!.session.token } });
    expect(await auth.api.getSession({ headers: second })).toBeNull();

    await auth.api.changePassword({
      headers: first,
      body: {
        currentPassword: 'correct horse',
        newPassword: 'battery staple',
        revokeOtherSessions: true,
      },
    });
    const remaining = await auth.api.listSessions({
      headers: await signIn('ada@example.com', 'battery staple'),
    });
    expect(remaining).toHaveLength(2); // the session kept by changePassword, and the new sign-in
    await expect(signIn('ada@example.com', 'correct horse')).rejects.toThrow();
  });

  it('rejects a duplicate email and a wrong password without writing anything', async () => {
    const users = await orm.em
      .fork()
      .getConnection()
      .execute('select count(*) as n from ' + orm.em.getPlatform().quoteIdentifier('user'));
    await expect(
      auth.api.signUpEmail({
        body: {
          email: 'ada@example.com',
          password: 'another one',
          name: 'Imposter',
          username: 'ada2',
        },
      }),
    ).rejects.toThrow();
    await expect(signIn('ada@example.com', 'wrong password')).rejects.toThrow();
    const after = await orm.em
      .fork()
      .getConnection()
      .execute('select count(*) as n from ' + orm.em.getPlatform().quoteIdentifier('user'));
    expect(Number(after[0]!.n)).toBe(Number(users[0]!.n));
  });

  it('signs in by username, creates an organization, enables two-factor, and lets an admin list users', async () => {
    await auth.api.signUpEmail({
      body: {
        email: 'grace@example.com',
        password: 'hopper pass',
        name: 'Grace',
        username: 'grace',
      },
    });
    const response = await auth.api.signInUsername({
      body: { username: 'grace', password: 'hopper pass' },
      asResponse: true,
    });
    expect(response.status).toBe(200);
    const headers = new Headers({
      cookie: response.headers
        .getSetCookie()
        .map((value) => value.split(';')[0])
        .join('; '),
    });

    const org = await auth.api.createOrganization({
      headers,
      body: { name: 'Analytical Engines', slug: 'engines' },
    });
    expect(org?.slug).toBe('engines');
    const full = await auth.api.getFullOrganization({
      headers,
      query: { organizationId: org!.id },
    });
    expect(full?.members.map((member) => member.user.email)).toEqual(['grace@example.com']);

    const enabled = await auth.api.enableTwoFactor({ headers, body: { password: 'hopper pass' } });
    if (enabled.method !== 'totp') throw new Error(`expected TOTP set-up, got ${enabled.method}`);
    expect(enabled.totpURI).toMatch(/^otpauth:\/\//);
    expect(enabled.backupCodes.length).toBeGreaterThan(0);

    const grace = await auth.api.getSession({ headers });
    await orm.em
      .fork()
      .getConnection()
      .execute(
        `update ${orm.em.getPlatform().quoteIdentifier('user')} set ${orm.em.getPlatform().quoteIdentifier('role')} = 'admin' where ${orm.em.getPlatform().quoteIdentifier('id')} = ?`,
        [grace!.user.id],
      );
    const listed = await auth.api.listUsers({
      headers,
      query: { sortBy: 'email', sortDirection: 'asc' },
    });
    expect(listed.users.map((user) => user.email)).toEqual([
      'ada@example.com',
      'grace@example.com',
    ]);
  });
});
