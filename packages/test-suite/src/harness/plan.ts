/**
 * Decides, when vitest loads its config, which legs of the matrix run and how each database is
 * provided: a URL from the environment, else a testcontainers container, else the leg is skipped
 * with one loud line (or, with CI=true, the run fails).
 */
import {
  CONTAINER_IMAGE,
  type DatabaseName,
  type DatabaseSource,
  isServer,
  selectedDatabases,
  URL_VARIABLE,
} from './databases.js';
import { recordSkip, resetSkips } from './skips.js';

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

export async function planLegs(env: NodeJS.ProcessEnv = process.env): Promise<PlannedLeg[]> {
  const isCi = env.CI === 'true' || env.CI === '1';
  const legs: PlannedLeg[] = [];
  resetSkips();
  let runtimeProblem: string | undefined | null = null;
  for (const name of selectedDatabases(env.TEST_DATABASES)) {
    if (!isServer(name)) {
      legs.push({ name, source: { kind: 'embedded' } });
      continue;
    }
    const variable = URL_VARIABLE[name];
    const url = env[variable]?.trim();
    if (url) {
      legs.push({ name, source: { kind: 'url', variable, url } });
      continue;
    }
    if (runtimeProblem === null) runtimeProblem = await containerRuntimeProblem();
    if (runtimeProblem === undefined) {
      legs.push({ name, source: { kind: 'container', image: CONTAINER_IMAGE[name] } });
      continue;
    }
    const message =
      `${name}: ${variable} is not set and no container runtime is available ` +
      `(testcontainers: ${runtimeProblem.split('\n')[0]}). ` +
      `Set ${variable} to a server URL, start Docker, or run 'docker compose up -d' (see README).`;
    if (isCi) {
      throw new Error(`CI=true and a database of the matrix is missing. ${message}`);
    }
    console.warn(`\n!!! SKIPPING the ${name} leg. ${message}\n`);
    recordSkip(`the ${name} leg`, message);
  }
  return legs;
}

/** The source of a leg, recomputed in the leg's global setup from the same environment. */
export function sourceFor(
  name: DatabaseName,
  env: NodeJS.ProcessEnv = process.env,
): DatabaseSource {
  if (!isServer(name)) return { kind: 'embedded' };
  const variable = URL_VARIABLE[name];
  const url = env[variable]?.trim();
  return url ? { kind: 'url', variable, url } : { kind: 'container', image: CONTAINER_IMAGE[name] };
}
