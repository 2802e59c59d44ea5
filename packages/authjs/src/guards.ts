/** Construction-time checks of what `MikroOrmAdapter` was given: typed errors, no SQL. */
import { ConfigurationError, type OrmSource } from '@mikro-auth/core';
import { isOrmSource } from '@mikro-auth/core/internal';
import { AUTHJS_MODELS } from './entities.js';
import type { MikroOrmAdapterOptions } from './types.js';

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** What a caller passed instead of an ORM, for the error message. */
function describe(value: unknown): string {
  if (isObject(value)) {
    const keys = Object.keys(value).slice(0, 6);
    return keys.length > 0 ? `an object with keys ${keys.join(', ')}` : 'an empty object';
  }
  return value === null ? 'null' : typeof value;
}

/**
 * Fails at construction, not at the first sign-in, when the first argument is no ORM source: most
 * often the MikroORM options object `@auth/mikro-orm-adapter` took (`{ dbName, type }`).
 */
export function assertOrmSource(orm: unknown): asserts orm is OrmSource {
  if (isOrmSource(orm)) return;
  const options =
    isObject(orm) &&
    ('dbName' in orm ||
      'type' in orm ||
      'driver' in orm ||
      'clientUrl' in orm ||
      'entities' in orm);
  throw new ConfigurationError(
    'orm',
    `MikroOrmAdapter needs your initialised MikroORM instance (or an EntityManager, or a function returning one), but got ${describe(orm)}.` +
      (options
        ? ' MikroORM options (`{ dbName, type }`, as @auth/mikro-orm-adapter took them) are no longer accepted:'
        : '') +
      ' create the ORM once in your app, `const orm = await MikroORM.init({ ...options, entities: [...authjsEntities()] })`,' +
      ' and pass it: `MikroOrmAdapter(orm)`.',
  );
}

/** Rejects `entities` keys of @auth/mikro-orm-adapter (`User`, `Account`, …) and unknown keys. */
export function assertOptions(options: unknown): asserts options is MikroOrmAdapterOptions {
  if (options === undefined) return;
  if (!isObject(options)) {
    throw new ConfigurationError(
      'options',
      `expected an object or nothing, got ${describe(options)}.`,
    );
  }
  const entities = options.entities;
  if (entities === undefined) return;
  if (!isObject(entities)) {
    throw new ConfigurationError(
      'entities',
      `expected an object keyed by Auth.js model, got ${describe(entities)}.`,
    );
  }
  for (const key of Object.keys(entities)) {
    if ((AUTHJS_MODELS as readonly string[]).includes(key)) continue;
    const model = AUTHJS_MODELS.find((name) => name.toLowerCase() === key.toLowerCase());
    throw new ConfigurationError(
      `entities.${key}`,
      model
        ? `the keys are Auth.js model names: write \`entities: { ${model}: ${key} }\` (@auth/mikro-orm-adapter used \`{ ${key} }\`).`
        : `"${key}" is no Auth.js model; use ${AUTHJS_MODELS.join(', ')}.`,
    );
  }
}
