/**
 * The Passport example (examples/passport) on this leg's database: passport-local sign-in, a page
 * for signed-in users only, the session surviving a server restart, and sign-out, first over plain
 * HTTP and then in Chromium. Session rows are checked in the database itself.
 */
import { createStore, type Row, type Store } from '@mikro-auth/core';
import { sessionStoreEntities } from '@mikro-auth/express-session';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../harness/index.js';
import { browserAvailable, launchBrowser, type RunningApp, startApp } from './browser.js';

const db = useTestDatabase();
const ENTRY = 'examples/passport/src/server.ts';
const SECRET = { SESSION_SECRET: 'passport-example-test-secret-0123456789abcdef' };
let app: RunningApp;
let store: Store | undefined;

beforeAll(async () => {
  app = await startApp(ENTRY, db.url(), SECRET);
}, 120_000);

afterAll(async () => {
  await app?.stop();
});

async function sessions(): Promise<Row[]> {
  store ??= createStore(await db.connect({ entities: sessionStoreEntities() }));
  return store.findMany('HttpSession', {});
}

/** The sessions whose data says Passport signed a user in. */
async function signedInSessions(): Promise<Row[]> {
  return (await sessions()).filter((row) => JSON.parse(String(row.data)).passport?.user);
}

/** Fetch with one cookie jar, redirects not followed. */
function client() {
  let cookie = '';
  return async (url: string, form?: Record<string, string>) => {
    const response = await fetch(url, {
      method: form ? 'POST' : 'GET',
      redirect: 'manual',
      headers: {
        ...(cookie ? { cookie } : {}),
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      ...(form ? { body: new URLSearchParams(form) } : {}),
    });
    const set = response.headers.get('set-cookie');
    if (set) cookie = set.split(';')[0]!;
    return {
      status: response.status,
      location: response.headers.get('location'),
      body: await response.text(),
    };
  };
}

describe(`examples/passport over HTTP (${db.name})`, () => {
  it('a wrong password signs nobody in; the right one does, and the private page counts visits', async () => {
    const visit = client();
    expect((await visit(`${app.url}/private`)).location).toBe('/');
    const wrong = await visit(`${app.url}/login`, { username: 'ada', password: 'nope' });
    expect(wrong).toMatchObject({ status: 302, location: '/?error' });
    expect((await visit(`${app.url}/?error`)).body).toContain('Wrong username or password.');
    expect(await signedInSessions()).toEqual([]);

    const right = await visit(`${app.url}/login`, {
      username: 'ada',
      password: 'analytical-engine',
    });
    expect(right).toMatchObject({ status: 302, location: '/private' });
    expect((await visit(`${app.url}/private`)).body).toMatch(
      /hello, Ada Lovelace[\s\S]*id="visits">1</,
    );
    expect((await visit(`${app.url}/private`)).body).toContain('id="visits">2<');
    const [stored] = await signedInSessions();
    expect(JSON.parse(String(stored?.data))).toMatchObject({ visits: 2, passport: { user: 1 } });
    expect((stored!.expires as Date).getTime()).toBeGreaterThan(Date.now() + 6 * 24 * 3600 * 1000);

    expect(await visit(`${app.url}/logout`, {})).toMatchObject({ status: 302, location: '/' });
    expect((await visit(`${app.url}/private`)).location).toBe('/');
    expect(await signedInSessions()).toEqual([]);
  });
});

describe(`examples/passport in Chromium (${db.name})`, () => {
  const enabled = browserAvailable();
  let browser: Browser | undefined;
  afterAll(async () => {
    await browser?.close();
  });

  it.runIf(enabled)(
    'signs in, keeps the session across a server restart, signs out',
    async () => {
      browser = await launchBrowser();
      const page = await (await browser.newContext()).newPage();
      await page.goto(app.url);
      await page.fill('[name=username]', 'ada');
      await page.fill('[name=password]', 'analytical-engine');
      await page.click('#sign-in');
      await expect.poll(() => page.textContent('#who')).toContain('hello, Ada Lovelace');
      expect(await page.textContent('#visits')).toBe('1');

      // The server restarts (a new process, a new port); the browser keeps its cookie.
      await app.stop();
      app = await startApp(ENTRY, db.url(), SECRET);
      await page.goto(`${app.url}/private`);
      expect(await page.textContent('#who')).toContain('hello, Ada Lovelace');
      expect(await page.textContent('#visits')).toBe('2');

      await page.click('#sign-out');
      await expect.poll(() => page.isVisible('#sign-in')).toBe(true);
      await page.goto(`${app.url}/private`);
      expect(await page.isVisible('#sign-in')).toBe(true);
      expect(await signedInSessions()).toEqual([]);
    },
    120_000,
  );
});
