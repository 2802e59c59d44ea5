/**
 * Example apps as child processes for the example tests: a free port, a clean environment, a
 * process started and awaited until it says it is ready, and work (a build) done once per vitest
 * run and shared by every leg of that run.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';

/** A free TCP port on the loopback interface. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** This process's environment without vitest's, the harness's and DATABASE_URL, plus `extra`. */
export function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('VITEST') && !key.startsWith('TEST_') && key !== 'DATABASE_URL') {
      env[key] = value;
    }
  }
  return { ...env, ...extra };
}

/** Runs `node <args>` to completion; resolves with its exit code and output. */
export function runNode(
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): Promise<{ exitCode: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...args], {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.once('error', reject);
    child.once('exit', (exitCode) => resolve({ exitCode, output }));
  });
}

/** A started example app. */
export interface RunningApp {
  url: string;
  output: () => string;
  stop: () => Promise<void>;
}

/** Options of `startNode`. */
export interface StartOptions {
  /** Arguments after `node`, or a function of the port the app is to listen on. */
  args: readonly string[] | ((port: number) => readonly string[]);
  cwd: string;
  /** The environment, given the port and URL the app will listen on. */
  env: (port: number, url: string) => NodeJS.ProcessEnv;
  /** Output that says the app is ready. */
  ready: RegExp;
  /** How to stop it (default SIGTERM). */
  signal?: NodeJS.Signals;
}

/** Starts `node <args>` on a free port and waits (60 s at most) until its output says it is ready. */
export async function startNode(options: StartOptions): Promise<RunningApp> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const args = typeof options.args === 'function' ? options.args(port) : options.args;
  const name = args.join(' ');
  let output = '';
  const child: ChildProcess = spawn(process.execPath, [...args], {
    cwd: options.cwd,
    env: options.env(port, url),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${name} did not start in 60 s:\n${output}`)),
      60_000,
    );
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code}:\n${output}`));
    });
    child.stdout?.on('data', () => {
      if (options.ready.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  return {
    url,
    output: () => output,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill(options.signal ?? 'SIGTERM');
      await exited;
    },
  };
}

/** The vitest run: its main process (the parent of this worker) and, on Linux, its start time. */
function currentRun(): string {
  try {
    const fields = readFileSync(`/proc/${process.ppid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return `${process.ppid}@${fields[19]}`;
  } catch {
    return String(process.ppid);
  }
}

/**
 * Does `work` once per vitest run: the legs of one run take turns under a lock in the temp folder,
 * and a leg that finds `marker` written by its own run reuses the result recorded there. `work`
 * says whether its result may be reused (a failed build is not).
 */
export async function oncePerRun<T>(
  name: string,
  marker: string,
  timeoutMs: number,
  work: () => Promise<{ result: T; reuse: boolean }>,
): Promise<T> {
  const run = currentRun();
  const lock = `${tmpdir()}/mikro-auth-${name}.lock`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await mkdir(lock);
      break;
    } catch {
      // Another leg works; take over a lock left by a run that died (older than the timeout).
      const held = await stat(lock).catch(() => undefined);
      if (held && Date.now() - held.mtimeMs > timeoutMs) await rm(lock, { recursive: true });
      if (Date.now() > deadline) throw new Error(`${lock} held for too long`);
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
  }
  try {
    if (existsSync(marker)) {
      const previous = JSON.parse(await readFile(marker, 'utf8')) as { run: string; result: T };
      if (previous.run === run) return previous.result;
    }
    const { result, reuse } = await work();
    if (reuse) await writeFile(marker, JSON.stringify({ run, result }));
    return result;
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}
