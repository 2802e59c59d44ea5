import type { EntityManager } from '@mikro-orm/core';
import type { StoreState } from '../ops/context.js';
import { executeAll } from './query-builder.js';

/** Whether the mysql-family server has `INSERT/DELETE … RETURNING` (MariaDB 10.5+); asked once per store. */
export function mysqlReturning(state: StoreState, em: EntityManager): Promise<boolean> {
  if (!state.mysqlReturning) {
    state.mysqlReturning = (async () => {
      const rows = await executeAll(em, 'select version() as version', []);
      const version = String(rows[0]?.version ?? '');
      const match = /^(\d+)\.(\d+)/.exec(version);
      if (!/mariadb/i.test(version) || !match) return false;
      const [major, minor] = [Number(match[1]), Number(match[2])];
      return major > 10 || (major === 10 && minor >= 5);
    })();
    // A probe that failed (e.g. on a dropped connection) is asked again next time.
    state.mysqlReturning.catch(() => {
      state.mysqlReturning = undefined;
    });
  }
  return state.mysqlReturning;
}
