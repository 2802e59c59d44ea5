/**
 * `@mikro-auth/core/internal`: what the framework packages (and the conformance suite) build on,
 * beyond the public surface in `index.ts`. No stability promise: these change with the adapters.
 */
export { checkModels, type ModelRequirement, type ModelSource } from './model/check.js';
export { type FieldJoin, FieldMap, type FieldSource, joinKey } from './model/field-map.js';
export { modelName, pascalCase, snakeCase } from './model/naming.js';
export { type FieldInfo, type FieldType, type ModelInfo, ModelRegistry } from './model/registry.js';
export { guardConnectionLoss } from './orm/connection-recovery.js';
export { type Dialect, dialectOf, type SqlDialect } from './orm/dialect.js';
export { EntityManagerResolver, isOrmSource } from './orm/entity-manager.js';
export { preparedRuns } from './orm/prepared.js';
export { checkOrmVersion } from './orm/versions.js';
export {
  type CaseFolding,
  compareRows,
  type EvaluateOptions,
  matchesWhere,
} from './query/evaluate.js';
export { normalizeWhere } from './query/normalize.js';
export type { NormalizedClause } from './query/types.js';
export { BINARY_COLLATION } from './schema/exact-string.js';
