/**
 * The Next.js example: `next build` with no database reachable (it must open none and create no
 * SQLite file), then `next start` on this file's database, driven in Chromium: sign up → session
 * page → sign out → sign in → session page; the rows are checked in the database itself.
 *
 * The build does not depend on the database, so one `next build` serves every leg of a run (a lock
 * and a marker in `.next` keep parallel legs from building twice or over each other). The browser
 * part runs on every leg (the example takes file:, postgres://, mysql:// and mariadb:// URLs).
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { betterAuthEntities } from '@mikro-auth/better-auth';
import { createStore, type Row, type Store } from '@mikro-auth/core';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../harness/index.js';
import { childEnv, oncePerRun, type RunningApp, runNode, startNode } from './app-process.js';
import { browserAvailable, launchBrowser, repositoryRoot, screenshots } from './browser.js';

const db = useTestDatabase();
const enabled = browserAvailable();
const appDir = join(repositoryRoot, 'examples', 'nextjs');
const nextBin = join(appDir, 'node_modules', 'next', 'dist', 'bin', 'next');
const secret = 'nextjs-example-test-secret-0123456789abcdef';

interface BuildResult {
  exitCode: number | null;
  seconds: number;
  /** The SQLite file DATABASE_URL named during the build; it must not exist afterwards. */
  sqliteFile: string;
  sqliteFileCreated: boolean;
  output: string;
}

/** The env of a child Next.js process: production, no vitest variables, no telemetry. */
function nextEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  return childEnv({ NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1', ...extra });
}

/** `next build` once per vitest run, with no database reachable; other legs reuse the result. */
function buildOnce(): Promise<BuildResult> {
  const marker = join(appDir, '.next', 'mikro-auth-test-build.json');
  return oncePerRun('nextjs-build', marker, 300_000, async () => {
    // DATABASE_URL names a SQLite file in a folder that does not exist (the app would have to
    // create it), and no secret or URL is set, as in a CI image build.
    const sqliteFile = join(
      tmpdir(),
      `mikro-auth-next-build-${randomBytes(4).toString('hex')}`,
      'x.sqlite',
    );
    const started = performance.now();
    const { exitCode, output } = await runNode([nextBin, 'build'], {
      cwd: appDir,
      env: nextEnv({ DATABASE_URL: `file:${sqliteFile}` }),
    });
    const result: BuildResult = {
      exitCode,
      seconds: Math.round((performance.now() - started) / 100) / 10,
      sqliteFile,
      sqliteFileCreated: existsSync(sqliteFile) || existsSync(join(sqliteFile, '..')),
      output,
    };
    return { result, reuse: exitCode === 0 };
  });
}

/** `next start` on this file's database, with the env the README asks for. */
function startNext(databaseUrl: string): Promise<RunningApp> {
  return startNode({
    args: (port) => [nextBin, 'start', '--port', String(port), '--hostname', '127.0.0.1'],
    cwd: appDir,
    env: (_port, url) =>
      nextEnv({
        DATABASE_URL: databaseUrl,
        BETTER_AUTH_SECRET: secret,
        BETTER_AUTH_URL: url,
      }),
    ready: /ready in/i,
  });
}

let build: BuildResult;
let app: RunningApp | undefined;
let browser: Browser | undefined;
let store: Store | undefined;

beforeAll(async () => {
  build = await buildOnce();
  if (!enabled || build.exitCode !== 0) return;
  app = await startNext(db.url());
  browser = await launchBrowser();
}, 360_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

describe(`Next.js example: next build (${db.name} leg)`, () => {
  it('builds with no database reachable and creates no SQLite file', () => {
    expect(build.exitCode, build.output).toBe(0);
    expect(build.sqliteFileCreated, `${build.sqliteFile} was created by next build`).toBe(false);
    expect(build.output).toMatch(/ƒ \/api\/auth\/\[\.\.\.all\]/);
    console.log(`next build took ${build.seconds} s`);
  });
});

async function database(): Promise<Store> {
  store ??= createStore(await db.connect({ entities: betterAuthEntities({}) }));
  return store;
}

async function rowsOf(model: string, userId: string): Promise<Row[]> {
  return (await database()).findMany(model, { where: [{ field: 'userId', value: userId }] });
}

async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.fill('#sign-in [name=email]', email);
  await page.fill('#sign-in [name=password]', password);
  await page.click('#sign-in button[type=submit]');
}

describe.runIf(enabled)(`Next.js example in Chromium (${db.name})`, () => {
  it('signs up, sees the session page, signs out and in again; rows are in the database', async () => {
    const page = await (await browser!.newContext()).newPage();
    await page.goto(app!.url);
    await page.waitForURL(/\/sign-in$/);
    await page.click('a[href="/sign-up"]');
    await page.waitForURL(/\/sign-up$/);
    await page.fill('#sign-up [name=name]', 'Grace Hopper');
    await page.fill('#sign-up [name=email]', 'grace@example.com');
    await page.fill('#sign-up [name=password]', 'cobol-1959');
    await page.click('#sign-up button[type=submit]');
    await expect
      .poll(() => page.textContent('#email').catch(() => null), { timeout: 15_000 })
      .toBe('grace@example.com');
    const expires = new Date((await page.textContent('#expires'))!);
    expect(expires.getTime()).toBeGreaterThan(Date.now() + 24 * 60 * 60 * 1000);
    await page.screenshot({
      path: join(screenshots, `nextjs-${db.name}-session.png`),
      fullPage: true,
    });

    const user = await (await database()).findOne('user', [
      { field: 'email', value: 'grace@example.com' },
    ]);
    expect(user).toMatchObject({ name: 'Grace Hopper', email: 'grace@example.com' });
    const userId = String(user!.id);
    expect(await rowsOf('account', userId)).toEqual([
      expect.objectContaining({ providerId: 'credential', accountId: userId }),
    ]);
    expect(await rowsOf('session', userId)).toHaveLength(1);

    await page.click('#sign-out');
    await page.waitForURL(/\/sign-in$/);
    expect(await rowsOf('session', userId)).toHaveLength(0);

    await signIn(page, 'grace@example.com', 'wrong-password');
    await expect
      .poll(() => page.textContent('#message'), { timeout: 15_000 })
      .toMatch(/invalid email or password/i);
    await page.screenshot({
      path: join(screenshots, `nextjs-${db.name}-sign-in.png`),
      fullPage: true,
    });

    await signIn(page, 'grace@example.com', 'cobol-1959');
    await expect
      .poll(() => page.textContent('#email').catch(() => null), { timeout: 15_000 })
      .toBe('grace@example.com');
    expect(await rowsOf('session', userId)).toHaveLength(1);
    expect(await (await database()).count('user')).toBe(1);
  });
});
