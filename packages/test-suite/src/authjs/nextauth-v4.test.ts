/**
 * NextAuth.js v4's own adapter suite (`runBasicTests` from next-auth@4.24.15,
 * packages/adapter-test/index.ts), vendored unmodified: 17 tests against the default entities.
 * It was written for Jest and uses its globals without importing them; Vitest's are put in their
 * place before the file loads.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { loadVendored, type UpstreamOptions, upstreamHarness, VENDORED } from './upstream-db.js';

Object.assign(globalThis, { afterAll, beforeAll, expect, test });
const { runBasicTests } = await loadVendored<{ runBasicTests: (options: UpstreamOptions) => void }>(
  VENDORED.nextauthV4.file,
);

const { adapter, db } = upstreamHarness();

runBasicTests({ adapter, db });
