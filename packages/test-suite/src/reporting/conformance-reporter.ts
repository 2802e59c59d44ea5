/**
 * Vitest reporter that writes reports/conformance.json: one row per
 * (framework, suite, database, MikroORM version) with passed / failed / skipped counts, plus the
 * known-gaps list. The framework and suite come from the test file's path: src/<framework>/<suite>.test.ts.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stripVTControlCharacters } from 'node:util';
import type { Reporter, TestModule } from 'vitest/node';
import { KNOWN_GAPS } from '../known-gaps.js';

export interface ConformanceRow {
  framework: string;
  suite: string;
  database: string;
  server: string;
  mikroOrm: string;
  passed: number;
  failed: number;
  skipped: number;
}

export interface ConformanceReport {
  generatedAt: string;
  node: string;
  rows: ConformanceRow[];
  knownGaps: typeof KNOWN_GAPS;
}

const SUITE_BANNER = /^\s*─+ \[[^\]]+\] ─+\s*$/;

const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const REPORT_FILE = join(packageRoot, 'reports', 'conformance.json');

/** The `@mikro-orm/core` version installed for the package whose package.json is `from`. */
function mikroOrmVersion(from = join(packageRoot, 'package.json')): string {
  const require = createRequire(from);
  return (require('@mikro-orm/core/package.json') as { version: string }).version;
}

/** Where the report goes and which package's MikroORM ran (packages/test-suite-orm6 sets both). */
export interface ConformanceReporterOptions {
  outputFile?: string;
  /** A package.json whose `@mikro-orm/core` dependency the tests ran on. */
  mikroOrmFrom?: string;
}

function classify(moduleId: string): { framework: string; suite: string } {
  const parts = relative(join(packageRoot, 'src'), moduleId).split(sep);
  const framework = parts.length > 1 ? parts[0]! : 'misc';
  const suite = parts
    .slice(parts.length > 1 ? 1 : 0)
    .join('/')
    .replace(/\.test\.ts$/, '');
  return { framework, suite };
}

export default class ConformanceReporter implements Reporter {
  readonly #options: ConformanceReporterOptions;

  constructor(options: ConformanceReporterOptions = {}) {
    this.#options = options;
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const version = mikroOrmVersion(this.#options.mikroOrmFrom);
    const outputFile = this.#options.outputFile ?? REPORT_FILE;
    const rows = new Map<string, ConformanceRow>();
    for (const module of testModules) {
      const { framework, suite } = classify(module.moduleId);
      const database = module.project.name;
      const provided = module.project.getProvidedContext().database;
      const key = `${framework}\0${suite}\0${database}`;
      let row = rows.get(key);
      if (!row) {
        row = {
          framework,
          suite,
          database,
          server: provided?.label ?? 'unknown',
          mikroOrm: version,
          passed: 0,
          failed: 0,
          skipped: 0,
        };
        rows.set(key, row);
      }
      if (module.state() === 'failed' && [...module.children.allTests()].length === 0) {
        row.failed += 1; // the file itself failed to load or its hooks threw
      }
      for (const test of module.children.allTests()) {
        // Better Auth's suites open with a banner "test" (─── [normal] ───); it is no test.
        if (SUITE_BANNER.test(stripVTControlCharacters(test.name))) continue;
        const state = test.result().state;
        if (state === 'passed') row.passed += 1;
        else if (state === 'failed') row.failed += 1;
        else row.skipped += 1;
      }
    }
    const report: ConformanceReport = {
      generatedAt: new Date().toISOString(),
      node: process.version,
      rows: [...rows.values()].sort(
        (a, b) =>
          a.framework.localeCompare(b.framework) ||
          a.suite.localeCompare(b.suite) ||
          a.database.localeCompare(b.database),
      ),
      knownGaps: KNOWN_GAPS,
    };
    mkdirSync(dirname(outputFile), { recursive: true });
    writeFileSync(outputFile, `${JSON.stringify(report, null, 2)}\n`);
  }
}
