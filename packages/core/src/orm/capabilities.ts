import type { EntityManager } from '@mikro-orm/core';
import type { StoreState } from '../ops/context.js';
import { executeAll } from './query-builder.js';

/** The mysql-family server's `select version()` (e.g. `10.11.19-MariaDB`); asked once per store. */
export function mysqlServerVersion(state: StoreState, em: EntityManager): Promise<string> {
  if (!state.mysqlVersion) {
    state.mysqlVersion = (async () => {
      const rows = await executeAll(em, 'select version() as version', []);
      return String(rows[0]?.version ?? '');
    })();
    // A probe that failed (e.g. on a dropped connection) is asked again next time.
    state.mysqlVersion.catch(() => {
      state.mysqlVersion = undefined;
    });
  }
  return state.mysqlVersion;
}

/** Whether the mysql-family server has `INSERT/DELETE … RETURNING` (MariaDB 10.5+); asked once per store. */
export function mysqlReturning(state: StoreState, em: EntityManager): Promise<boolean> {
  if (!state.mysqlReturning) {
    state.mysqlReturning = (async () => {
      const version = await mysqlServerVersion(state, em);
      const match = /^(\d+)\.(\d+)/.exec(version);
      if (!/mariadb/i.test(version) || !match) return false;
      const [major, minor] = [Number(match[1]), Number(match[2])];
      return major > 10 || (major === 10 && minor >= 5);
    })();
    state.mysqlReturning.catch(() => {
      state.mysqlReturning = undefined;
    });
  }
  return state.mysqlReturning;
}
