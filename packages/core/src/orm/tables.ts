import type { EntityManager, EntityMetadata } from '@mikro-orm/core';

/**
 * The schema a statement on `meta` runs in, chosen as MikroORM's QueryBuilder chooses it: the
 * entity's own schema, else the EntityManager's (`em.fork({ schema })`, a RequestContext's), else
 * the configured one; undefined for the platform's default schema.
 */
export function schemaOf(em: EntityManager, meta: EntityMetadata): string | undefined {
  const own = meta.schema && meta.schema !== '*' ? meta.schema : undefined;
  const schema = own ?? em.schema ?? em.config.getSchema(true);
  return schema === em.getPlatform().getDefaultSchemaName() ? undefined : schema;
}

/** The entity's table as quoted SQL, qualified with its schema when it has one. */
export function qualifiedTable(em: EntityManager, meta: EntityMetadata): string {
  const platform = em.getPlatform();
  const schema = schemaOf(em, meta);
  const table = platform.quoteIdentifier(meta.tableName);
  return schema ? `${platform.quoteIdentifier(schema)}.${table}` : table;
}

/** The entity's table as `schema.table` (or `table`), for a `??` identifier placeholder. */
export function tablePath(em: EntityManager, meta: EntityMetadata): string {
  const schema = schemaOf(em, meta);
  return schema ? `${schema}.${meta.tableName}` : meta.tableName;
}
