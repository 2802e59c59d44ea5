/**
 * The NestJS example (examples/nestjs) over HTTP, on this test file's database: `tsc` builds it
 * once per vitest run (a lock keeps parallel legs from compiling over each other), then
 * `node dist/main.js` serves it. Sign up → session → `POST /profile` writes the app's `profile`
 * row and Better Auth's user in one transaction; `POST /profile?fail=1` throws after both writes
 * and neither is in the database. The server log must never say "Using global EntityManager".
 */
import { join } from 'node:path';
import { betterAuthEntities } from '@mikro-auth/better-auth';
import { createStore, type Row, type Store } from '@mikro-auth/core';
import { defineEntity, p } from '@mikro-orm/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../harness/index.js';
import { childEnv, oncePerRun, type RunningApp, runNode, startNode } from './app-process.js';
import { repositoryRoot } from './browser.js';

const db = useTestDatabase();
const appDir = join(repositoryRoot, 'examples', 'nestjs');
const tsc = join(appDir, 'node_modules', 'typescript', 'bin', 'tsc');
const secret = 'nestjs-example-test-secret-0123456789abcdef';

/** The example's `profile` table, as the test reads it. */
const Profile = defineEntity({
  name: 'Profile',
  tableName: 'profile',
  properties: {
    id: p.string().primary(),
    userId: p.string().unique(),
    bio: p.text(),
    updatedAt: p.datetime(),
  },
});

/** `tsc -p examples/nestjs` once per vitest run; other legs wait for it and reuse dist/. */
async function buildOnce(): Promise<void> {
  const marker = join(appDir, 'dist', '.test-build.json');
  await oncePerRun('nestjs-build', marker, 120_000, async () => {
    const started = performance.now();
    const { exitCode, output } = await runNode([tsc, '-p', 'tsconfig.json'], { cwd: appDir });
    if (exitCode !== 0) throw new Error(`tsc -p examples/nestjs failed:\n${output}`);
    const seconds = Math.round((performance.now() - started) / 100) / 10;
    console.log(`tsc -p examples/nestjs took ${seconds} s`);
    return { result: seconds, reuse: true };
  });
}

/** `node dist/main.js` on this file's database; resolves once it says it is listening. */
function startNest(databaseUrl: string): Promise<RunningApp> {
  return startNode({
    args: ['dist/main.js'],
    cwd: appDir,
    env: (port, url) =>
      childEnv({
        NODE_ENV: 'production',
        DATABASE_URL: databaseUrl,
        PORT: String(port),
        BETTER_AUTH_SECRET: secret,
        BETTER_AUTH_URL: url,
      }),
    ready: /listening at/,
  });
}

let app: RunningApp | undefined;
let store: Store | undefined;

beforeAll(async () => {
  await buildOnce();
  app = await startNest(db.url());
}, 180_000);

afterAll(async () => {
  await app?.stop();
});

async function database(): Promise<Store> {
  store ??= createStore(await db.connect({ entities: [...betterAuthEntities({}), Profile] }));
  return store;
}

/** A tiny cookie jar: the session cookie Better Auth sets, sent back on every request. */
let cookies = '';

async function call(
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<{ status: number; json: Record<string, unknown> | null }> {
  const response = await fetch(app!.url + path, {
    method,
    headers: {
      origin: app!.url,
      ...(cookies ? { cookie: cookies } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const set = response.headers.getSetCookie().map((cookie) => cookie.split(';')[0]!);
  if (set.length) cookies = set.join('; ');
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : null };
}

async function userRow(email: string): Promise<Row> {
  const user = await (await database()).findOne('user', [{ field: 'email', value: email }]);
  expect(user).not.toBeNull();
  return user!;
}

async function profileRows(userId: string): Promise<Row[]> {
  return (await database()).findMany('profile', { where: [{ field: 'userId', value: userId }] });
}

describe(`NestJS example over HTTP (${db.name})`, () => {
  it('signs up, writes profile + user in one transaction, and ?fail=1 rolls both back', async () => {
    const signUp = await call('POST', '/api/auth/sign-up/email', {
      name: 'Ada',
      email: 'ada@example.com',
      password: 'analytical',
    });
    expect(signUp.status, JSON.stringify(signUp.json)).toBe(200);
    expect(cookies).toMatch(/session_token=/);

    const session = await call('GET', '/api/auth/get-session');
    expect(session.json).toMatchObject({ user: { email: 'ada@example.com', name: 'Ada' } });
    const userId = String((await userRow('ada@example.com')).id);

    // Failure on the first save: the INSERT of the profile and the name change both roll back.
    const first = await call('POST', '/profile?fail=1', { name: 'Countess', bio: 'never saved' });
    expect(first.status, JSON.stringify(first.json)).toBe(500);
    expect(first.json).toMatchObject({ nameInsideTransaction: 'Countess' });
    expect((await userRow('ada@example.com')).name).toBe('Ada');
    expect(await profileRows(userId)).toEqual([]);

    // Success: the app's row and Better Auth's user change are both committed.
    const saved = await call('POST', '/profile', { name: 'Ada Lovelace', bio: 'First programmer' });
    expect(saved.status, JSON.stringify(saved.json)).toBe(201);
    expect(saved.json).toMatchObject({ user: { name: 'Ada Lovelace' }, bio: 'First programmer' });
    expect((await userRow('ada@example.com')).name).toBe('Ada Lovelace');
    expect(await profileRows(userId)).toEqual([
      expect.objectContaining({ userId, bio: 'First programmer' }),
    ]);

    // Failure on a later save (an UPDATE of the profile this time): the transaction saw Better Auth's update (it joined), and after
    // the rollback neither the profile change nor the name change is in the database.
    const failed = await call('POST', '/profile?fail=1', { name: 'Countess', bio: 'rolled back' });
    expect(failed.status).toBe(500);
    expect(failed.json).toMatchObject({ nameInsideTransaction: 'Countess' });
    expect((await userRow('ada@example.com')).name).toBe('Ada Lovelace');
    expect(await profileRows(userId)).toEqual([
      expect.objectContaining({ userId, bio: 'First programmer' }),
    ]);
    expect(await call('GET', '/profile')).toMatchObject({
      status: 200,
      json: { user: { name: 'Ada Lovelace' }, bio: 'First programmer' },
    });

    expect(app!.output()).not.toMatch(/Using global EntityManager/);
  });
});
