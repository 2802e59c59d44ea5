export { EntityManagerResolver, type OrmSource } from './context.js';
export { type Dialect, dialectOf } from './dialect.js';
export {
  ConcurrencyConflictError,
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
  UniqueViolationError,
  UnknownFieldError,
  UnknownModelError,
  type ValueLocation,
  ValueTooLongError,
} from './errors.js';
export {
  type FieldInfo,
  type FieldType,
  type ModelInfo,
  ModelRegistry,
  type ModelTarget,
} from './model.js';
export { guardConnectionLoss } from './orm/connection-recovery.js';
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
