import { type Dictionary, LockMode, raw } from '@mikro-orm/core';
import { keyFilter } from '../model/keys.js';
import { insertDeleteReturning } from '../orm/capabilities.js';
import { type Dialect, dialectOfEm } from '../orm/dialect.js';
import { executeAll, selectFields, sqlEm, whereKeyIn } from '../orm/query-builder.js';
import { identifier, joinSql, sql, sqlText } from '../orm/sql.js';
import { inTransaction } from '../orm/transactions.js';
import { sqlOf } from '../orm/versions.js';
import type { Row, Where } from '../query/types.js';
import { rowFromDriver, rowFromResult } from '../rows/decode.js';
import { forgetRows } from '../sync/identity-map.js';
import type { OperationContext } from './context.js';
import { filterFor } from './read.js';

/**
 * consumeOne: delete exactly one matching row and return it, the guard holding at the moment of
 * the write on every database. One implementation per database family (CONSUMERS).
 */

/**
 * Deletes exactly one row matching `where` and returns it; under concurrency every caller gets a
 * different row, and the full `where` holds at the moment of deletion. PostgreSQL: `DELETE …
 * RETURNING` of the row a `FOR UPDATE SKIP LOCKED` CTE locked (waiting for locks only when
 * every match is held by others; see consumeOnPostgres); SQLite and MariaDB 10.5+:
 * `DELETE … RETURNING`; MySQL: a locking read and a delete in one transaction.
 */
export async function consumeOne(ctx: OperationContext, where: Where): Promise<Row | null> {
  const { info, em } = ctx;
  const filter = filterFor(info, where, em);
  const row = await CONSUMERS[dialectOfEm(em).name](ctx, filter);
  if (row) forgetRows(em, info, [row]);
  return row;
}

/** One consume implementation per database family. */
const CONSUMERS: Readonly<
  Record<Dialect, (ctx: OperationContext, filter: Dictionary) => Promise<Row | null>>
> = {
  sqlite: consumeOnSqlite,
  postgres: consumeOnPostgres,
  mysql: consumeOnMysql,
};

/** SQLite runs one writer at a time: `DELETE … RETURNING` of the first match sees no concurrent change. */
async function consumeOnSqlite(ctx: OperationContext, filter: Dictionary): Promise<Row | null> {
  const { info, em } = ctx;
  const keys = info.primaryKeys.map((field) => field.name);
  const pick = sqlOf(
    sqlEm(em).createQueryBuilder(info.meta.class, 'first0').select(keys).where(filter).limit(1),
  );
  const query = sqlOf(
    whereKeyIn(
      info,
      em,
      sqlEm(em).createQueryBuilder(info.meta.class).delete().where(filter),
      pick,
    ),
  );
  const consume = async (tem: typeof em) => {
    const statement = sql`${query} returning *`;
    const rows = await executeAll(tem, statement.sql, statement.params);
    return rows[0] ? rowFromDriver(info, tem, rows[0]) : null;
  };
  // Decoding a bigint the driver read rounded throws (rows/decode.ts); for such models the
  // delete runs in a transaction (a savepoint inside the caller's), so the row stays then.
  if (!info.fields.some((field) => field.type === 'bigint')) return consume(em);
  if (em.isInTransaction()) return em.transactional(consume);
  return inTransaction(em, consume);
}

/**
 * MariaDB 10.5+: `DELETE … LIMIT 1 RETURNING *`. MySQL (no RETURNING): a locking read of the first
 * match and a delete of that row, in one transaction.
 */
async function consumeOnMysql(ctx: OperationContext, filter: Dictionary): Promise<Row | null> {
  const { info, em } = ctx;
  if (await insertDeleteReturning(ctx.state, em)) {
    const query = sqlOf(sqlEm(em).createQueryBuilder(info.meta.class).delete().where(filter));
    const statement = sql`${query} limit 1 returning *`;
    const rows = await executeAll(em, statement.sql, statement.params);
    return rows[0] ? rowFromDriver(info, em, rows[0]) : null;
  }
  return inTransaction(em, async (tem) => {
    const locked = (await selectFields(info, tem)
      .where(filter)
      .limit(1)
      .setLockMode(LockMode.PESSIMISTIC_WRITE)
      .execute('all')) as Dictionary[];
    if (!locked[0]) return null;
    const found = rowFromResult(info, tem, locked[0]);
    await sqlEm(tem)
      .createQueryBuilder(info.meta.class)
      .delete()
      .where(keyFilter(info, found))
      .execute('run');
    return found;
  });
}

/** The name of the flag column the PostgreSQL consume statement adds to its one result row. */
const STILL_MATCHES = 'mikro_auth_still_matches';

/**
 * PostgreSQL: one statement deletes the first matching row that no other transaction holds
 * (`FOR UPDATE SKIP LOCKED`, picked once in a materialized CTE: a sub-select in the DELETE's WHERE
 * may be re-run per row and would then lock and delete more than one) and, when it deleted
 * nothing, says whether matching rows exist (then others hold them all). Only then does it run
 * again with `FOR UPDATE`, waiting for the locks; a miss is one statement. The guard is checked
 * again on the row as the delete takes it.
 */
async function consumeOnPostgres(ctx: OperationContext, filter: Dictionary): Promise<Row | null> {
  const { info, em } = ctx;
  const name = (part: string) => identifier(em.getPlatform(), part);
  const keys = info.primaryKeys;
  const first = name('mikro_auth_first');
  const gone = name('mikro_auth_gone');
  const qb = () => sqlEm(em).createQueryBuilder(info.meta.class, 'first0');
  const pick = sqlOf(
    qb()
      .select(keys.map((field) => field.name))
      .where(filter)
      .limit(1),
  );
  const picked = joinSql(
    keys.map((field) => name(field.column)),
    ', ',
  );
  const remove = sqlOf(
    whereKeyIn(
      info,
      em,
      sqlEm(em).createQueryBuilder(info.meta.class).delete().where(filter),
      sql`select ${picked} from ${first}`,
    ),
  );
  const matches = sqlOf(qb().select(raw('1')).where(filter).limit(1));
  const consume = (lock: string) => {
    const statement = sql`with ${first} as materialized (${pick}${sqlText(lock)}), ${gone} as (${remove} returning *) select ${gone}.*, case when exists (select 1 from ${gone}) then false else exists (${matches}) end as ${name(STILL_MATCHES)} from (select 1) as ${name('mikro_auth_one')} left join ${gone} on true`;
    return executeAll(em, statement.sql, statement.params);
  };
  const [taken] = await consume(' for update skip locked');
  // Every match is held by another transaction: wait for the locks, once. (PostgreSQL's row
  // locking sits below LIMIT: a waited-for row its holder deleted is skipped and the scan goes on.)
  const [result] = taken?.[STILL_MATCHES] ? await consume(' for update') : [taken];
  const key = result?.[info.primaryKey.column];
  if (!result || key === null || key === undefined) return null;
  const { [STILL_MATCHES]: _flag, ...deleted } = result;
  return rowFromDriver(info, em, deleted);
}
