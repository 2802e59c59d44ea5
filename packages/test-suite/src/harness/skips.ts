/**
 * Records what a run skipped (a database leg, the browser tests) in reports/skipped.jsonl, and which
 * server each leg ran on in reports/legs.jsonl, so the closing summary (scripts/test-summary.mjs)
 * can repeat both next to the counts instead of leaving them at the top of a long log.
 */
import { appendFileSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// TEST_SKIPS_FILE lets another package running these files (test-suite-orm6) keep its own record;
// the legs record sits beside it.
const file =
  process.env.TEST_SKIPS_FILE ??
  join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'reports', 'skipped.jsonl');
const legsFile = join(dirname(file), 'legs.jsonl');

/** Forgets the skips and legs of an earlier run (called once, when the matrix is planned). */
export function resetSkips(): void {
  rmSync(file, { force: true });
  rmSync(legsFile, { force: true });
}

/** Notes that leg `leg` ran on `server`, provided `via` (a URL variable, a container, embedded). */
export function recordLeg(leg: string, server: string, via: string): void {
  mkdirSync(dirname(file), { recursive: true });
  appendFileSync(legsFile, `${JSON.stringify({ leg, server, via })}\n`);
}

/** Notes that `what` did not run, and why. */
export function recordSkip(what: string, why: string): void {
  mkdirSync(dirname(file), { recursive: true });
  appendFileSync(file, `${JSON.stringify({ what, why })}\n`);
}
