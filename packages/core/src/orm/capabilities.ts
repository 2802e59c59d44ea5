import type { EntityManager } from '@mikro-orm/core';
import type { StoreRuntime } from '../ops/context.js';
import { dialectOfEm } from './dialect.js';
import { executeAll } from './query-builder.js';

/**
 * What core learns about a mysql-family server, once per MikroORM driver instance (so per ORM and
 * connection pool, shared by every store and transaction on it). A probe that failed (e.g. on a
 * dropped connection) is forgotten, so the next operation asks again.
 */
interface ServerFacts {
  version?: Promise<string>;
  returning?: Promise<boolean>;
}

const factsByDriver = new WeakMap<object, ServerFacts>();

function factsOf(em: EntityManager): ServerFacts {
  const driver = em.getDriver();
  let facts = factsByDriver.get(driver);
  if (!facts) {
    facts = {};
    factsByDriver.set(driver, facts);
  }
  return facts;
}

/** Caches `probe`'s promise in `facts[key]`, dropping it again when it rejects. */
function remember<K extends keyof ServerFacts>(
  facts: ServerFacts,
  key: K,
  probe: () => NonNullable<ServerFacts[K]>,
): NonNullable<ServerFacts[K]> {
  const known = facts[key];
  if (known) return known as NonNullable<ServerFacts[K]>;
  const asked = probe();
  facts[key] = asked;
  asked.catch(() => {
    if (facts[key] === asked) facts[key] = undefined;
  });
  return asked;
}

/** The mysql-family server's `select version()` (e.g. `10.11.19-MariaDB`); asked once per driver. */
export function mysqlServerVersion(em: EntityManager): Promise<string> {
  return remember(factsOf(em), 'version', async () => {
    const rows = await executeAll(em, 'select version() as version', []);
    return String(rows[0]?.version ?? '');
  });
}

/**
 * Whether `INSERT/DELETE … RETURNING` may be used: always where the dialect has it; on the mysql
 * family (MariaDB 10.5+) false when the store's `mysqlReturning` option says so, else detected once
 * per driver. Returns a plain `true` where nothing is probed, so hot paths need not await.
 */
export function insertDeleteReturning(
  runtime: StoreRuntime,
  em: EntityManager,
): true | Promise<boolean> {
  if (dialectOfEm(em).insertDeleteReturning === 'always') return true;
  if (runtime.options.mysqlReturning === false) return Promise.resolve(false);
  return remember(factsOf(em), 'returning', async () => {
    const version = await mysqlServerVersion(em);
    const match = /^(\d+)\.(\d+)/.exec(version);
    if (!/mariadb/i.test(version) || !match) return false;
    const [major, minor] = [Number(match[1]), Number(match[2])];
    return major > 10 || (major === 10 && minor >= 5);
  });
}
