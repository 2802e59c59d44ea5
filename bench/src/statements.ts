/**
 * Counts SQL statements where every contender sends them: at the driver (pg's Client#query,
 * better-sqlite3's statement execution and exec). This counts what reaches the database,
 * transaction control (BEGIN/COMMIT) included, the same way for MikroORM, Kysely and raw SQL.
 */
import Database from 'better-sqlite3';
import pg from 'pg';

let statements = 0;
let installed = false;

/** Called for every statement sent through pg, with the client (its port) and the SQL. */
type Listener = (client: { port?: number }, sql: string) => void;
const listeners = new Set<Listener>();

/** Listens to every pg statement until the returned function is called. */
export function onStatement(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function sqlOf(query: unknown): string {
  if (typeof query === 'string') return query;
  return String((query as { text?: unknown } | null)?.text ?? '');
}

export function countStatements(): void {
  if (installed) return;
  installed = true;
  const query = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    statements++;
    for (const listener of listeners) listener(this as { port?: number }, sqlOf(args[0]));
    return (query as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof query;

  const probe = new Database(':memory:');
  const statement = Object.getPrototypeOf(probe.prepare('select 1')) as Record<
    string,
    (...a: unknown[]) => unknown
  >;
  for (const method of ['run', 'get', 'all', 'iterate']) {
    const original = statement[method]!;
    statement[method] = function (this: unknown, ...args: unknown[]) {
      statements++;
      return original.apply(this, args);
    };
  }
  const exec = Database.prototype.exec;
  Database.prototype.exec = function (this: Database.Database, source: string) {
    statements++;
    return exec.call(this, source);
  };
  probe.close();
}

/** Runs `fn` alone and returns how many statements it sent. */
export async function statementsOf(fn: () => Promise<unknown>): Promise<number> {
  const before = statements;
  await fn();
  return statements - before;
}
