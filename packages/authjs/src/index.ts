export {
  type AuthjsAdapter,
  MikroOrmAdapter,
  type MikroOrmAdapterOptions,
  mikroOrmAdapter,
} from './adapter.js';
export {
  type AuthjsEntitiesOptions,
  type AuthjsEntity,
  type AuthjsFieldNames,
  type AuthjsFields,
  type AuthjsModel,
  type AuthjsTablesOptions,
  authjsDefaultEntities,
  authjsEntities,
  authjsTables,
} from './entities.js';
export {
  LEGACY_MIGRATION_DIALECTS,
  type LegacyMigrationDialect,
  legacyMigrationClass,
  legacyMigrationSql,
  legacyMigrationStatements,
} from './migration.js';
