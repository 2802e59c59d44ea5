/**
 * The startup check of a Better Auth configuration against the ORM's entities (no SQL): which
 * models and fields the configuration needs, how a mismatch is reported, and the fix it names.
 */
import { SchemaMismatchError, type SchemaProblem, type Store } from '@mikro-auth/core';
import { checkModels, ModelRegistry, modelName } from '@mikro-auth/core/internal';
import type { AdapterFactoryCustomizeAdapterCreator } from 'better-auth/adapters';
import type { MikroOrmAdapterOptions } from './options.js';

/** What Better Auth's adapter factory hands the adapter (its options, schema, name mapping). */
export type Helpers = Parameters<AdapterFactoryCustomizeAdapterCreator>[0];

/** Throws the configuration's SchemaMismatchError, if any; runs the check first if it could not run yet. */
export type SchemaGuard = () => void;

/** How to fix the problems, in Better Auth's terms. */
function schemaFix(problems: readonly SchemaProblem[]): string {
  const lines = [
    'Fix: generate the entities for this configuration with `npx auth generate --output ' +
      'src/auth-entities.ts` (or build them with `betterAuthEntities(authConfig)`), add them to ' +
      'your MikroORM config and create the tables (a migration, or `orm.schema.update()`). With ' +
      'your own entities, add the missing properties, or map models to entities with the ' +
      "adapter's `entities` option.",
  ];
  if (problems.some((problem) => problem.kind === 'id-without-default')) {
    lines.push(
      '`advanced.database.generateId: false` leaves ids to the database: remove it (Better Auth ' +
        "then generates them), use 'uuid' or 'serial', or give the id property a database default " +
        "(`autoincrement: true`, or `defaultRaw: 'gen_random_uuid()'` on PostgreSQL). The entities " +
        'mikro-auth generates have no id default.',
    );
  }
  lines.push(
    'To skip this check, set `advanced.database.validateSchema: false` in your Better Auth options.',
  );
  return lines.join('\n');
}

/** The models and fields a Better Auth configuration reads and writes, named as `view` resolves them. */
function schemaRequirements(helpers: Helpers, options: MikroOrmAdapterOptions) {
  const generatedId = helpers.options.advanced?.database?.generateId === false;
  return Object.entries(helpers.schema)
    .filter(([, table]) => !table.disableMigrations)
    .map(([key, table]) => ({
      model: key,
      resolveAs: modelName(key, options.entities, helpers.getModelName(key)),
      fields: Object.keys(table.fields)
        .filter((field) => field !== 'id')
        .map((field) => {
          const column = helpers.getFieldName({ model: key, field });
          return { field, names: [column, field] };
        }),
      databaseGeneratedId: generatedId,
    }));
}

/** Logs the mismatch where Better Auth logs, when the adapter is built (at startup). */
function reportMismatch(helpers: Helpers, error: SchemaMismatchError): void {
  const logger = helpers.options.logger;
  if (logger?.disabled) return;
  if (logger?.log) logger.log('error', error.message);
  else console.error(`[mikro-auth] ${error.message}`);
}

/**
 * Checks the configuration's models and fields against the ORM's metadata (no SQL): once when the
 * adapter is built, logging a mismatch at once, and again on the first database call, whose
 * verdict every later call reuses (the ORM behind a getter may only be ready, or replaced, by
 * then). `createSchema` (`npx auth generate`) is never blocked, so the fix can run.
 */
export function createSchemaGuard(
  store: Store,
  helpers: Helpers,
  options: MikroOrmAdapterOptions,
): SchemaGuard {
  if (helpers.options.advanced?.database?.validateSchema === false) return () => {};
  const check = () => {
    // A registry of its own: the store resolves models lazily, from the ORM of its first call.
    const registry = new ModelRegistry(store.em().getMetadata(), options.entities ?? {});
    const problems = checkModels(
      { model: (name) => registry.get(name), dialect: () => store.dialect() },
      schemaRequirements(helpers, options),
    );
    return problems.length > 0 ? new SchemaMismatchError(problems, schemaFix(problems)) : null;
  };
  try {
    const error = check();
    if (error) reportMismatch(helpers, error);
  } catch {
    // The ORM is not reachable yet (e.g. a getter before initialisation): the first call checks.
  }
  let verdict: SchemaMismatchError | null | undefined;
  return () => {
    if (verdict === undefined) verdict = check();
    if (verdict) throw verdict;
  };
}
