export {
  ConnectionError,
  ForeignKeyViolationError,
  InvalidQueryError,
  MikroAuthError,
  type MikroAuthErrorCode,
  NotNullViolationError,
  UniqueViolationError,
  UnknownFieldError,
  UnknownModelError,
} from './errors.js';
export { compareRows, matchesWhere } from './query/evaluate.js';
export { normalizeWhere } from './query/normalize.js';
export type {
  Clause,
  ClauseValue,
  Connector,
  FindManyQuery,
  Mode,
  NormalizedClause,
  Operator,
  Row,
  ScalarValue,
  SortKey,
  Where,
} from './query/types.js';
