/**
 * PostgreSQL named prepared statements for orm/prepared.ts: their names (a hash of the text and a
 * generation, so copies of core on one pool agree), the errors that mean a connection no longer
 * has one, and the Kysely compiled query that carries a pg query config to the driver.
 */
import { createHash } from 'node:crypto';
import { type Cached, remember } from './prepared-values.js';

/** PostgreSQL statement names kept (each connection prepares a name the first time it runs it). */
const NAMES_KEPT = 2000;

export interface NamedStatement {
  /** `$n` placeholders in place of `?`. */
  readonly text: string;
  /** A hash of `text`; the name is this and the generation. */
  readonly hash: string;
  /** Raised when a connection lost or outgrew the statement, so it is prepared afresh. */
  generation: number;
  name: string;
}

const namedStatements = new Map<string, Cached<NamedStatement>>();

/**
 * A statement's name follows from its text alone (and its generation), never from a counter: an
 * app can hold two copies of this module on one pool (a bundler that inlines core into two
 * server bundles, two installed versions), and pg refuses a name a connection already prepared
 * for another text. The same text under the same name is harmless, whichever copy prepared it.
 */
function nameOf(statement: NamedStatement): string {
  return `mikro_auth_${statement.hash}_${statement.generation}`;
}

/** The next generation's name (see isStalePreparedStatement). */
export function renew(statement: NamedStatement): void {
  statement.generation++;
  statement.name = nameOf(statement);
}

/**
 * PostgreSQL's answers when a connection no longer has a statement pg believes it prepared
 * (26000, after `DISCARD ALL`), already has the name (42P05), or would now return another row type
 * (0A000 "cached plan must not change result type", after a column's type changed).
 */
export function isStalePreparedStatement(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return (
    code === '26000' ||
    code === '42P05' ||
    (code === '0A000' && String(message).includes('cached plan must not change result type'))
  );
}

/** The named statement of `sql` (`?` placeholders numbered); undefined when it has `$n` text. */
export function namedStatement(sql: string): NamedStatement | undefined {
  return remember(
    namedStatements,
    sql,
    () => {
      if (/\$\d/.test(sql)) return undefined;
      let index = 0;
      const text = sql.replace(/\?/g, () => `$${++index}`);
      const hash = createHash('sha256').update(text).digest('hex').slice(0, 32);
      const statement = { text, hash, generation: 0, name: '' };
      statement.name = nameOf(statement);
      return statement;
    },
    NAMES_KEPT,
  );
}

/**
 * A Kysely compiled query. For a named statement its `sql` is a pg query config: Kysely's pg
 * connection hands `sql` and `parameters` to `client.query(sql, parameters)`, and pg takes a
 * `{ name, text }` config there.
 */
export function rawQuery(statement: NamedStatement | string, values: unknown[]): unknown {
  const text = typeof statement === 'string' ? statement : statement.text;
  const sql =
    typeof statement === 'string'
      ? statement
      : { name: statement.name, text, toString: () => text };
  return {
    sql,
    parameters: values,
    query: { kind: 'RawNode', sqlFragments: [text], parameters: [] },
    queryId: { queryId: typeof statement === 'string' ? 'mikro-auth' : statement.name },
  };
}
