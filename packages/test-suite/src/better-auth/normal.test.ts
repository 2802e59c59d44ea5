import { normalTestSuite } from '@better-auth/test-utils/adapter';
import { useTestDatabase } from '../harness/index.js';
import { runOfficialSuites } from './official.js';

await runOfficialSuites(useTestDatabase(), [normalTestSuite()]);
