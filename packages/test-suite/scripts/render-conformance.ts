// Renders reports/conformance.json as a Markdown matrix and writes it into the root README
// between the conformance markers. Run after `pnpm test`: `pnpm report`.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface Row {
  framework: string;
  suite: string;
  database: string;
  server: string;
  mikroOrm: string;
  passed: number;
  failed: number;
  skipped: number;
}
interface Gap {
  framework: string;
  suite: string;
  database: string;
  test: string;
  reason: string;
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const report = JSON.parse(readFileSync(join(root, 'reports', 'conformance.json'), 'utf8')) as {
  generatedAt: string;
  rows: Row[];
  knownGaps: Gap[];
};

const order = ['sqlite', 'postgres', 'postgres18', 'mysql', 'mariadb'];
const databases = order.filter((name) => report.rows.some((row) => row.database === name));
const suites = [...new Set(report.rows.map((row) => `${row.framework} / ${row.suite}`))];

function cell(row: Row | undefined): string {
  if (!row) return '–';
  const total = row.passed + row.failed + row.skipped;
  const mark = row.failed > 0 ? '❌' : row.skipped > 0 ? '⚠️' : '✅';
  return `${mark} ${row.passed}/${total}${row.skipped ? ` (${row.skipped} skipped)` : ''}`;
}

/** The server a leg ran on, short: `PostgreSQL 15.20 (Debian …)` → `PostgreSQL 15.20`. */
function serverOf(database: string): string {
  const label = report.rows.find((row) => row.database === database)?.server ?? 'unknown';
  return label.replace(/\s*\([^)]*\)$/, '');
}

const lines: string[] = [];
// Each column names its leg and the server version that really ran it.
lines.push(
  `| suite | ${databases.map((database) => `${database}<br>${serverOf(database)}`).join(' | ')} |`,
);
lines.push(`|---|${databases.map(() => '---').join('|')}|`);
for (const suite of suites) {
  const cells = databases.map((database) =>
    cell(
      report.rows.find(
        (row) => `${row.framework} / ${row.suite}` === suite && row.database === database,
      ),
    ),
  );
  lines.push(`| ${suite} | ${cells.join(' | ')} |`);
}
lines.push('');
const servers = databases.map((database) => {
  const row = report.rows.find((r) => r.database === database)!;
  return `${database}: ${row.server}`;
});
const mikroOrm = [...new Set(report.rows.map((row) => row.mikroOrm))].join(', ');
lines.push(
  `Servers: ${servers.join('; ')}. MikroORM ${mikroOrm}. Generated ${report.generatedAt.slice(0, 10)}.`,
);
lines.push('');
lines.push(
  report.knownGaps.length === 0
    ? 'Known gaps: none.'
    : `Known gaps (${report.knownGaps.length}):\n\n${report.knownGaps
        .map(
          (gap) =>
            `- ${gap.framework} / ${gap.suite} / ${gap.database}: ${gap.test}: ${gap.reason}`,
        )
        .join('\n')}`,
);
const table = lines.join('\n');

const readmePath = join(root, '..', '..', 'README.md');
const readme = readFileSync(readmePath, 'utf8');
const start = '<!-- conformance:start -->';
const end = '<!-- conformance:end -->';
const from = readme.indexOf(start);
const to = readme.indexOf(end);
if (from < 0 || to < from) throw new Error(`README.md has no ${start} … ${end} markers`);
writeFileSync(readmePath, `${readme.slice(0, from + start.length)}\n${table}\n${readme.slice(to)}`);
writeFileSync(join(root, 'reports', 'conformance.md'), `${table}\n`);
console.log(table);
