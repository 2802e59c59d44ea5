/**
 * Commands as the READMEs write them: read from the fenced `sh` blocks of a README (so a changed
 * README changes what runs), then run with bash from the directory the README says, as their own
 * process group so that stopping one stops everything it started (pnpm → turbo → node → next).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../../..', import.meta.url));

/** The lines of every fenced `sh` block of a README (path relative to the repository root). */
export function shellLines(readme: string): string[] {
  const text = readFileSync(join(root, readme), 'utf8');
  const lines: string[] = [];
  for (const block of text.matchAll(/```(?:sh|bash|shell)\n([\s\S]*?)```/g)) {
    lines.push(...block[1]!.split('\n').filter((line) => line.trim() !== ''));
  }
  return lines;
}

/** The one shell line of `readme` that starts with `start`, without its trailing `# comment`. */
export function command(readme: string, start: string): string {
  const found = shellLines(readme).filter((line) => line.trimStart().startsWith(start));
  if (found.length !== 1) {
    throw new Error(
      `${readme}: expected one sh line starting with "${start}", found ${found.length}`,
    );
  }
  return found[0]!.replace(/\s+#.*$/, '').trim();
}

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

/** Set by vite/vitest in this process (BASE_URL is '/'), or read by the demos: never inherited. */
const VITE_AND_APP_VARIABLES = new Set([
  'BASE_URL',
  'MODE',
  'DEV',
  'PROD',
  'SSR',
  'NODE_ENV',
  'DATABASE_URL',
]);

/** This process's environment without vite's, vitest's, the harness's and the demos' own, plus `extra`. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(VITEST|TEST_|TURBO_)/.test(key) || VITE_AND_APP_VARIABLES.has(key)) continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}

/** A command started in the background. */
export interface Started {
  output: () => string;
  /** Resolves with the exit code when bash exits. */
  exited: Promise<number | null>;
  /** Resolves when the output matches `pattern`; rejects when the command exits first. */
  until: (pattern: RegExp, timeoutMs: number) => Promise<void>;
  /** SIGTERM to the whole process group, SIGKILL after 10 s. */
  stop: () => Promise<void>;
}

/** Starts `line` with bash in `cwd` (absolute, or relative to the repository root). */
export function start(line: string, cwd: string, env: NodeJS.ProcessEnv): Started {
  const child: ChildProcess = spawn('bash', ['-c', line], {
    cwd: resolve(root, cwd),
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const alive = () => child.exitCode === null && child.signalCode === null;
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, name);
    } catch {
      // The group is gone already.
    }
  };
  return {
    output: () => output,
    exited,
    until: (pattern, timeoutMs) =>
      new Promise<void>((resolve, reject) => {
        const deadline = Date.now() + timeoutMs;
        const check = setInterval(() => {
          if (pattern.test(output)) {
            clearInterval(check);
            resolve();
          } else if (!alive()) {
            clearInterval(check);
            reject(
              new Error(`\`${line}\` exited (${child.exitCode}) before ${pattern}:\n${output}`),
            );
          } else if (Date.now() > deadline) {
            clearInterval(check);
            reject(new Error(`\`${line}\` printed no ${pattern} in ${timeoutMs} ms:\n${output}`));
          }
        }, 200);
      }),
    stop: async () => {
      signal('SIGTERM');
      const killer = setTimeout(() => signal('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
      // Children that outlived the shell (a server under pnpm) share its process group.
      signal('SIGKILL');
    },
  };
}

/** Runs `line` with bash to its end; resolves with its exit code and output. */
export async function run(
  line: string,
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<{ exitCode: number | null; output: string }> {
  const started = start(line, cwd, env);
  const exitCode = await started.exited;
  await started.stop();
  return { exitCode, output: started.output() };
}
