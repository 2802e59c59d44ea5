/**
 * pnpm bench [--db sqlite,postgres,replicas] [--rounds 5] [--size full|quick]
 *
 * Runs the contenders interleaved (A B C, B C A, …: each round starts with the next) in one
 * process, after one warm-up call per path, several rounds, and prints a
 * Markdown table per database: medians, min–max, the ratio to Better Auth's Kysely adapter and
 * to raw SQL computed per round, and SQL statements per operation (counted at the driver).
 * Results are also written to bench/results/<database>.json. `replicas` is the read-replica
 * workload (replicas.ts): a primary and two streaming replicas started for the run.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createSessionContenders } from './authjs.ts';
import { type Contender, createContenders } from './better-auth.ts';
import type { BenchDatabase } from './databases.ts';
import { measureReplicas, replicaTable } from './replicas.ts';
import { benchSession, createStoreContenders, type StoreContender } from './sessions.ts';
import { countStatements, statementsOf } from './statements.ts';
import { median, range, repeat, timed } from './stats.ts';

const { values } = parseArgs({
  options: {
    db: { type: 'string', default: 'sqlite,postgres,replicas' },
    rounds: { type: 'string', default: '5' },
    size: { type: 'string', default: 'full' },
  },
});
const rounds = Number(values.rounds);
const full = values.size !== 'quick';
const size = {
  lookups: full ? 2000 : 200,
  signups: full ? 100 : 20,
  bulk: full ? 10_000 : 1_000,
  memoryLookups: full ? 100_000 : 5_000,
};

type Unit = 'ops/s' | 'ms';
interface Measurement {
  workload: string;
  unit: Unit;
  contender: string;
  samples: number[];
  statements: number | null;
}

/** The contenders in round `round`'s order: each round starts with the next one. */
function rotated<T>(contenders: readonly T[], round: number): T[] {
  return contenders.map((_, i) => contenders[(i + round - 1) % contenders.length]!);
}

countStatements();
const gc = (globalThis as { gc?: () => void }).gc;

async function measure(
  database: BenchDatabase,
  contenders: Contender[],
): Promise<{
  measurements: Measurement[];
  memory: Record<string, { after1k: number; afterAll: number; growth: number }>;
}> {
  const measurements: Measurement[] = [];
  const record = (workload: string, unit: Unit, contender: string, sample: number) => {
    let entry = measurements.find((m) => m.workload === workload && m.contender === contender);
    if (!entry) {
      entry = { workload, unit, contender, samples: [], statements: null };
      measurements.push(entry);
    }
    entry.samples.push(sample);
  };
  const statements = (workload: string, contender: string, count: number) => {
    const entry = measurements.find((m) => m.workload === workload && m.contender === contender);
    if (entry) entry.statements = count;
  };

  // Warm up every timed path once (JIT, prepared statements, caches), so round 1 is no outlier.
  for (const [index, contender] of contenders.entries()) {
    await contender.lookup();
    await contender.adapterLookup();
    await contender.signUpAndIn(900_000 + index);
  }
  for (let round = 1; round <= rounds; round++) {
    process.stderr.write(`[${database}] round ${round}/${rounds}\n`);
    // Each round starts with another contender: running first (cold caches, the previous
    // contender's garbage) skewed ratios by up to 0.3x when mikro-auth always went first.
    const inOrder = rotated(contenders, round);
    for (const contender of inOrder) {
      const ms = await timed(() => repeat(size.lookups, 1, () => contender.lookup()));
      record(
        `session lookup, ${size.lookups} sequential`,
        'ops/s',
        contender.name,
        (size.lookups / ms) * 1000,
      );
    }
    for (const contender of inOrder) {
      const ms = await timed(() => repeat(size.lookups, 1, () => contender.adapterLookup()));
      record(
        `adapter findOne session + user join, ${size.lookups} sequential`,
        'ops/s',
        contender.name,
        (size.lookups / ms) * 1000,
      );
    }
    for (const contender of inOrder) {
      const ms = await timed(() => repeat(size.lookups, 16, () => contender.lookup()));
      record(`session lookup, 16 concurrent`, 'ops/s', contender.name, (size.lookups / ms) * 1000);
    }
    for (const contender of inOrder) {
      const ms = await timed(() =>
        repeat(size.signups, 1, (index) => contender.signUpAndIn(round * 10_000 + index)),
      );
      record('sign-up + sign-in', 'ops/s', contender.name, (size.signups / ms) * 1000);
    }
    for (const contender of inOrder) {
      await contender.seedSessions(size.bulk, true);
      record(
        `updateMany ${size.bulk} rows`,
        'ms',
        contender.name,
        await timed(() => contender.updateSessions()),
      );
      const deleted = { count: 0 };
      record(
        `deleteMany ${size.bulk} rows`,
        'ms',
        contender.name,
        await timed(async () => (deleted.count = await contender.deleteExpired())),
      );
      if (deleted.count !== size.bulk)
        throw new Error(`${contender.name} deleted ${deleted.count} of ${size.bulk}`);
    }
  }

  for (const contender of contenders) {
    statements(
      `session lookup, ${size.lookups} sequential`,
      contender.name,
      await statementsOf(() => contender.lookup()),
    );
    statements(
      'session lookup, 16 concurrent',
      contender.name,
      await statementsOf(() => contender.lookup()),
    );
    statements(
      `adapter findOne session + user join, ${size.lookups} sequential`,
      contender.name,
      await statementsOf(() => contender.adapterLookup()),
    );
    statements(
      'sign-up + sign-in',
      contender.name,
      await statementsOf(() => contender.signUpAndIn(999_999)),
    );
    await contender.seedSessions(100, true);
    statements(
      `updateMany ${size.bulk} rows`,
      contender.name,
      await statementsOf(() => contender.updateSessions()),
    );
    statements(
      `deleteMany ${size.bulk} rows`,
      contender.name,
      await statementsOf(() => contender.deleteExpired()),
    );
  }

  const memory: Record<string, { after1k: number; afterAll: number; growth: number }> = {};
  for (const contender of contenders.filter((c) => c.name !== 'raw')) {
    process.stderr.write(`[${database}] memory: ${contender.name}\n`);
    memory[contender.name] = await heapGrowth(() => contender.lookup());
  }
  return { measurements, memory };
}

/** Heap used after 1,000 lookups and after all of them (garbage collected before each reading). */
async function heapGrowth(lookup: () => Promise<unknown>) {
  const heap = () => {
    gc?.();
    gc?.();
    return process.memoryUsage().heapUsed;
  };
  await repeat(1000, 1, lookup);
  const after1k = heap();
  await repeat(size.memoryLookups - 1000, 1, lookup);
  const afterAll = heap();
  return { after1k, afterAll, growth: (afterAll - after1k) / after1k };
}

/** The ops/s measurement of a workload and contender in `measurements`, added when missing. */
function entryIn(measurements: Measurement[]) {
  return (workload: string, contender: string): Measurement => {
    let found = measurements.find((m) => m.workload === workload && m.contender === contender);
    if (!found) {
      found = { workload, unit: 'ops/s', contender, samples: [], statements: null };
      measurements.push(found);
    }
    return found;
  };
}

/**
 * Session stores (express-session's Store interface): get of an existing session, set (a new
 * payload each call, one session per caller), touch; each 2000 sequential calls per round, and set
 * with 16 concurrent callers.
 */
async function measureSessionStores(database: BenchDatabase) {
  const { contenders, drop } = await createStoreContenders(database);
  const measurements: Measurement[] = [];
  const entry = entryIn(measurements);
  const expires = new Date(Date.now() + 86_400_000);
  const later = new Date(expires.getTime() + 60_000);
  const workloads: Array<
    [string, number, (store: StoreContender, index: number) => Promise<unknown>]
  > = [
    [`get, ${size.lookups} sequential`, 1, (store) => store.get('bench-session')],
    [
      `set, ${size.lookups} sequential`,
      1,
      (store, index) => store.set('bench-session', benchSession(index, expires)),
    ],
    [
      `touch, ${size.lookups} sequential`,
      1,
      (store, index) =>
        store.touch('bench-session', benchSession(0, new Date(later.getTime() + index))),
    ],
    [
      'set, 16 concurrent (16 sessions)',
      16,
      (store, index) => store.set(`bench-${index % 16}`, benchSession(index, expires)),
    ],
  ];
  try {
    for (const contender of contenders) {
      await contender.set('bench-session', benchSession(0, expires));
      for (const [, , run] of workloads) await run(contender, 0);
    }
    for (let round = 1; round <= rounds; round++) {
      process.stderr.write(`[${database}] session stores round ${round}/${rounds}\n`);
      for (const [workload, parallel, run] of workloads) {
        for (const contender of rotated(contenders, round)) {
          const ms = await timed(() =>
            repeat(size.lookups, parallel, (index) => run(contender, round * 100_000 + index)),
          );
          entry(workload, contender.name).samples.push((size.lookups / ms) * 1000);
        }
      }
    }
    for (const contender of contenders) {
      for (const [workload, , run] of workloads) {
        entry(workload, contender.name).statements =
          contender.name === 'memory' ? 0 : await statementsOf(() => run(contender, 1));
      }
    }
  } finally {
    for (const contender of contenders) await contender.close();
    await drop();
  }
  return measurements;
}

/** Auth.js: getSessionAndUser through @mikro-auth/authjs against the same SQL through the driver. */
async function measureAuthjs(database: BenchDatabase) {
  const { contenders, drop } = await createSessionContenders(database);
  const measurements: Measurement[] = [];
  const memory: Record<string, { after1k: number; afterAll: number; growth: number }> = {};
  const entry = entryIn(measurements);
  const sequential = `getSessionAndUser, ${size.lookups} sequential`;
  const concurrent = 'getSessionAndUser, 16 concurrent';
  try {
    for (const contender of contenders) await contender.lookup();
    for (let round = 1; round <= rounds; round++) {
      process.stderr.write(`[${database}] Auth.js round ${round}/${rounds}\n`);
      for (const [workload, parallel] of [
        [sequential, 1],
        [concurrent, 16],
      ] as const) {
        for (const contender of rotated(contenders, round)) {
          const ms = await timed(() => repeat(size.lookups, parallel, () => contender.lookup()));
          entry(workload, contender.name).samples.push((size.lookups / ms) * 1000);
        }
      }
    }
    for (const contender of contenders) {
      const count = await statementsOf(() => contender.lookup());
      entry(sequential, contender.name).statements = count;
      entry(concurrent, contender.name).statements = count;
    }
    const target = contenders.find((contender) => contender.name === 'mikro-auth')!;
    memory['mikro-auth'] = await heapGrowth(() => target.lookup());
  } finally {
    for (const contender of contenders) await contender.close();
    await drop();
  }
  return { measurements, memory };
}

function format(value: number, unit: Unit): string {
  return unit === 'ops/s'
    ? `${Math.round(value).toLocaleString('en-US')} ops/s`
    : `${value.toFixed(1)} ms`;
}

/** Per-round ratio of a contender to a reference: >1 means better (faster). */
function ratios(entry: Measurement, reference: Measurement | undefined): number[] | null {
  if (!reference) return null;
  return entry.samples.map((sample, index) =>
    entry.unit === 'ops/s'
      ? sample / reference.samples[index]!
      : reference.samples[index]! / sample,
  );
}

/** The contenders the ratio columns compare with: contender name → column label. */
const BETTER_AUTH_REFERENCES = { kysely: 'Kysely', raw: 'raw SQL' };

function table(
  database: string,
  measurements: Measurement[],
  memory: Record<string, { after1k: number; afterAll: number; growth: number }>,
  references: Record<string, string> = BETTER_AUTH_REFERENCES,
): string {
  const labels = Object.values(references);
  const lines = [
    `### ${database}`,
    '',
    `| workload | contender | median | min–max | ${labels.map((label) => `speed vs ${label}`).join(' | ')} | statements/op |`,
    `|---|---|---|---|${labels.map(() => '---|').join('')}---|`,
  ];
  for (const entry of measurements) {
    const peer = (name: string) =>
      measurements.find((m) => m.workload === entry.workload && m.contender === name);
    const [low, high] = range(entry.samples);
    const speeds = Object.keys(references).map((name) => {
      const versus = ratios(entry, peer(name));
      return versus ? `${median(versus).toFixed(2)}×` : '–';
    });
    lines.push(
      `| ${entry.workload} | ${entry.contender} | ${format(median(entry.samples), entry.unit)} | ${format(low, entry.unit)} – ${format(high, entry.unit)} | ` +
        `${speeds.join(' | ')} | ${entry.statements ?? '–'} |`,
    );
  }
  if (Object.keys(memory).length === 0) {
    lines.push('', 'Speed ratios are per-round medians; above 1× means faster than the reference.');
    return lines.join('\n');
  }
  lines.push(
    '',
    `Heap after ${size.memoryLookups.toLocaleString('en-US')} session lookups vs after 1,000:`,
    '',
  );
  for (const [name, entry] of Object.entries(memory)) {
    lines.push(
      `- ${name}: ${(entry.after1k / 2 ** 20).toFixed(1)} MiB → ${(entry.afterAll / 2 ** 20).toFixed(1)} MiB (${(entry.growth * 100).toFixed(1)}%)`,
    );
  }
  lines.push('', 'Speed ratios are per-round medians; above 1× means faster than the reference.');
  return lines.join('\n');
}

const results: Record<string, unknown> = {};
const output: string[] = [
  `Node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model.trim()}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB; ` +
    `${rounds} rounds, size ${full ? 'full' : 'quick'}.`,
  '',
];
const selected = values.db.split(',').map((name) => name.trim());
for (const database of selected.filter((name) => name !== 'replicas') as BenchDatabase[]) {
  const { contenders, drop } = await createContenders(database);
  try {
    const { measurements, memory } = await measure(database, contenders);
    output.push(table(`${database}: Better Auth`, measurements, memory), '');
    const authjs = await measureAuthjs(database);
    output.push(table(`${database}: Auth.js`, authjs.measurements, authjs.memory), '');
    const stores = await measureSessionStores(database);
    output.push(
      table(
        `${database}: express-session stores`,
        stores,
        {},
        {
          'connect-pg-simple': 'connect-pg-simple',
          memory: 'MemoryStore',
        },
      ),
      '',
    );
    results[database] = { size, rounds, measurements, memory, authjs, sessionStores: stores };
    const directory = join(import.meta.dirname, '..', 'results');
    mkdirSync(directory, { recursive: true });
    writeFileSync(
      join(directory, `${database}.json`),
      `${JSON.stringify({ date: new Date().toISOString(), node: process.version, ...(results[database] as object) }, null, 2)}\n`,
    );
  } finally {
    for (const contender of contenders) await contender.close();
    await drop();
  }
}
if (selected.includes('replicas')) {
  const { rows, version } = await measureReplicas({ lookups: size.lookups, rounds });
  output.push(replicaTable(rows, version), '');
  const directory = join(import.meta.dirname, '..', 'results');
  mkdirSync(directory, { recursive: true });
  writeFileSync(
    join(directory, 'replicas.json'),
    `${JSON.stringify({ date: new Date().toISOString(), node: process.version, version, size, rounds, rows }, null, 2)}\n`,
  );
}
console.log(output.join('\n'));
