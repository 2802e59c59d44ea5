/**
 * The switch from `better-auth-mikro-orm`, for one of its entity shapes: every official suite on
 * those entities, then a check that they really are the old adapter's shapes (so the suites cannot
 * pass on something else). migration.test.ts and migration-define-entity.test.ts each run it for
 * one shape, as rows of their own in the conformance matrix.
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
import type { BetterAuthOptions } from 'better-auth';
import { describe, expect, it } from 'vitest';
import type { TestDatabase } from '../harness/index.js';
import { entityMetadata } from '../harness/metadata.js';
import { type EntitySource, runOfficialSuites } from './official.js';
import type { OldShapes } from './old-adapter-entities.js';

export async function runOldAdapterSuites(
  db: TestDatabase,
  shapes: (options: BetterAuthOptions) => OldShapes,
): Promise<void> {
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
    shapes as unknown as EntitySource,
  );

  describe(`the old adapter's shapes (${db.name})`, () => {
    it('are what the suites ran on: PascalCase entities, snake_case columns, a user relation', async () => {
      await db.reset();
      const orm = await db.init({ entities: shapes({}).entities as never });
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
}
