// `pnpm test`: every package's tests through turbo, then the closing summary.
//
//   pnpm test [turbo flags, e.g. --filter=@mikro-auth/test-suite]
//
// `--continue`: a failing package never stops the others, so one red test cannot hide the rest of
// the matrix. The summary (scripts/test-summary.mjs) then names what passed, what failed and what
// did not run, and this exits non-zero when turbo or the summary saw a failure.
// TEST_CONCURRENCY sets how many packages run side by side (default 1: the conformance packages
// spread their own test files over the cores, see CONTRIBUTING.md "Scheduling").
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const flags = process.argv.slice(2);
const started = Date.now();
const concurrency = process.env.TEST_CONCURRENCY ?? '1';
const turbo = spawnSync(
  join(root, 'node_modules', '.bin', 'turbo'),
  ['run', 'test', '--continue', `--concurrency=${concurrency}`, ...flags],
  { cwd: root, stdio: 'inherit' },
);
console.log(`\nturbo run test took ${Math.round((Date.now() - started) / 1000)} s`);
const summary = spawnSync(
  process.execPath,
  [join(root, 'scripts', 'test-summary.mjs'), '--since', String(started), ...flags],
  { cwd: root, stdio: 'inherit' },
);
process.exit(turbo.status === 0 && summary.status === 0 ? 0 : 1);
