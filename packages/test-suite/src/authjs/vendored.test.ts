/** The vendored Auth.js suites (vendor/) are the upstream files, byte for byte. */
import { describe, expect, it } from 'vitest';
import { VENDORED, vendoredHash } from './upstream-db.js';

describe('vendored Auth.js adapter suites', () => {
  for (const { file, sha256 } of Object.values(VENDORED)) {
    it(`${file} is unmodified (SHA-256 as in vendor/README.md)`, async () => {
      expect(await vendoredHash(file)).toBe(sha256);
    });
  }
});
