/**
 * Auth.js's own adapter suite (`runBasicTests` from nextauthjs/next-auth, packages/utils/adapter.ts),
 * vendored unmodified, with the WebAuthn methods on: 22 tests against the default entities.
 */
import { loadVendored, type UpstreamOptions, upstreamHarness, VENDORED } from './upstream-db.js';

const { runBasicTests } = await loadVendored<{
  runBasicTests: (options: UpstreamOptions) => Promise<void>;
}>(VENDORED.authjs.file);

const { adapter, db } = upstreamHarness();

await runBasicTests({ adapter, db, testWebAuthnMethods: true });
