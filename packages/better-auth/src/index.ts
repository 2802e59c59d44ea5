export { type MikroOrmAdapterOptions, mikroOrmAdapter } from './adapter.js';
export {
  betterAuthEntities,
  betterAuthTables,
  type EntityNamingOptions,
  tablesFromSchema,
} from './schema.js';
