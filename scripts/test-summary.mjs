// The closing summary of a test run, honest about what did not run.
//
//   node scripts/test-summary.mjs [--since <ms since epoch>] [turbo filter flags…]
//
// Which packages should have run comes from turbo itself (`turbo run test --dry=json`, with the
// same filter flags `pnpm test` got), so a package that never started, crashed before its
// reporter wrote, or left only a report older than --since is listed as DID NOT RUN, never as
// passed. Per package: tests passed / failed / skipped, test files that failed to load, and how
// long it took (vitest's reports/vitest.json). Per database leg: the server it ran on
// (reports/legs.jsonl) and a leg that was planned but never started (reports/planned.jsonl).
// What the run skipped as a whole (a database leg, the browser tests; reports/skipped.jsonl) is
// repeated. The last line is "tests: N passed, N failed, N skipped".
// Exits 1 when a test or a test file failed, a package or a leg did not run, or no test ran.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const argv = process.argv.slice(2);
const sinceAt = argv.indexOf('--since');
const since = sinceAt >= 0 ? Number(argv.splice(sinceAt, 2)[1]) : 0;

/** The packages whose `test` task turbo runs for these filter flags: name and directory. */
function expectedPackages(filters) {
  const turbo = join(root, 'node_modules', '.bin', 'turbo');
  const out = execFileSync(turbo, ['run', 'test', '--dry=json', ...filters], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' },
    maxBuffer: 64 * 1024 * 1024,
  });
  const plan = JSON.parse(out.slice(out.indexOf('{')));
  return plan.tasks
    .filter((task) => task.task === 'test' && task.command !== '<NONEXISTENT>')
    .map((task) => ({ name: task.package, dir: task.directory }))
    .sort((a, b) => a.dir.localeCompare(b.dir));
}

const jsonl = (file) =>
  existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line))
    : [];

const problems = [];
const lines = [];
let passed = 0;
let failed = 0;
let skipped = 0;
const legLines = [];
const skips = new Map();

for (const { name, dir } of expectedPackages(argv)) {
  const reports = join(root, dir, 'reports');
  const file = join(reports, 'vitest.json');
  const report = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
  if (!report || report.startTime < since) {
    const why = report ? 'its report is from an earlier run' : 'it wrote no report';
    lines.push(`${name}: DID NOT RUN (${why}; see its output above)`);
    problems.push(`${name} did not run`);
    continue;
  }
  // A file that failed to load (or whose hooks threw) has no test results: count it as failed.
  const brokenFiles = report.testResults.filter(
    (result) => result.status === 'failed' && result.assertionResults.length === 0,
  ).length;
  const ended = Math.max(report.startTime, ...report.testResults.map((result) => result.endTime));
  const pkgSkipped = report.numPendingTests + report.numTodoTests;
  passed += report.numPassedTests;
  failed += report.numFailedTests + brokenFiles;
  skipped += pkgSkipped;
  const files = brokenFiles ? `, ${brokenFiles} test files failed to run` : '';
  lines.push(
    `${name}: ${report.numPassedTests} passed, ${report.numFailedTests} failed, ${pkgSkipped} skipped${files} ` +
      `(${report.testResults.length} files, ${Math.round((ended - report.startTime) / 1000)} s)`,
  );
  if (report.numFailedTests + brokenFiles > 0) problems.push(`${name} has failures`);
  else if (report.success === false) problems.push(`${name}: vitest reported errors outside tests`);
  if (report.numTotalTests === 0 && brokenFiles === 0) {
    problems.push(`${name} ran no test`);
  }

  // Database legs (the conformance packages): planned, started, and per-leg counts.
  const started = new Map(jsonl(join(reports, 'legs.jsonl')).map((leg) => [leg.leg, leg]));
  const conformance = join(reports, 'conformance.json');
  const rows = existsSync(conformance) ? JSON.parse(readFileSync(conformance, 'utf8')).rows : [];
  for (const { leg } of jsonl(join(reports, 'planned.jsonl'))) {
    const server = started.get(leg);
    if (!server) {
      legLines.push(`leg ${leg} (${name}): DID NOT START (its global setup failed; see above)`);
      problems.push(`leg ${leg} of ${name} did not start`);
      continue;
    }
    const count = { passed: 0, failed: 0, skipped: 0 };
    for (const row of rows.filter((r) => r.database === leg)) {
      count.passed += row.passed;
      count.failed += row.failed;
      count.skipped += row.skipped;
    }
    legLines.push(
      `leg ${leg} (${name}): ${server.server} (${server.via}): ` +
        `${count.passed} passed, ${count.failed} failed, ${count.skipped} skipped`,
    );
  }
  for (const { what, why } of jsonl(join(reports, 'skipped.jsonl'))) skips.set(what, why);
}

for (const line of [...lines, ...legLines]) console.log(line);
for (const [what, why] of skips) console.log(`SKIPPED ${what}: ${why}`);
if (passed + failed === 0) problems.push('no test ran');
if (problems.length > 0) console.log(`NOT GREEN: ${problems.join('; ')}`);
else if (skips.size === 0) {
  console.log('every package ran; skipped nothing: every database leg and the browser tests ran');
}
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(problems.length > 0 ? 1 : 0);
