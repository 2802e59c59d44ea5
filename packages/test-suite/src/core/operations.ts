/**
 * Random operation sequences for the property tests that compare two paths of core (statement
 * cache on/off, prepared statements on/off): the operations, how one runs on a store, and an
 * outcome both paths can be compared by.
 */
import type { Row, Store, Where } from '@mikro-auth/core';
import { Type } from '@mikro-orm/core';
import fc from 'fast-check';

/** Stores strings lower-cased: a custom type whose database form differs from the JavaScript one. */
export class LowerCaseType extends Type<string, string> {
  override convertToDatabaseValue(value: string): string {
    return typeof value === 'string' ? value.toLowerCase() : value;
  }
  override getColumnType(): string {
    return 'varchar(255)';
  }
}

export type Operation =
  | { kind: 'create'; data: Row }
  | { kind: 'findOne' | 'count' | 'deleteMany' | 'consumeOne'; where: Where }
  | { kind: 'findMany'; where: Where; limit?: number; offset?: number; desc: boolean }
  | { kind: 'updateOne' | 'updateMany'; where: Where; data: Row }
  | { kind: 'upsert'; data: Row }
  | { kind: 'incrementOne'; where: Where; by: number };

/** What `randomWhere` draws from. */
export interface WhereSpace<F extends string> {
  fields: readonly F[];
  /** A random value of a field. */
  value: (field: F) => fc.Arbitrary<unknown>;
  /** String fields: they also get case modes and contains/starts_with/ends_with with `texts`. */
  textFields: readonly F[];
  texts: readonly string[];
  /** Fields with no order (booleans): equality operators only. */
  unordered?: readonly F[];
  maxClauses: number;
  inList: { minLength?: number; maxLength: number };
}

/** Random where clauses over `space`; range operators always get a non-null value. */
export function randomWhere<F extends string>(space: WhereSpace<F>): fc.Arbitrary<Where> {
  const connector = fc.constantFrom('AND', 'OR');
  const clause = fc.constantFrom(...space.fields).chain((field) => {
    const text = space.textFields.includes(field);
    return fc.oneof(
      fc.record({
        field: fc.constant(field),
        operator: space.unordered?.includes(field)
          ? fc.constantFrom('eq', 'ne')
          : fc.constantFrom('eq', 'ne', 'lt', 'gte'),
        value: fc.oneof(space.value(field), fc.constant(null)),
        connector,
        mode: text ? fc.constantFrom('sensitive', 'insensitive') : fc.constant('sensitive'),
      }),
      fc.record({
        field: fc.constant(field),
        operator: fc.constantFrom('in', 'not_in'),
        value: fc.array(space.value(field), space.inList),
        connector,
        mode: fc.constant('sensitive'),
      }),
      ...(text
        ? [
            fc.record({
              field: fc.constant(field),
              operator: fc.constantFrom('contains', 'starts_with', 'ends_with'),
              value: fc.constantFrom(...space.texts),
              connector,
              mode: fc.constantFrom('sensitive', 'insensitive'),
            }),
          ]
        : []),
    );
  });
  return fc
    .array(clause, { maxLength: space.maxClauses })
    .map(
      (clauses) =>
        clauses.filter(
          (item) => item.value !== null || item.operator === 'eq' || item.operator === 'ne',
        ) as unknown as Where,
    );
}

/** Operations on a model with an integer field `n`, from the given where and data arbitraries. */
export function operations(
  where: fc.Arbitrary<Where>,
  data: fc.Arbitrary<Row>,
  options: { upserts?: boolean } = {},
): fc.Arbitrary<Operation> {
  return fc.oneof(
    { weight: 3, arbitrary: data.map((values) => ({ kind: 'create' as const, data: values })) },
    {
      weight: 3,
      arbitrary: fc.record({ kind: fc.constantFrom('findOne' as const, 'count' as const), where }),
    },
    {
      weight: 3,
      arbitrary: fc.record(
        {
          kind: fc.constant('findMany' as const),
          where,
          limit: fc.integer({ min: 0, max: 4 }),
          offset: fc.integer({ min: 0, max: 3 }),
          desc: fc.boolean(),
        },
        { requiredKeys: ['kind', 'where', 'desc'] },
      ),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constantFrom('updateOne' as const, 'updateMany' as const),
        where,
        data,
      }),
    },
    ...(options.upserts
      ? [
          {
            weight: 1,
            arbitrary: data.map((values) => ({ kind: 'upsert' as const, data: values })),
          },
        ]
      : []),
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constantFrom('deleteMany' as const, 'consumeOne' as const),
        where,
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('incrementOne' as const),
        where,
        by: fc.integer({ min: -2, max: 2 }),
      }),
    },
  );
}

/** Runs one operation on one store's model; `id` is a created row's (upserts reuse three ids). */
export async function runOperation(
  store: Store,
  model: string,
  op: Operation,
  id: string,
): Promise<unknown> {
  switch (op.kind) {
    case 'create':
      return store.create(model, { id, ...op.data });
    case 'findOne':
      return store.findOne(model, op.where);
    case 'count':
      return store.count(model, op.where);
    case 'findMany':
      return store.findMany(model, {
        where: op.where,
        limit: op.limit,
        offset: op.offset,
        sort: { field: 'n', direction: op.desc ? 'desc' : 'asc' },
      });
    case 'updateOne':
      return store.updateOne(model, op.where, op.data);
    case 'updateMany':
      return store.updateMany(model, op.where, op.data);
    case 'upsert':
      return store.upsert(model, { id: `u${id.length % 3}`, ...op.data });
    case 'deleteMany':
      return store.deleteMany(model, op.where);
    case 'consumeOne':
      return store.consumeOne(model, op.where);
    case 'incrementOne':
      return store.incrementOne(model, {
        where: [{ field: 'n', operator: 'ne', value: null }, ...op.where],
        increment: { n: op.by },
      });
  }
}

/** An operation's outcome, comparable across two stores: a value or the error's code. */
export async function outcome(promise: Promise<unknown>): Promise<unknown> {
  try {
    return { ok: await promise };
  } catch (error) {
    return { error: (error as { code?: string }).code ?? String(error) };
  }
}
