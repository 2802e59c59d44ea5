import Passkey from '@auth/core/providers/passkey';
import type { ExpressAuthConfig } from '@auth/express';
import { authjsEntities, MikroOrmAdapter } from '@mikro-auth/authjs';
import type { MikroORM } from '@mikro-orm/core';
import { openDatabase } from './database.ts';
import { createMailbox, logOnlyEmail, type Mailbox } from './mailbox.ts';

/** How long a magic link works, in seconds. */
const LINK_LIFETIME = 15 * 60;

export async function createApp(options: { databaseUrl?: string | undefined }): Promise<{
  orm: MikroORM;
  authConfig: ExpressAuthConfig;
  mailbox: Mailbox;
}> {
  const orm = await openDatabase(options.databaseUrl, authjsEntities());
  // A schema sync, not migrations: this demo switches between four databases with DATABASE_URL,
  // and migrations are written per dialect. In your app, generate migrations (see the README).
  try {
    await orm.schema.update();
  } catch (error) {
    await orm.close();
    throw error;
  }
  const mailbox = createMailbox();
  const authConfig: ExpressAuthConfig = {
    adapter: MikroOrmAdapter(orm),
    providers: [logOnlyEmail(mailbox, { maxAge: LINK_LIFETIME }), Passkey({})],
    session: { strategy: 'database' },
    experimental: { enableWebAuthn: true },
    // The demo page shows Auth.js's errors itself (`/?error=Verification`, …) and has the sign-in
    // forms, so Auth.js's built-in pages are not used.
    pages: { signIn: '/', error: '/' },
    // Auth.js builds its URLs (magic links, the WebAuthn relying party) from the request's host.
    // Trusting it is right for a local demo; behind a proxy, set AUTH_URL and Express's 'trust proxy'.
    trustHost: true,
    secret: process.env.AUTH_SECRET ?? 'demo-secret-change-me-demo-secret-change-me',
    logger: { warn: warnOnce() },
  };
  return { orm, authConfig, mailbox };
}

/** Auth.js repeats its warnings (e.g. "experimental-webauthn") on every request; say each once. */
function warnOnce(): (code: string) => void {
  const seen = new Set<string>();
  return (code) => {
    if (seen.has(code)) return;
    seen.add(code);
    console.warn(`[auth][warn][${code}] Read more: https://warnings.authjs.dev#${code}`);
  };
}
