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
import { useTestDatabase } from '../harness/index.js';
import { type EntitySource, runOfficialSuites } from './official.js';
import { definedEntities } from './old-adapter-entities.js';

await runOfficialSuites(
  useTestDatabase(),
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
