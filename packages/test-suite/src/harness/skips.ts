/**
 * Records what a run skipped (a database leg, the browser tests) in reports/skipped.jsonl, which
 * legs were planned in reports/planned.jsonl and which server each leg ran on in
 * reports/legs.jsonl, so the closing summary (scripts/test-summary.mjs) can repeat them next to the
 * counts, and name a planned leg that never started, instead of leaving them in a long log.
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
const plannedFile = join(dirname(file), 'planned.jsonl');

/** Forgets the skips and legs of an earlier run (called once, when the matrix is planned). */
export function resetSkips(): void {
  rmSync(file, { force: true });
  rmSync(legsFile, { force: true });
  rmSync(plannedFile, { force: true });
}

/** Notes that leg `leg` is planned: its global setup should start it (see recordLeg). */
export function recordPlanned(leg: string): void {
  mkdirSync(dirname(file), { recursive: true });
  appendFileSync(plannedFile, `${JSON.stringify({ leg })}\n`);
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
