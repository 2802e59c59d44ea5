import { betterAuthEntities, mikroOrmAdapter } from '@mikro-auth/better-auth';
import type { MikroORM } from '@mikro-orm/core';
import { type BetterAuthOptions, betterAuth } from 'better-auth';
import { openDatabase } from './database.ts';

/** The Better Auth configuration without its database: entities are built from it. */
export const authConfig = {
  emailAndPassword: { enabled: true, minPasswordLength: 8 },
  telemetry: { enabled: false },
} satisfies BetterAuthOptions;

export async function createApp(options: {
  databaseUrl?: string | undefined;
  baseURL: string;
  trustedOrigins: string[];
}) {
  const orm: MikroORM = await openDatabase(options.databaseUrl, betterAuthEntities(authConfig));
  // A schema sync, not migrations: this demo switches between four databases with DATABASE_URL,
  // and migrations are written per dialect. In your app, generate migrations (see the README).
  await orm.schema.update();
  const auth = betterAuth({
    ...authConfig,
    baseURL: options.baseURL,
    trustedOrigins: options.trustedOrigins,
    secret: process.env.BETTER_AUTH_SECRET ?? 'demo-secret-change-me-demo-secret-change-me',
    database: mikroOrmAdapter(orm),
  });
  return { orm, auth };
}
