/**
 * Runs an example app as its own process on this test file's database and drives it with
 * Debian's Chromium through playwright-core. Without Chromium the browser tests are skipped with
 * one loud line, except under CI=true, where that fails the run (like a missing database).
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { recordSkip } from '../harness/skips.js';
import { type RunningApp, startNode } from './app-process.js';

export type { RunningApp } from './app-process.js';

const here = dirname(fileURLToPath(import.meta.url));
export const repositoryRoot = join(here, '..', '..', '..', '..');
export const screenshots = join(here, '..', '..', 'reports', 'screenshots');

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Whether browser tests can run here; throws under CI when they cannot. */
export function browserAvailable(): boolean {
  if (existsSync(chromiumPath)) return true;
  const message =
    `Chromium not found at ${chromiumPath}. Install it (Debian: apt-get install chromium) ` +
    'or point CHROMIUM_PATH at a Chromium binary.';
  if (process.env.CI === 'true')
    throw new Error(`CI=true and the browser tests cannot run. ${message}`);
  console.warn(`\n!!! SKIPPING the browser tests. ${message}\n`);
  recordSkip('the browser tests of the examples', message);
  return false;
}

export async function launchBrowser(): Promise<Browser> {
  await mkdir(screenshots, { recursive: true });
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Starts `node <entry>` with DATABASE_URL and PORT, and waits for it to say it is listening. */
export function startApp(
  entry: string,
  databaseUrl: string,
  env: Record<string, string> = {},
): Promise<RunningApp> {
  const path = join(repositoryRoot, entry);
  return startNode({
    args: [path],
    cwd: dirname(path),
    env: (port, url) => ({
      ...process.env,
      ...env,
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      BASE_URL: url,
    }),
    ready: /listening at/i,
    signal: 'SIGINT',
  });
}
