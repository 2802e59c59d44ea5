/** `@mikro-auth/core`: the store, its query and table types, entity builders and typed errors. */
export {
  ConcurrencyConflictError,
  ConfigurationError,
  type ConflictKind,
  ConnectionError,
  ForeignKeyViolationError,
  InvalidQueryError,
  InvalidValueError,
  type InvalidValueReason,
  MikroAuthError,
  type MikroAuthErrorCode,
  NotFoundError,
  NotNullViolationError,
  SchemaMismatchError,
  type SchemaProblem,
  UniqueViolationError,
  UnknownFieldError,
  UnknownModelError,
  UnsupportedError,
  UnsupportedOrmVersionError,
  type ValueLocation,
  ValueTooLongError,
} from './errors/classes.js';
export type { FieldInfo, FieldType, ModelInfo, ModelTarget } from './model/registry.js';
export type { OrmSource } from './orm/entity-manager.js';
export type { ReadRouting } from './orm/replicas.js';
export { type OrmVersion, ormVersion, SUPPORTED_MIKRO_ORM_RANGE } from './orm/versions.js';
export type {
  Clause,
  ClauseValue,
  Connector,
  FindManyQuery,
  FindOneOptions,
  Join,
  Mode,
  Operator,
  Row,
  ScalarValue,
  SortKey,
  Where,
} from './query/types.js';
export { buildEntitySchemas } from './schema/entity-schema.js';
export { ExactStringType } from './schema/exact-string.js';
export { type RenderOptions, renderEntitySource } from './schema/render.js';
export type {
  FieldSpec,
  FieldSpecType,
  IdStrategy,
  IndexSpec,
  ReferentialAction,
  TableSpec,
} from './schema/spec.js';
export {
  createStore,
  type IncrementOneArgs,
  type Store,
  type StoreOptions,
  type UpsertOptions,
} from './store.js';
