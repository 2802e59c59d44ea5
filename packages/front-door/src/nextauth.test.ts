/**
 * NextAuth.js users, v4 and v5: the global setup (packed-install.ts) ran `npm install` of the
 * packed core and Auth.js adapter next to next-auth, Next.js and MikroORM with no resolution flag,
 * so an ERESOLVE (as `peer @auth/core@^0.41.0` gave next to next-auth v4) fails the run before
 * these tests start. Here: what npm resolved, a v4 email sign-in through next-auth's own route
 * handler (nextauth-v4-app/flow.mjs), and each app's files from packages/authjs/README.md
 * type-checked against the installed next-auth.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { AUTH_CORE_FOR_V4, NEXT_AUTH } from './packed-install.ts';
import { cleanEnv, root, run } from './readme.ts';

const apps = inject('nextAuthApps');
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');

async function sh(line: string, cwd: string): Promise<string> {
  const { exitCode, output } = await run(line, cwd, cleanEnv());
  expect(exitCode, `${line}\n${output}`).toBe(0);
  return output;
}

const installed = (app: string, name: string) =>
  (
    JSON.parse(readFileSync(join(app, 'node_modules', name, 'package.json'), 'utf8')) as {
      version: string;
    }
  ).version;

const version = (spec: string) => spec.slice(spec.lastIndexOf('@') + 1);

describe('NextAuth.js v4 (next-auth@4.24.15) with the packed Auth.js adapter', () => {
  const app = apps.v4;

  it('installs next to next-auth v4 and the @auth/core v4 names for its types', () => {
    expect(installed(app, 'next-auth')).toBe(version(NEXT_AUTH.v4));
    expect(installed(app, '@mikro-auth/authjs')).toBe('0.0.0');
    expect(installed(app, '@auth/core')).toBe(version(AUTH_CORE_FOR_V4));
  });

  it("signs in by email through next-auth v4's route handler; the link works once", async () => {
    const output = await sh('node flow.mjs', app);
    const result = JSON.parse(output.split('\n').find((line) => line.startsWith('{'))!);
    expect(result).toEqual({
      // the address as next-auth normalises it, the link "sent" once
      signIn: { status: 302, sentTo: ['ada@example.com'] },
      // useVerificationToken → createUser → createSession, then home with a session cookie
      callback: { status: 302, location: 'http://localhost:3000/' },
      // getSessionAndUser
      session: { user: 'ada@example.com', expires: 'string' },
      // the same link again: the token was consumed
      replay: { location: 'http://localhost:3000/api/auth/error?error=Verification' },
      // deleteSession; the session is gone
      signOut: { status: 302 },
      after: {},
      rows: { users: ['ada@example.com'], sessions: 0, tokens: 0 },
    });
  });

  it('type-checks pages/api/auth/[...nextauth].ts against next-auth v4', async () => {
    await sh(`node ${tsc} -p tsconfig.json`, app);
  });

  it('checks the very file packages/authjs/README.md shows for v4', () => {
    const file = 'pages/api/auth/[...nextauth].ts';
    const readme = readFileSync(join(root, 'packages', 'authjs', 'README.md'), 'utf8');
    const shown = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)]
      .map((block) => block[1]!)
      .find((block) => block.startsWith(`// ${file}\n`));
    expect(shown, `packages/authjs/README.md has a \`// ${file}\` block`).toBeDefined();
    const body = (text: string) => text.slice(text.indexOf('\n') + 1);
    expect(body(shown!)).toBe(body(readFileSync(join(app, file), 'utf8')));
  });
});

describe('NextAuth.js v5 (next-auth@5 beta) with the packed Auth.js adapter', () => {
  const app = apps.v5;

  it('installs next to next-auth v5 and the @auth/core it depends on', () => {
    expect(installed(app, 'next-auth')).toBe(version(NEXT_AUTH.v5));
    expect(installed(app, '@auth/core')).toMatch(/^0\.41\./);
  });

  it('type-checks auth.ts against next-auth v5', async () => {
    await sh(`node ${tsc} -p tsconfig.json`, app);
  });
});
