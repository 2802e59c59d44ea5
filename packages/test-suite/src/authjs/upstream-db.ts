/**
 * What Auth.js's own adapter suites (vendor/) need around the adapter: an ORM on this file's
 * database with the default entities, an adapter on it, and `db` helpers that read a row the way
 * the app's own code would: a fresh fork of the app's EntityManager, `findOne`, the entity as a
 * plain object (`wrap(entity).toPOJO()`). Nothing is renamed or left out on the way, so the suites'
 * deep equality sees exactly what an app sees.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { type AuthjsAdapter, authjsEntities, MikroOrmAdapter } from '@mikro-auth/authjs';
import { type EntitySchema, type FilterQuery, type MikroORM, wrap } from '@mikro-orm/core';
import { beforeAll } from 'vitest';
import { legReads, useTestDatabase } from '../harness/index.js';

/** The vendored files and the SHA-256 of their upstream bytes (vendor/README.md). */
export const VENDORED = {
  authjs: {
    file: 'authjs-adapter.ts',
    sha256: '13fbde3879a2ee0e1abfe508c57753988b72299ad9189898e6214d7a3da658eb',
  },
  nextauthV4: {
    file: 'next-auth-v4-adapter-test.ts',
    sha256: 'c7dedbff3a4cd558232817a1fb1169e0be59018840e3006e3b8022303f1f226d',
  },
} as const;

/** The SHA-256 of a vendored file as it is in the working tree. */
export async function vendoredHash(file: string): Promise<string> {
  const bytes = await readFile(new URL(`./vendor/${file}`, import.meta.url));
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Loads a vendored suite. The specifier is not a literal, so TypeScript does not type-check the
 * upstream file (its Jest globals and next-auth v4 types are not this package's); Vitest loads it.
 */
export async function loadVendored<T>(file: string): Promise<T> {
  return (await import(/* @vite-ignore */ `./vendor/${file}`)) as T;
}

/** The part of both upstream `runBasicTests` options this package passes. */
export interface UpstreamOptions {
  adapter: AuthjsAdapter;
  db: UpstreamHarness['db'];
  testWebAuthnMethods?: boolean;
}

/** One row as the app's EntityManager sees it, or null. */
type Read<A> = (arg: A) => Promise<Record<string, unknown> | null>;

export interface UpstreamHarness {
  /** The adapter under test: on the app's ORM, created before the ORM exists (a getter source). */
  adapter: AuthjsAdapter;
  db: {
    user: Read<string>;
    session: Read<string>;
    account: Read<{ provider: string; providerAccountId: string }>;
    verificationToken: Read<{ identifier: string; token: string }>;
    authenticator: Read<string>;
  };
}

/**
 * Sets up this file's database and the ORM (in a `beforeAll` registered now, so it runs before the
 * suite's hooks) and returns the adapter and read helpers the upstream suites take.
 */
export function upstreamHarness(): UpstreamHarness {
  const database = useTestDatabase();
  const entities = authjsEntities() as EntitySchema[];
  const entity = (name: string) => entities.find((schema) => schema.meta.className === name)!;
  let orm: MikroORM | undefined;
  beforeAll(async () => {
    orm = await database.init({ entities });
  });
  const current = () => {
    if (!orm) throw new Error('the ORM is not initialised yet (beforeAll has not run)');
    return orm;
  };
  // On the replica leg the app would read a replica; these checks read what was committed.
  const read =
    <A>(name: string, where: (arg: A) => FilterQuery<object>): Read<A> =>
    async (arg) => {
      const em = current().em.fork();
      const found = await em.findOne(entity(name), where(arg), { connectionType: 'write' });
      return found ? (wrap(found).toPOJO() as Record<string, unknown>) : null;
    };
  return {
    adapter: MikroOrmAdapter(() => current().em, legReads()),
    db: {
      user: read('User', (id: string) => ({ id })),
      session: read('Session', (sessionToken: string) => ({ sessionToken })),
      account: read('Account', (key: { provider: string; providerAccountId: string }) => key),
      verificationToken: read(
        'VerificationToken',
        (key: { identifier: string; token: string }) => key,
      ),
      authenticator: read('Authenticator', (credentialID: string) => ({ credentialID })),
    },
  };
}
