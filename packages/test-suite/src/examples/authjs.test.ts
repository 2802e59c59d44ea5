/**
 * The Auth.js example in a real browser: magic-link sign-in → session visible → sign-out; a used or
 * expired link shows a clear error and signs nobody in; a passkey registered with Chromium's virtual
 * authenticator signs the user in again after sign-out. Rows are checked in the database itself.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { authjsEntities } from '@mikro-auth/authjs';
import { createStore, type Row, type Store } from '@mikro-auth/core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
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
const secret = 'authjs-example-test-secret-0123456789abcdef';
const DAY = 24 * 60 * 60 * 1000;
let app: RunningApp;
/** The app on localhost: Chromium refuses an IP address as a WebAuthn relying party. */
let base: string;
let browser: Browser;
let store: Store | undefined;

beforeAll(async () => {
  if (!enabled) return;
  app = await startApp('examples/authjs/src/server.ts', db.url(), {
    AUTH_SECRET: secret,
    NODE_ENV: 'development',
  });
  base = app.url.replace('//127.0.0.1:', '//localhost:');
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

async function database(): Promise<Store> {
  store ??= createStore(await db.connect({ entities: authjsEntities() }));
  return store;
}

type UserRow = Row & { id: string; email: string };

async function userByEmail(email: string): Promise<UserRow> {
  const user = await (await database()).findOne('User', [{ field: 'email', value: email }]);
  expect(user, `user ${email}`).not.toBeNull();
  return user as UserRow;
}

async function sessionsOf(userId: string): Promise<Row[]> {
  return (await database()).findMany('Session', { where: [{ field: 'userId', value: userId }] });
}

/** A platform authenticator (like Touch ID) in the page's browser context, holding no passkey yet. */
async function virtualAuthenticator(context: BrowserContext, page: Page) {
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
    },
  });
  return { cdp, authenticatorId };
}

/** The line under the title: its text and whether it is an error. */
async function message(page: Page): Promise<{ kind: string | null; text: string | null }> {
  const element = page.locator('#message');
  return { kind: await element.getAttribute('class'), text: await element.textContent() };
}

async function signedInAs(page: Page): Promise<string | null> {
  await page.waitForSelector('#signed-in:not([hidden])', { timeout: 10_000 });
  return page.textContent('#who');
}

async function signedOut(page: Page): Promise<void> {
  await page.waitForSelector('#signed-out:not([hidden])', { timeout: 10_000 });
  expect(await page.isHidden('#signed-in')).toBe(true);
}

/** Asks for a magic link on the page and reads it from the dev mailbox (and the server log). */
async function requestLink(page: Page, email: string): Promise<string> {
  await page.goto(base);
  await signedOut(page);
  await page.fill('#email-sign-in [name=email]', email);
  await page.click('#email-sign-in button[type=submit]');
  await expect
    .poll(() => message(page))
    .toEqual({ kind: 'ok', text: expect.stringMatching(/sent to the dev mailbox/i) });
  const normalised = email.trim().toLowerCase();
  const response = await page.request.get(
    `${base}/dev/mailbox?email=${encodeURIComponent(normalised)}`,
  );
  expect(response.status()).toBe(200);
  const letter = (await response.json()) as { email: string; url: string };
  expect(letter.email).toBe(normalised);
  expect(new URL(letter.url).pathname).toBe('/auth/callback/email');
  expect(app.output()).toContain(letter.url);
  return letter.url;
}

/** The verification token row of a link: Auth.js stores sha256(token + secret). */
function storedToken(link: string): string {
  const token = new URL(link).searchParams.get('token')!;
  return createHash('sha256').update(`${token}${secret}`).digest('hex');
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({
    path: join(screenshots, `authjs-${db.name}-${name}.png`),
    fullPage: true,
  });
}

describe.runIf(enabled)(`Auth.js example in Chromium (${db.name})`, () => {
  it('signs in with a magic link from the dev mailbox, shows the session, signs out', async () => {
    const page = await (await browser.newContext()).newPage();
    const link = await requestLink(page, '  Ada@Example.com ');
    expect(
      await (await database()).count('VerificationToken', [
        { field: 'token', value: storedToken(link) },
      ]),
    ).toBe(1);

    await page.goto(link);
    expect(await signedInAs(page)).toBe('ada@example.com');
    expect(await message(page)).toEqual({ kind: 'ok', text: 'Signed in with your email link.' });
    expect(new URL(page.url()).search).toBe('');

    // The page shows the database session's expiry (Auth.js's default lifetime: 30 days).
    const expires = new Date((await page.getAttribute('#expires', 'datetime'))!);
    expect(expires.getTime() - Date.now()).toBeGreaterThan(29 * DAY);
    expect(expires.getTime() - Date.now()).toBeLessThanOrEqual(30 * DAY);
    expect(await page.textContent('#expires')).not.toBe('');
    const user = await userByEmail('ada@example.com');
    expect(user.emailVerified).not.toBeNull();
    const sessions = await sessionsOf(user.id);
    expect(sessions).toHaveLength(1);
    expect(new Date(sessions[0]!.expires as string | Date).getTime()).toBe(expires.getTime());
    expect(
      await (await database()).count('VerificationToken', [
        { field: 'identifier', value: user.email },
      ]),
    ).toBe(0);
    await shot(page, 'magic-link-signed-in');

    await page.click('#sign-out');
    await signedOut(page);
    await expect.poll(() => message(page)).toEqual({ kind: 'ok', text: 'Signed out.' });
    expect(await sessionsOf(user.id)).toHaveLength(0);
    await page.reload();
    await signedOut(page);
    // Signed out here on purpose: the page has nothing to explain.
    expect((await message(page)).text ?? '').not.toMatch(/session has ended/);
    await shot(page, 'magic-link-signed-out');
  });

  it('explains a session that ended elsewhere instead of silently showing the sign-in form', async () => {
    const page = await (await browser.newContext()).newPage();
    const link = await requestLink(page, 'linus@example.com');
    await page.goto(link);
    expect(await signedInAs(page)).toBe('linus@example.com');
    // The session is revoked on the server (another device signs out, an admin revokes it).
    const user = await userByEmail('linus@example.com');
    expect(
      await (await database()).deleteMany('Session', [{ field: 'userId', value: user.id }]),
    ).toBe(1);
    await page.reload();
    await signedOut(page);
    await expect
      .poll(() => message(page))
      .toEqual({
        kind: 'error',
        text: expect.stringMatching(/session has ended/),
      });
  });

  it('says so clearly when a link is reused or expired, and signs nobody in', async () => {
    const store = await database();
    const email = 'grace@example.com';
    const page = await (await browser.newContext()).newPage();
    const link = await requestLink(page, email);
    await page.goto(link);
    expect(await signedInAs(page)).toBe(email);
    const user = await userByEmail(email);
    expect(await sessionsOf(user.id)).toHaveLength(1);
    const allSessions = await store.count('Session');

    // The same link again, in another browser: Auth.js redirects to /?error=Verification.
    const context = await browser.newContext();
    const other = await context.newPage();
    await other.goto(link);
    await signedOut(other);
    expect(await message(other)).toEqual({
      kind: 'error',
      text: 'This sign-in link has expired or has already been used. Request a new one below.',
    });
    expect(other.url()).toBe(`${base}/`);
    expect((await context.cookies()).map((cookie) => cookie.name)).not.toContain(
      'authjs.session-token',
    );
    expect(await store.count('Session')).toBe(allSessions);
    expect(
      await store.count('VerificationToken', [{ field: 'token', value: storedToken(link) }]),
    ).toBe(0);
    expect(await store.count('VerificationToken', [{ field: 'identifier', value: email }])).toBe(0);
    await shot(other, 'magic-link-reused');

    // An expired link (its row dated back in the database) fails the same way and is used up.
    const late = await requestLink(other, email);
    expect(
      await store.updateMany('VerificationToken', [{ field: 'identifier', value: email }], {
        expires: new Date(Date.now() - 60_000),
      }),
    ).toBe(1);
    await other.goto(late);
    await signedOut(other);
    expect(await message(other)).toMatchObject({
      kind: 'error',
      text: expect.stringMatching(/expired or has already been used/),
    });
    expect(await store.count('Session')).toBe(allSessions);
    expect(await store.count('VerificationToken', [{ field: 'identifier', value: email }])).toBe(0);
    await shot(other, 'magic-link-expired');

    // Not an email address: a clear message on the page, and no token written.
    const tokens = await store.count('VerificationToken');
    await other.fill('#email-sign-in [name=email]', 'grace-at-example.com');
    await other.click('#email-sign-in button[type=submit]');
    await expect
      .poll(() => message(other))
      .toEqual({
        kind: 'error',
        text: '"grace-at-example.com" is not an email address.',
      });
    expect(await store.count('VerificationToken')).toBe(tokens);
  });

  it('says what to do when passkey sign-in finds no passkey, and signs nobody in', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    // An authenticator that holds no passkey for this site: the browser answers exactly as if the
    // user had cancelled (NotAllowedError), so the page must name both causes.
    await virtualAuthenticator(context, page);
    const sessionsBefore = await (await database()).count('Session');
    await page.goto(base);
    await signedOut(page);

    await page.click('#passkey-sign-in');
    await expect
      .poll(() => message(page), { timeout: 15_000 })
      .toEqual({
        kind: 'error',
        text: 'No passkey was used. If you have none for this site yet, sign in with a link first and register one; otherwise the request was cancelled or timed out.',
      });
    await signedOut(page);
    expect(await (await database()).count('Session')).toBe(sessionsBefore);
    await context.close();
  });

  it('registers a passkey while signed in, signs out and signs in with it', async () => {
    const store = await database();
    const email = 'katherine@example.com';
    const context = await browser.newContext();
    const page = await context.newPage();
    const { cdp, authenticatorId } = await virtualAuthenticator(context, page);

    await page.goto(await requestLink(page, email));
    expect(await signedInAs(page)).toBe(email);
    const user = await userByEmail(email);

    await page.click('#passkey-register');
    await expect
      .poll(() => message(page))
      .toEqual({
        kind: 'ok',
        text: 'Passkey registered. Next time, sign in with it.',
      });
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    expect(credentials).toHaveLength(1);
    const credentialID = Buffer.from(credentials[0]!.credentialId, 'base64').toString('base64');
    const authenticators = await store.findMany('Authenticator', {
      where: [{ field: 'userId', value: user.id }],
    });
    expect(authenticators).toHaveLength(1);
    expect(authenticators[0]).toMatchObject({ credentialID, providerAccountId: credentialID });
    expect(Number(authenticators[0]!.counter)).toBe(credentials[0]!.signCount);
    const account = await store.findOne('Account', [
      { field: 'provider', value: 'passkey' },
      { field: 'providerAccountId', value: credentialID },
    ]);
    expect(account).toMatchObject({ type: 'webauthn', userId: user.id });
    // Registering adds the passkey to the current session; it starts no other.
    expect(await sessionsOf(user.id)).toHaveLength(1);

    await page.click('#sign-out');
    await signedOut(page);
    expect(await sessionsOf(user.id)).toHaveLength(0);

    await page.click('#passkey-sign-in');
    expect(await signedInAs(page)).toBe(email);
    await expect
      .poll(() => message(page))
      .toEqual({
        kind: 'ok',
        text: 'Signed in with your passkey.',
      });
    expect(await sessionsOf(user.id)).toHaveLength(1);

    // Auth.js stored the authenticator's new signature counter.
    const [used] = (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials;
    const after = await store.findOne('Authenticator', [
      { field: 'credentialID', value: credentialID },
    ]);
    expect(used!.signCount).toBeGreaterThan(credentials[0]!.signCount);
    expect(Number(after?.counter)).toBe(used!.signCount);
    await shot(page, 'passkey');
  });
});
