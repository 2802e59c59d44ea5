/**
 * A driver error's own message. MikroORM 6 runs SQL through knex, which prefixes the message of
 * every failed query with the query itself (and its `mariadb` connector adds the connection id), values inlined (`insert into … values ('secret') -
 * value too long for type …`); MikroORM 7 (Kysely) leaves the driver's message as it is. Typed
 * errors quote the driver's message, so they read the same on both majors and carry no values.
 * Listed with the other MikroORM 6 / 7 differences in versions.ts.
 */

const SQL_START = /^\s*(?:select|insert|update|delete|with|\/\*)\b/i;

/** Where knex's `<sql> - ` prefix ends (the index after it), or -1 when there is none. */
function endOfSqlPrefix(message: string): number {
  if (!SQL_START.test(message)) return -1;
  let quote: string | undefined;
  for (let i = 0; i < message.length; i++) {
    const char = message[i]!;
    if (quote) {
      if (char === '\\' && quote === "'")
        i++; // an escaped character inside a string
      else if (char === quote) {
        if (message[i + 1] === quote)
          i++; // a doubled quote stays inside
        else quote = undefined;
      }
    } else if (char === "'" || char === '"' || char === '`') {
      quote = char;
    } else if (message.startsWith(' - ', i)) {
      return i + 3;
    }
  }
  return -1;
}

/** The `mariadb` connector's `(conn:12, no: 1406, SQLState: 22001) ` prefix (MikroORM 6's driver). */
const MARIADB_PREFIX = /^\(conn:[^)]*\) /;

/** The message of a driver error without the query knex prefixed it with. */
export function driverMessage(error: unknown): string {
  // mysql2 and the mariadb connector keep the server's own message apart.
  const own = (error as { sqlMessage?: unknown } | null)?.sqlMessage;
  if (typeof own === 'string' && own) return own;
  const message = error instanceof Error ? error.message : String(error);
  const end = endOfSqlPrefix(message);
  return (end < 0 ? message : message.slice(end)).replace(MARIADB_PREFIX, '');
}
