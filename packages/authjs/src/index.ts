export {
  type AuthjsAdapter,
  MikroOrmAdapter,
  type MikroOrmAdapterOptions,
  mikroOrmAdapter,
} from './adapter.js';
export {
  type AuthjsFieldNames,
  type AuthjsFields,
  type AuthjsModel,
  type AuthjsTablesOptions,
  authjsEntities,
  authjsTables,
} from './entities.js';
