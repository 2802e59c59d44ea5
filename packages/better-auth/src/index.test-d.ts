import type { ModelTarget, OrmSource, ReadRouting, TableSpec } from '@mikro-auth/core';
import type { EntitySchema } from '@mikro-orm/core';
import type { BetterAuthOptions } from 'better-auth';
import type { DBAdapter, DBAdapterDebugLogOption } from 'better-auth/adapters';
import type { BetterAuthDBSchema } from 'better-auth/db';
import { describe, expectTypeOf, it } from 'vitest';
import {
  betterAuthEntities,
  betterAuthTables,
  type EntityNamingOptions,
  type MikroOrmAdapterOptions,
  mikroOrmAdapter,
  tablesFromSchema,
} from './index.js';

type GenerateId = NonNullable<NonNullable<BetterAuthOptions['advanced']>['database']>['generateId'];

describe('mikroOrmAdapter', () => {
  it('takes an ORM source and options', () => {
    expectTypeOf(mikroOrmAdapter).parameters.toEqualTypeOf<
      [orm: OrmSource, options?: MikroOrmAdapterOptions]
    >();
  });

  it('returns what betterAuth({ database }) takes', () => {
    expectTypeOf(mikroOrmAdapter).returns.toEqualTypeOf<
      (authOptions: BetterAuthOptions) => DBAdapter<BetterAuthOptions>
    >();
    expectTypeOf(mikroOrmAdapter).returns.toExtend<BetterAuthOptions['database']>();
  });

  it('types its options', () => {
    expectTypeOf<MikroOrmAdapterOptions>().toEqualTypeOf<{
      entities?: Readonly<Record<string, ModelTarget>>;
      transaction?: boolean;
      debugLogs?: DBAdapterDebugLogOption;
      schemaFile?: string;
      reads?: ReadRouting;
      preparedStatements?: boolean;
      usePlural?: boolean;
      entityName?: (modelKey: string) => string;
    }>();
    expectTypeOf<MikroOrmAdapterOptions>().toExtend<EntityNamingOptions>();
    expectTypeOf<{
      reads: { from: 'replicas'; maxLagMs: 500 };
    }>().toExtend<MikroOrmAdapterOptions>();
    expectTypeOf<{ reads: 'replicas' }>().not.toExtend<MikroOrmAdapterOptions>();
  });
});

describe('entities and tables', () => {
  it('types the naming options', () => {
    expectTypeOf<EntityNamingOptions>().toEqualTypeOf<{
      usePlural?: boolean;
      entityName?: (modelKey: string) => string;
    }>();
  });

  it('builds entities and table specs from a Better Auth configuration', () => {
    expectTypeOf(betterAuthEntities).parameters.toEqualTypeOf<
      [options: BetterAuthOptions, naming?: EntityNamingOptions]
    >();
    expectTypeOf(betterAuthEntities).returns.toEqualTypeOf<EntitySchema[]>();
    expectTypeOf(betterAuthTables).parameters.toEqualTypeOf<
      [options: BetterAuthOptions, naming?: EntityNamingOptions]
    >();
    expectTypeOf(betterAuthTables).returns.toEqualTypeOf<TableSpec[]>();
  });

  it('builds table specs from the tables Better Auth describes', () => {
    expectTypeOf(tablesFromSchema).parameters.toEqualTypeOf<
      [tables: BetterAuthDBSchema, generateId: GenerateId, naming?: EntityNamingOptions]
    >();
    expectTypeOf(tablesFromSchema).returns.toEqualTypeOf<TableSpec[]>();
  });
});
