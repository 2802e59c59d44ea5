/**
 * Switching from `better-auth-mikro-orm` 0.5 (MikroORM 6.6): the official suites against the
 * decorated entities its users wrote (see old-adapter-entities.ts), unchanged apart from what the
 * README's migration section says, handed to the adapter through its `entities` option.
 * migration-define-entity.test.ts does the same for the 1.x `defineEntity` shapes.
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
import { decoratedEntities } from './old-adapter-entities.js';

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
  decoratedEntities as unknown as EntitySource,
);

describe(`the old adapter's shapes (${db.name})`, () => {
  it('are what the suites ran on: PascalCase entities, snake_case columns, a user relation', async () => {
    await db.reset();
    const orm = await db.init({ entities: decoratedEntities({}).entities as never });
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
