import { buildEntitySchemas, createStore, type Store } from '@mikro-auth/core';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../harness/index.js';
import { CORE_TABLES } from './fixtures.js';

const db = useTestDatabase();
let store: Store;
const at = new Date('2026-05-06T07:08:09.123Z');
const PARALLEL = 20;

beforeAll(async () => {
  const orm = await db.init({
    entities: buildEntitySchemas(CORE_TABLES),
    pool: { min: 0, max: 10 },
  });
  store = createStore(orm);
});

beforeEach(async () => {
  await store.deleteMany('ticket');
  await store.deleteMany('member');
  await store.create('member', {
    id: 'm',
    name: 'm',
    email: 'm@x.io',
    emailVerified: false,
    createdAt: at,
  });
});

describe(`atomic primitives under concurrency (${db.name})`, () => {
  it(`${PARALLEL} parallel consumeOne on one row: exactly one caller gets it`, async () => {
    await store.create('ticket', {
      id: 'once',
      token: 'magic',
      memberId: 'm',
      expiresAt: at,
      uses: 0,
    });
    const results = await Promise.all(
      Array.from({ length: PARALLEL }, () =>
        store.consumeOne('ticket', [{ field: 'token', value: 'magic' }]),
      ),
    );
    const winners = results.filter((row) => row !== null);
    expect(winners).toHaveLength(1);
    expect(winners[0]).toMatchObject({ id: 'once', token: 'magic' });
    expect(await store.count('ticket')).toBe(0);
  });

  it(`${PARALLEL} parallel consumeOne on ${PARALLEL} matching rows: each row goes to at most one caller`, async () => {
    for (let index = 0; index < PARALLEL; index++) {
      await store.create('ticket', {
        id: `r${index}`,
        token: `t${index}`,
        memberId: 'm',
        expiresAt: at,
        uses: 0,
      });
    }
    const results = await Promise.all(
      Array.from({ length: PARALLEL }, () =>
        store.consumeOne('ticket', [{ field: 'memberId', value: 'm' }]),
      ),
    );
    const ids = results.filter((row) => row !== null).map((row) => row!.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(await store.count('ticket')).toBe(PARALLEL - ids.length);
  });

  it(`${PARALLEL} parallel incrementOne by 1: the value grows by exactly ${PARALLEL}`, async () => {
    await store.create('ticket', {
      id: 'c',
      token: 'count',
      memberId: 'm',
      expiresAt: at,
      uses: 5,
    });
    const results = await Promise.all(
      Array.from({ length: PARALLEL }, () =>
        store.incrementOne('ticket', {
          where: [{ field: 'id', value: 'c' }],
          increment: { uses: 1 },
        }),
      ),
    );
    expect(results.every((row) => row !== null)).toBe(true);
    expect(new Set(results.map((row) => row!.uses)).size).toBe(PARALLEL);
    expect((await store.findOne('ticket', [{ field: 'id', value: 'c' }]))?.uses).toBe(5 + PARALLEL);
  });

  it('a guard holds under concurrency: only the callers that fit under it succeed', async () => {
    await store.create('ticket', {
      id: 'g',
      token: 'guard',
      memberId: 'm',
      expiresAt: at,
      uses: 0,
    });
    const results = await Promise.all(
      Array.from({ length: PARALLEL }, () =>
        store.incrementOne('ticket', {
          where: [
            { field: 'id', value: 'g' },
            { field: 'uses', operator: 'lt', value: 3 },
          ],
          increment: { uses: 1 },
        }),
      ),
    );
    expect(results.filter((row) => row !== null)).toHaveLength(3);
    expect((await store.findOne('ticket', [{ field: 'id', value: 'g' }]))?.uses).toBe(3);
  });
});
