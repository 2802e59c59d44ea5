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
export { checkModels, type ModelRequirement, type ModelSource } from './model/check.js';
export { type FieldJoin, FieldMap, type FieldSource, joinKey } from './model/field-map.js';
export { modelName, pascalCase, snakeCase } from './model/naming.js';
export {
  type FieldInfo,
  type FieldType,
  type ModelInfo,
  ModelRegistry,
  type ModelTarget,
} from './model/registry.js';
export { guardConnectionLoss } from './orm/connection-recovery.js';
export { type Dialect, dialectOf } from './orm/dialect.js';
export { EntityManagerResolver, type OrmSource } from './orm/entity-manager.js';
export type { ReadRouting } from './orm/replicas.js';
export {
  checkOrmVersion,
  type OrmVersion,
  ormVersion,
  SUPPORTED_MIKRO_ORM_RANGE,
} from './orm/versions.js';
export {
  type CaseFolding,
  compareRows,
  type EvaluateOptions,
  matchesWhere,
} from './query/evaluate.js';
export { normalizeWhere } from './query/normalize.js';
export type {
  Clause,
  ClauseValue,
  Connector,
  FindManyQuery,
  FindOneOptions,
  Join,
  Mode,
  NormalizedClause,
  Operator,
  Row,
  ScalarValue,
  SortKey,
  Where,
} from './query/types.js';
export { buildEntitySchemas } from './schema/entity-schema.js';
export { BINARY_COLLATION, ExactStringType } from './schema/exact-string.js';
export { type RenderOptions, renderEntitySource } from './schema/render.js';
export type {
  FieldSpec,
  FieldSpecType,
  IdStrategy,
  IndexSpec,
  ReferentialAction,
  TableSpec,
} from './schema/spec.js';
export { createStore, type IncrementOneArgs, Store, type StoreOptions } from './store.js';
