/**
 * The Better Auth server instance. It reads BETTER_AUTH_SECRET and BETTER_AUTH_URL from the
 * environment; `next start` (production) answers 500 on every auth route without the secret.
 */
import { mikroOrmAdapter } from '@mikro-auth/better-auth';
import { betterAuth } from 'better-auth';
import { headers } from 'next/headers';
import { authConfig } from './auth-config';
import { ensureSchema, orm } from './db';

export const auth = betterAuth({
  ...authConfig,
  database: mikroOrmAdapter(orm),
});

/** The signed-in user and session of the current request, or null. */
export async function getSession() {
  // headers() first: it marks the page as dynamic, so `next build` stops here and never reaches
  // the database while it looks for pages it can prerender.
  const requestHeaders = await headers();
  await ensureSchema();
  return auth.api.getSession({ headers: requestHeaders });
}
