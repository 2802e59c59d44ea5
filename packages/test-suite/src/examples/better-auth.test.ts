/**
 * The Better Auth example in a real browser: sign up → sign out → sign in → session visible →
 * revoke another session; bad input shows a clear message and leaves no partial user behind.
 */
import { join } from 'node:path';
import { betterAuthEntities } from '@mikro-auth/better-auth';
import { createStore, type Store } from '@mikro-auth/core';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../harness/index.js';
import {
  browserAvailable,
  launchBrowser,
  type RunningApp,
  screenshots,
  startApp,
} from './browser.js';

const db = useTestDatabase();
const enabled = browserAvailable();
let app: RunningApp;
let browser: Browser;
let store: Store | undefined;

beforeAll(async () => {
  if (!enabled) return;
  app = await startApp('examples/better-auth/src/server.ts', db.url());
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.fill('#sign-in [name=email]', email);
  await page.fill('#sign-in [name=password]', password);
  await page.click('#sign-in button');
}

async function userCount(): Promise<number> {
  store ??= createStore(await db.connect({ entities: betterAuthEntities({}) }));
  return store.count('user');
}

describe.runIf(enabled)(`Better Auth example in Chromium (${db.name})`, () => {
  it('signs up, out, in, sees its sessions and revokes another one', async () => {
    const page = await (await browser.newContext()).newPage();
    await page.goto(app.url);
    await page.fill('#sign-up [name=name]', 'Ada Lovelace');
    await page.fill('#sign-up [name=email]', 'ada@example.com');
    await page.fill('#sign-up [name=password]', 'analytical');
    await page.click('#sign-up button');
    await expect.poll(() => page.textContent('#who')).toContain('ada@example.com');

    await page.click('#sign-out');
    await page.waitForSelector('#signed-out:not([hidden])');
    await signIn(page, 'ada@example.com', 'analytical');
    await expect.poll(() => page.textContent('#who')).toBe('Ada Lovelace (ada@example.com)');

    const other = await (await browser.newContext()).newPage();
    await other.goto(app.url);
    await signIn(other, 'ada@example.com', 'analytical');
    await expect.poll(() => other.textContent('#who')).toContain('ada@example.com');

    await page.reload();
    await expect.poll(() => page.locator('#sessions tr').count()).toBe(2);
    await page.click('#sessions tr[data-session=other] button');
    await expect.poll(() => page.locator('#sessions tr').count()).toBe(1);
    await other.reload();
    await other.waitForSelector('#signed-out:not([hidden])');

    await page.screenshot({
      path: join(screenshots, `better-auth-${db.name}.png`),
      fullPage: true,
    });
  });

  it('shows a clear message for a duplicate email and a wrong password, and writes nothing', async () => {
    const before = await userCount();
    const page = await (await browser.newContext()).newPage();
    await page.goto(app.url);
    await page.fill('#sign-up [name=name]', 'Imposter');
    await page.fill('#sign-up [name=email]', 'ada@example.com');
    await page.fill('#sign-up [name=password]', 'whatever1');
    await page.click('#sign-up button');
    await expect.poll(() => page.textContent('#message.error')).toMatch(/already exists/i);

    await signIn(page, 'ada@example.com', 'not-the-password');
    await expect
      .poll(() => page.textContent('#message.error'))
      .toMatch(/invalid email or password/i);
    expect(await userCount()).toBe(before);
  });
});
