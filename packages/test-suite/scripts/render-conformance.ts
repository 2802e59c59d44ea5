// Renders reports/conformance.json as a Markdown matrix and writes it into the root README
// between the conformance markers. Run after `pnpm test`: `pnpm report`.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LEG_SCOPE, ORM6_SCOPE, REPLICA_LEG } from '../src/harness/schedule.ts';

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
type Report = { generatedAt: string; rows: Row[]; knownGaps: Gap[] };
const read = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Report;
const report = read(join(root, 'reports', 'conformance.json'));
// The same suites on MikroORM 6.6 (packages/test-suite-orm6), when that package has run.
const orm6File = join(root, '..', 'test-suite-orm6', 'reports', 'conformance.json');
if (existsSync(orm6File)) report.rows.push(...read(orm6File).rows);

/** A column of the matrix: one database leg on one MikroORM major. */
interface Column {
  database: string;
  major: string;
}
const major = (row: Row) => row.mikroOrm.split('.')[0]!;
const inColumn = (row: Row, column: Column) =>
  row.database === column.database && major(row) === column.major;
const order = ['sqlite', 'postgres', 'postgres18', 'mysql', 'mariadb', REPLICA_LEG.name];
const majors = [...new Set(report.rows.map(major))].sort().reverse();
/** The matrix's columns, leg by leg, newest MikroORM first: `sqlite · MikroORM 7`, `sqlite · MikroORM 6`, … */
const columns: Column[] = order
  .flatMap((database) => majors.map((m) => ({ database, major: m })))
  .filter((column) => report.rows.some((row) => inColumn(row, column)));
const suites = [...new Set(report.rows.map((row) => `${row.framework} / ${row.suite}`))];

function cell(row: Row | undefined): string {
  if (!row) return '–';
  const total = row.passed + row.failed + row.skipped;
  const mark = row.failed > 0 ? '❌' : row.skipped > 0 ? '⚠️' : '✅';
  return `${mark} ${row.passed}/${total}${row.skipped ? ` (${row.skipped} skipped)` : ''}`;
}

/** The server a column ran on, short: `PostgreSQL 15.20 (Debian …)` → `PostgreSQL 15.20`. */
function serverOf(column: Column): string {
  const label = report.rows.find((row) => inColumn(row, column))?.server ?? 'unknown';
  return label.replace(/\s*\([^)]*\)$/, '');
}

const lines: string[] = [];
// Each column names its leg and the server version that really ran it.
lines.push(
  `| suite | ${columns
    .map((column) => `${column.database} · MikroORM ${column.major}<br>${serverOf(column)}`)
    .join(' | ')} |`,
);
lines.push(`|---|${columns.map(() => '---').join('|')}|`);
for (const suite of suites) {
  const cells = columns.map((column) =>
    cell(
      report.rows.find(
        (row) => `${row.framework} / ${row.suite}` === suite && inColumn(row, column),
      ),
    ),
  );
  lines.push(`| ${suite} | ${cells.join(' | ')} |`);
}
lines.push('');
// Why a cell is "–": the files a leg or the MikroORM 6 run leaves out by design (harness/schedule.ts).
const scoped = [
  ...Object.entries(LEG_SCOPE)
    .filter(([database]) => columns.some((column) => column.database === database))
    .map(([database, scope]) => `on ${database}, ${scope!.why}`),
  ...(columns.some((column) => column.database === REPLICA_LEG.name) ? [REPLICA_LEG.why] : []),
  ...(majors.includes('6')
    ? [`on MikroORM 6, ${ORM6_SCOPE.why}; postgres18 runs on MikroORM 7 only`]
    : []),
];
if (scoped.length > 0) lines.push(`– not run there, by design: ${scoped.join('; ')}.`, '');
const servers = order
  .filter((database) => report.rows.some((row) => row.database === database))
  .map(
    (database) => `${database}: ${report.rows.find((row) => row.database === database)!.server}`,
  );
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
