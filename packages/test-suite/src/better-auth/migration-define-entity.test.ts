/**
 * Switching from `better-auth-mikro-orm` 1.x (MikroORM 7): the official suites against its
 * `defineEntity` shapes (see old-adapter-entities.ts), handed to the adapter with no option at
 * all: models are found by name, as the old adapter found them.
 */
import {
  authFlowTestSuite,
  caseInsensitiveTestSuite,
  joinsTestSuite,
  normalTestSuite,
  numberIdTestSuite,
  transactionsTestSuite,
  uuidTestSuite,
} from '@better-auth/test-utils/adapter';
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../harness/index.js';
import { entityMetadata } from '../harness/metadata.js';
import { type EntitySource, runOfficialSuites } from './official.js';
import { definedEntities } from './old-adapter-entities.js';

const db = useTestDatabase();

await runOfficialSuites(
  db,
  [
    normalTestSuite(),
    joinsTestSuite(),
    numberIdTestSuite(),
    uuidTestSuite(),
    transactionsTestSuite(),
    authFlowTestSuite(),
    caseInsensitiveTestSuite(),
  ],
  definedEntities as unknown as EntitySource,
);

describe(`the old adapter's shapes (${db.name})`, () => {
  it('are what the suites ran on: PascalCase entities, snake_case columns, a user relation', async () => {
    await db.reset();
    const orm = await db.init({ entities: definedEntities({}).entities as never });
    const meta = (name: string) => entityMetadata(orm, name);
    expect(meta('User').tableName).toBe('user');
    expect(meta('User').properties.emailVerified!.fieldNames).toEqual(['email_verified']);
    expect(meta('User').properties.address!.kind).toBe('embedded');
    expect(meta('Session').properties.user!.kind).toBe('m:1');
    expect(meta('Session').properties.user!.fieldNames).toEqual(['user_id']);
    expect(meta('Account').properties.user!.fieldNames).toEqual(['user_id']);
    expect(meta('Session').properties.createdAt!.length).toBe(3);
  });
});
