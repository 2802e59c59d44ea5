/**
 * Every `pnpm demo*` line of the READMEs, run as written (read from the README itself) on a free
 * PORT and a fresh SQLite file, and then used the way the README says: sign up (or, for Passport,
 * sign in), see the session, and for NestJS the README's curl session line by line. The example tests in
 * packages/test-suite drive the same apps in Chromium on every database; this file proves the
 * commands people type.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  cleanEnv,
  command,
  freePort,
  root,
  run,
  type Started,
  shellLines,
  start,
} from './readme.ts';

const scratch = mkdtempSync(join(tmpdir(), 'mikro-auth-front-door-'));
const running: Started[] = [];

afterAll(async () => {
  await Promise.all(running.map((app) => app.stop()));
  rmSync(scratch, { recursive: true, force: true });
});

/** Starts a README line on a free port with its own SQLite file; resolves once `ready` shows. */
async function startDemo(
  line: string,
  ready: RegExp,
  options: { cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<{ app: Started; port: number; origin: string }> {
  const port = await freePort();
  const database = join(scratch, `${randomBytes(4).toString('hex')}.sqlite`);
  const app = start(
    line,
    options.cwd ?? '.',
    cleanEnv({ PORT: String(port), DATABASE_URL: `file:${database}`, ...options.env }),
  );
  running.push(app);
  await app.until(ready, options.timeoutMs ?? 120_000);
  return { app, port, origin: `http://localhost:${port}` };
}

/** `Cookie` header value from a response's `Set-Cookie` headers. */
function cookiesOf(response: Response): string {
  return response.headers
    .getSetCookie()
    .map((cookie) => cookie.split(';')[0])
    .join('; ');
}

/** Better Auth's email sign-up, then its session endpoint with the cookie it set. */
async function signUpAndGetSession(origin: string, email: string): Promise<unknown> {
  const signUp = await fetch(`${origin}/api/auth/sign-up/email`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin },
    body: JSON.stringify({ name: 'Ada', email, password: 'analytical-engine' }),
  });
  expect(signUp.status, await signUp.clone().text()).toBe(200);
  const session = await fetch(`${origin}/api/auth/get-session`, {
    headers: { cookie: cookiesOf(signUp) },
  });
  expect(session.status).toBe(200);
  return session.json();
}

describe('the README commands', () => {
  it('`pnpm demo` (README quick start, examples/better-auth) serves the page and signs up', async () => {
    const line = command('README.md', 'pnpm demo');
    expect(line).toBe(command('examples/better-auth/README.md', 'pnpm demo'));
    const { app, origin } = await startDemo(line, /listening at/);
    const page = await fetch(origin);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<html');
    expect(await signUpAndGetSession(origin, 'ada@example.com')).toMatchObject({
      user: { email: 'ada@example.com', name: 'Ada' },
    });
    await app.stop();
  });

  it('`pnpm demo:authjs` signs in with a link from the dev mailbox', async () => {
    const line = command('examples/authjs/README.md', 'pnpm demo:authjs');
    const { app, origin } = await startDemo(line, /listening at/);
    expect((await fetch(origin)).status).toBe(200);

    const csrf = await fetch(`${origin}/auth/csrf`);
    const { csrfToken } = (await csrf.json()) as { csrfToken: string };
    const email = 'grace@example.com';
    const signIn = await fetch(`${origin}/auth/signin/email`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookiesOf(csrf) },
      body: new URLSearchParams({ csrfToken, email, callbackUrl: origin }),
    });
    expect(signIn.status, await signIn.clone().text()).toBe(302);
    const letter = await fetch(`${origin}/dev/mailbox?email=${encodeURIComponent(email)}`);
    expect(letter.status).toBe(200);
    const { url } = (await letter.json()) as { url: string };
    const callback = await fetch(url, { redirect: 'manual', headers: { cookie: cookiesOf(csrf) } });
    expect(callback.status).toBe(302);
    const session = await fetch(`${origin}/auth/session`, {
      headers: { cookie: cookiesOf(callback) },
    });
    expect(await session.json()).toMatchObject({ user: { email } });
    await app.stop();
  });

  it('`pnpm demo:nestjs`, then the README curl session line by line', async () => {
    const readme = 'examples/nestjs/README.md';
    const line = command(readme, 'pnpm demo:nestjs');
    const { app, port } = await startDemo(line, /listening at/);
    // The README's curl block as written, on this port; each curl also prints its status code.
    const block = shellLines(readme).filter((l) => /^(B=|curl )/.test(l));
    expect(block.length).toBeGreaterThanOrEqual(6);
    const script = [
      `curl() { command curl -sS -w '\\n=> %{http_code}\\n' "$@"; }`,
      ...block.map((l) => l.replaceAll('3003', String(port))),
    ].join('\n');
    const { exitCode, output } = await run(script, mkdtempSync(join(scratch, 'curl-')), cleanEnv());
    expect(exitCode, output).toBe(0);
    const answers = [...output.matchAll(/([\s\S]*?)\n=> (\d+)\n/g)].map((match) => ({
      body: match[1]!.trim(),
      status: Number(match[2]),
    }));
    // sign-up, get-session, profile?fail=1, profile, profile (write): as the README's comments say.
    expect(
      answers.map((answer) => answer.status),
      output,
    ).toEqual([200, 200, 500, 200, 201]);
    expect(answers[1]!.body).toContain('"email":"ada@example.com"');
    expect(answers[2]!.body).toContain('rolled back');
    // After the failed write the profile is still the one sign-up made: nothing was saved.
    expect(JSON.parse(answers[3]!.body)).toMatchObject({ user: { name: 'Ada' }, bio: null });
    expect(JSON.parse(answers[4]!.body)).toMatchObject({
      user: { name: 'Ada Lovelace' },
      bio: 'First programmer',
    });
    await app.stop();
  });

  it('`pnpm demo:nextjs` builds, starts and signs up; the session page shows the user', async () => {
    const line = command('examples/nextjs/README.md', 'pnpm demo:nextjs');
    const { app, origin } = await startDemo(line, /Ready in/i, { timeoutMs: 280_000 });
    expect(app.output()).toContain('BETTER_AUTH_SECRET is not set');
    const signUp = await fetch(`${origin}/api/auth/sign-up/email`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin },
      body: JSON.stringify({ name: 'Alan', email: 'alan@example.com', password: 'turing-machine' }),
    });
    expect(signUp.status, await signUp.clone().text()).toBe(200);
    const home = await fetch(origin, { headers: { cookie: cookiesOf(signUp) } });
    expect(home.status).toBe(200);
    expect(await home.text()).toContain('alan@example.com');
    await app.stop();
  });

  it('`pnpm --filter @mikro-auth/example-nextjs dev` serves the app in development', async () => {
    const readme = 'examples/nextjs/README.md';
    const line = /`(pnpm --filter @mikro-auth\/example-nextjs dev)`/.exec(
      readFileSync(join(root, readme), 'utf8'),
    )?.[1];
    expect(line, `${readme} names the dev command`).toBeDefined();
    const { app, origin } = await startDemo(`${line} --port "$PORT"`, /Ready in/i);
    const page = await fetch(`${origin}/sign-up`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Sign up');
    await app.stop();
  });

  it('`pnpm demo:passport` signs in with the demo account and opens the private page', async () => {
    const line = command('examples/passport/README.md', 'pnpm demo:passport');
    const { app, origin } = await startDemo(line, /listening at/);
    expect(app.output()).toContain('SESSION_SECRET is not set');
    const signIn = await fetch(`${origin}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username: 'ada', password: 'analytical-engine' }),
    });
    expect(signIn.status, await signIn.clone().text()).toBe(302);
    expect(signIn.headers.get('location')).toBe('/private');
    const page = await fetch(`${origin}/private`, {
      redirect: 'manual',
      headers: { cookie: cookiesOf(signIn) },
    });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('hello, Ada Lovelace');
    await app.stop();
  });

  it('`pnpm bench --db sqlite --rounds 3 --size quick` measures every contender', async () => {
    const line = command('bench/README.md', 'pnpm bench --db sqlite');
    const { exitCode, output } = await run(line, '.', cleanEnv());
    expect(exitCode, output).toBe(0);
    for (const contender of ['mikro-auth', 'kysely', 'raw']) {
      expect(output).toMatch(new RegExp(`\\| ${contender} \\| [\\d,]+ ops/s`));
    }
  });
});
