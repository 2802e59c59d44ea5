/**
 * Records what a run skipped (a database leg, the browser tests) in reports/skipped.jsonl, so the
 * closing summary (scripts/test-summary.mjs) can repeat it next to the counts instead of leaving it
 * in one loud line at the top of a long log.
 */
import { appendFileSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// TEST_SKIPS_FILE lets another package running these files (test-suite-orm6) keep its own record.
const file =
  process.env.TEST_SKIPS_FILE ??
  join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'reports', 'skipped.jsonl');

/** Forgets the skips of an earlier run (called once, when the matrix is planned). */
export function resetSkips(): void {
  rmSync(file, { force: true });
}

/** Notes that `what` did not run, and why. */
export function recordSkip(what: string, why: string): void {
  mkdirSync(dirname(file), { recursive: true });
  appendFileSync(file, `${JSON.stringify({ what, why })}\n`);
}
