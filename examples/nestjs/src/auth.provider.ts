/**
 * Better Auth as a Nest provider, built from the MikroORM instance that `MikroOrmModule` created:
 * one ORM, one connection pool, for the app and for Better Auth.
 */
import { mikroOrmAdapter } from '@mikro-auth/better-auth';
import { MikroORM } from '@mikro-orm/core';
import type { Provider } from '@nestjs/common';
import { betterAuth } from 'better-auth';
import { authConfig } from './auth.config.js';

export function createAuth(orm: MikroORM) {
  const port = process.env.PORT || '3003';
  return betterAuth({
    ...authConfig,
    baseURL: process.env.BETTER_AUTH_URL || `http://localhost:${port}`,
    trustedOrigins: [`http://localhost:${port}`, `http://127.0.0.1:${port}`],
    secret: process.env.BETTER_AUTH_SECRET || 'demo-secret-change-me-demo-secret-change-me',
    database: mikroOrmAdapter(orm),
  });
}

export type Auth = ReturnType<typeof createAuth>;

/** The injection token of the Better Auth instance: `@Inject(AUTH) auth: Auth`. */
export const AUTH = Symbol('better-auth');

export const authProvider: Provider = {
  provide: AUTH,
  inject: [MikroORM],
  useFactory: createAuth,
};
