export {
  SESSION_ENTITY,
  type SessionStoreTableOptions,
  sessionStoreEntities,
  sessionStoreTable,
} from './entities.js';
export {
  MikroOrmSessionStore,
  type MikroOrmSessionStoreOptions,
  type SessionSerializer,
  type StoredSession,
} from './store.js';
