/**
 * The official suites again, against entities written by hand (own class and table names,
 * snake_case columns through MikroORM's naming strategy, relations as many-to-one properties),
 * handed to the adapter through its `entities` option.
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
import { handWrittenEntities } from './hand-written-entities.js';
import { runOfficialSuites } from './official.js';

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
  handWrittenEntities,
);
