// Adds up the vitest JSON reports of every package and prints one closing line:
// "tests: N passed, N failed, N skipped". Before it, repeats which server each database leg ran on
// (reports/legs.jsonl) and what the run skipped as a whole (a database leg, the browser tests;
// reports/skipped.jsonl), which vitest does not count.
// Exits 1 when a test failed or none ran.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
let passed = 0;
let failed = 0;
let skipped = 0;
for (const name of readdirSync(join(root, 'packages'))) {
  const file = join(root, 'packages', name, 'reports', 'vitest.json');
  if (!existsSync(file)) continue;
  const report = JSON.parse(readFileSync(file, 'utf8'));
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  skipped += report.numPendingTests + report.numTodoTests;
  console.log(
    `${name}: ${report.numPassedTests} passed, ${report.numFailedTests} failed, ${report.numPendingTests + report.numTodoTests} skipped`,
  );
}
const legs = new Map();
for (const name of readdirSync(join(root, 'packages'))) {
  const file = join(root, 'packages', name, 'reports', 'legs.jsonl');
  if (!existsSync(file)) continue;
  for (const line of readFileSync(file, 'utf8').split('\n').filter(Boolean)) {
    const { leg, server, via } = JSON.parse(line);
    legs.set(`${leg} (${name})`, `${server} (${via})`);
  }
}
for (const [leg, server] of legs) console.log(`leg ${leg}: ${server}`);
const skips = new Map();
for (const name of readdirSync(join(root, 'packages'))) {
  const file = join(root, 'packages', name, 'reports', 'skipped.jsonl');
  if (!existsSync(file)) continue;
  for (const line of readFileSync(file, 'utf8').split('\n').filter(Boolean)) {
    const { what, why } = JSON.parse(line);
    skips.set(what, why);
  }
}
for (const [what, why] of skips) console.log(`SKIPPED ${what}: ${why}`);
if (skips.size === 0) console.log('skipped nothing: every database leg and the browser tests ran');
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
