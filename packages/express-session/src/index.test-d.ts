import type { ModelTarget, OrmSource, TableSpec } from '@mikro-auth/core';
import type { EntitySchema } from '@mikro-orm/core';
import type session from 'express-session';
import { describe, expectTypeOf, it } from 'vitest';
import {
  MikroOrmSessionStore,
  type MikroOrmSessionStoreOptions,
  type SessionSerializer,
  type StoredSession,
  sessionStoreEntities,
  sessionStoreTable,
} from './index.js';

describe('MikroOrmSessionStore', () => {
  it('is an express-session Store built from an ORM source and options', () => {
    expectTypeOf(MikroOrmSessionStore).constructorParameters.toEqualTypeOf<
      [OrmSource, (MikroOrmSessionStoreOptions | undefined)?]
    >();
    expectTypeOf<MikroOrmSessionStore>().toMatchTypeOf<session.Store>();
    expectTypeOf<MikroOrmSessionStore['prune']>().returns.toEqualTypeOf<Promise<number>>();
  });

  it('takes the documented options', () => {
    expectTypeOf<MikroOrmSessionStoreOptions>().toEqualTypeOf<{
      entity?: ModelTarget;
      fields?: { sid?: string; data?: string; expires?: string };
      ttl?: number | ((session: StoredSession) => number);
      disableTouch?: boolean;
      pruneInterval?: number | false;
      serializer?: SessionSerializer;
      errorLog?: (error: unknown) => void;
      preparedStatements?: boolean;
    }>();
    expectTypeOf<StoredSession>().toEqualTypeOf<session.SessionData>();
  });
});

describe('sessionStoreEntities', () => {
  it('returns entity schemas; sessionStoreTable a core TableSpec', () => {
    expectTypeOf(sessionStoreEntities).returns.toEqualTypeOf<EntitySchema[]>();
    expectTypeOf(sessionStoreTable).returns.toEqualTypeOf<TableSpec>();
  });
});
