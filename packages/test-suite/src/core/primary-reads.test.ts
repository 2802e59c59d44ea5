/**
 * `reads` unset (the default) means every statement on the primary, even when the app's MikroORM
 * config lists `replicas`: MikroORM itself sends a SELECT outside a transaction to a random read
 * replica (`preferReadReplicas` defaults to true). Here the ORM has one replica that cannot serve
 * anything — a database that does not exist — so a statement routed there fails the operation, and
 * every statement is also counted by the connection MikroORM ran it on. Most reads run through
 * core's statement runner on the EntityManager's (write) connection; the ones built and executed as
 * QueryBuilders (MySQL 8's read-back of an inserted row with a database-side default, which has no
 * RETURNING) would go to the replica without core/src/orm/query-builder.ts `sqlEm`'s 'write'.
 */
import { buildEntitySchemas, createStore, type Store } from '@mikro-auth/core';
import { DefaultLogger, type LogContext, type LoggerNamespace } from '@mikro-orm/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../harness/index.js';
import { CORE_TABLES, memberRow, seedMembersWithTickets } from './fixtures.js';

const db = useTestDatabase();
const connections = new Map<string, number>();

class ConnectionLogger extends DefaultLogger {
  override log(namespace: LoggerNamespace, _message: string, context?: LogContext): void {
    if (namespace !== 'query') return;
    const type = context?.connection?.type ?? 'write';
    connections.set(type, (connections.get(type) ?? 0) + 1);
  }
}

/** A replica MikroORM can be configured with but never reach: a database that does not exist. */
function unreachableReplica(): Record<string, unknown> {
  if (db.dialect === 'sqlite') {
    return { name: 'unreachable', dbName: '/nonexistent-mikro-auth-dir/replica.sqlite' };
  }
  const url = new URL(db.url().replace(/^mariadb:/, 'mysql:'));
  url.pathname = '/mikro_auth_no_such_database';
  return { name: 'unreachable', clientUrl: url.toString() };
}

/** Every kind of operation a store offers, with what a user would check of each. */
async function everyOperation(store: Store, tag: string): Promise<void> {
  await seedMembersWithTickets(
    store,
    ['a', 'b'].map((id) => `${tag}${id}`),
  );
  const a = `${tag}a`;
  expect(await store.findOne('member', [{ field: 'id', value: a }])).toMatchObject({ id: a });
  expect(
    await store.findOne('member', [{ field: 'email', value: `${a}@x.io`, mode: 'insensitive' }]),
  ).not.toBeNull();
  expect(
    await store.findMany('member', {
      where: [{ field: 'id', operator: 'starts_with', value: tag }],
    }),
  ).toHaveLength(2);
  expect(await store.count('ticket', [{ field: 'memberId', value: a }])).toBe(1);
  const joined = await store.findOne('ticket', [{ field: 'token', value: `tok-${a}` }], {
    joins: [{ as: 'owner', model: 'member', on: { from: 'memberId', to: 'id' }, relation: 'one' }],
  });
  expect(joined?.owner).toMatchObject({ id: a });
  expect(
    await store.updateOne('member', [{ field: 'id', value: a }], { name: 'renamed' }),
  ).toMatchObject({ name: 'renamed' });
  expect(
    await store.updateMany('ticket', [{ field: 'memberId', value: a }], { label: 'seen' }),
  ).toBe(1);
  const counted = await store.incrementOne('ticket', {
    where: [{ field: 'token', value: `tok-${a}` }],
    increment: { uses: 1 },
  });
  expect(counted?.uses).toBe(1);
  expect(await store.consumeOne('ticket', [{ field: 'token', value: `tok-${a}` }])).toMatchObject({
    token: `tok-${a}`,
  });
  expect(await store.consumeOne('ticket', [{ field: 'token', value: `tok-${a}` }])).toBeNull();
  const counter = await store.create('counter', { name: `${tag}-counter` });
  expect(counter.value).toBe(0);
  await store.transaction(async (tx) => {
    await tx.create('member', memberRow(`${tag}tx`));
    expect(await tx.findOne('member', [{ field: 'id', value: `${tag}tx` }])).not.toBeNull();
  });
  expect(await store.findOne('member', [{ field: 'id', value: `${tag}tx` }])).not.toBeNull();
  expect(await store.deleteMany('member', [{ field: 'id', value: `${tag}b` }])).toBe(1);
  expect(
    await store.deleteMany('member', [{ field: 'id', operator: 'starts_with', value: tag }]),
  ).toBe(2);
  expect(
    await store.findMany('member', {
      where: [{ field: 'id', operator: 'starts_with', value: tag }],
    }),
  ).toEqual([]);
}

describe("reads: 'primary' (the default) on an ORM that lists replicas", () => {
  let cached: Store;
  let uncached: Store;

  beforeAll(async () => {
    const orm = await db.init({
      entities: buildEntitySchemas(CORE_TABLES),
      replicas: [unreachableReplica()],
      debug: ['query'],
      loggerFactory: (options) => new ConnectionLogger(options),
    });
    cached = createStore(orm);
    uncached = createStore(orm, { statementCache: false });
  });

  it('runs every operation on the primary, with the statement cache on', async () => {
    connections.clear();
    await everyOperation(cached, 'c');
    await everyOperation(cached, 'd'); // the second time from learned statements
    expect(connections.get('write')).toBeGreaterThan(30);
    expect(connections.get('read') ?? 0).toBe(0);
  });

  it('runs every operation on the primary, with the statement cache off (QueryBuilders only)', async () => {
    connections.clear();
    await everyOperation(uncached, 'u');
    expect(connections.get('write')).toBeGreaterThan(15);
    expect(connections.get('read') ?? 0).toBe(0);
  });
});
