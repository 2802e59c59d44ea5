/**
 * The app's own users: an entity of its own, with passwords hashed by Node's scrypt. Passport
 * only ever sees `verifyPassword` and the user id.
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { defineEntity, type EntityManager, type InferEntity, p } from '@mikro-orm/core';

export const User = defineEntity({
  name: 'User',
  tableName: 'app_user',
  properties: {
    id: p.integer().primary().autoincrement(),
    username: p.string().unique(),
    displayName: p.string(),
    /** `scrypt$<salt hex>$<hash hex>` */
    passwordHash: p.string(),
  },
});

export type User = InferEntity<typeof User>;

const derive = promisify(scrypt) as (
  password: string,
  salt: Buffer,
  length: number,
) => Promise<Buffer>;

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await derive(password, salt, 32);
  return `scrypt$${salt.toString('hex')}$${hash.toString('hex')}`;
}

async function passwordMatches(password: string, stored: string): Promise<boolean> {
  const [scheme, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'hex');
  const actual = await derive(password, Buffer.from(salt, 'hex'), expected.length);
  return timingSafeEqual(actual, expected);
}

/** The user with this username and password, or null. */
export async function verifyPassword(
  em: EntityManager,
  username: string,
  password: string,
): Promise<User | null> {
  const user = await em.findOne(User, { username });
  if (!user) {
    // Spend the same time as a real check, so response times do not reveal which names exist.
    await passwordMatches(password, DUMMY_HASH);
    return null;
  }
  return (await passwordMatches(password, user.passwordHash)) ? user : null;
}

const DUMMY_HASH = `scrypt$${'00'.repeat(16)}$${'00'.repeat(32)}`;

/** The demo's one account, created on first start. */
export const DEMO_USER = {
  username: 'ada',
  password: 'analytical-engine',
  displayName: 'Ada Lovelace',
};

export async function seedDemoUser(em: EntityManager): Promise<void> {
  if (await em.count(User, { username: DEMO_USER.username })) return;
  em.create(User, {
    username: DEMO_USER.username,
    displayName: DEMO_USER.displayName,
    passwordHash: await hashPassword(DEMO_USER.password),
  });
  await em.flush();
}
