/**
 * Runs an example app as its own process on this test file's database and drives it with
 * Debian's Chromium through playwright-core. Without Chromium the browser tests are skipped with
 * one loud line, except under CI=true, where that fails the run (like a missing database).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { recordSkip } from '../harness/skips.js';

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

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export interface RunningApp {
  url: string;
  output: () => string;
  stop: () => Promise<void>;
}

/** Starts `node <entry>` with DATABASE_URL and PORT, and waits for it to say it is listening. */
export async function startApp(
  entry: string,
  databaseUrl: string,
  env: Record<string, string> = {},
): Promise<RunningApp> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let output = '';
  const child: ChildProcess = spawn(process.execPath, [join(repositoryRoot, entry)], {
    cwd: dirname(join(repositoryRoot, entry)),
    env: { ...process.env, ...env, DATABASE_URL: databaseUrl, PORT: String(port), BASE_URL: url },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${entry} did not start in 60 s:\n${output}`)),
      60_000,
    );
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${entry} exited with ${code}:\n${output}`));
    });
    child.stdout?.on('data', () => {
      if (/listening at/i.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  return {
    url,
    output: () => output,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGINT');
      await exited;
    },
  };
}
