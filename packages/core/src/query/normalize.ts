import { InvalidQueryError } from '../errors/classes.js';
import {
  type Clause,
  type ClauseValue,
  type NormalizedClause,
  OPERATORS,
  type Operator,
  type ScalarValue,
  type Where,
} from './types.js';

const LIKE_OPERATORS: ReadonlySet<Operator> = new Set(['contains', 'starts_with', 'ends_with']);
const RANGE_OPERATORS: ReadonlySet<Operator> = new Set(['lt', 'lte', 'gt', 'gte']);

/** True for contains / starts_with / ends_with. */
export function isLikeOperator(operator: Operator): boolean {
  return LIKE_OPERATORS.has(operator);
}

function isScalar(value: unknown): value is ScalarValue {
  return (
    value === null ||
    value instanceof Date ||
    ['string', 'number', 'bigint', 'boolean'].includes(typeof value)
  );
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (value === undefined) return 'undefined';
  if (value instanceof Date) return 'a Date';
  return `${typeof value} ${JSON.stringify(value)}`;
}

function checkValue(operator: Operator, value: ClauseValue, at: { model?: string; field: string }) {
  if (operator === 'in' || operator === 'not_in') {
    if (!Array.isArray(value)) {
      throw new InvalidQueryError(
        `operator "${operator}" needs an array of values, got ${describe(value)}.`,
        at,
      );
    }
    const bad = value.find((item) => !isScalar(item) || item === null);
    if (bad !== undefined) {
      throw new InvalidQueryError(
        `operator "${operator}" takes a list of non-null scalars, got ${describe(bad)} in the list.`,
        at,
      );
    }
    return;
  }
  if (!isScalar(value)) {
    throw new InvalidQueryError(
      `operator "${operator}" needs a single value, got ${describe(value)}.`,
      at,
    );
  }
  if (LIKE_OPERATORS.has(operator) && typeof value !== 'string') {
    throw new InvalidQueryError(
      `operator "${operator}" needs a string, got ${describe(value)}.`,
      at,
    );
  }
  if (RANGE_OPERATORS.has(operator) && (value === null || typeof value === 'boolean')) {
    throw new InvalidQueryError(
      `operator "${operator}" needs a number, string or Date, got ${describe(value)}.`,
      at,
    );
  }
}

/** Applies defaults and checks every clause; throws InvalidQueryError on a malformed one. */
export function normalizeWhere(where: Where | undefined, model?: string): NormalizedClause[] {
  if (where === undefined) return [];
  if (!Array.isArray(where)) {
    throw new InvalidQueryError(`where must be an array of clauses, got ${describe(where)}.`, {
      model,
    });
  }
  return where.map((clause: Clause) => {
    if (clause === null || typeof clause !== 'object' || typeof clause.field !== 'string') {
      throw new InvalidQueryError(`every clause needs a "field" name, got ${describe(clause)}.`, {
        model,
      });
    }
    const at = { model, field: clause.field };
    const operator = clause.operator ?? 'eq';
    if (!(OPERATORS as readonly string[]).includes(operator)) {
      throw new InvalidQueryError(
        `unknown operator "${operator}"; use one of ${OPERATORS.join(', ')}.`,
        at,
      );
    }
    const connector = clause.connector ?? 'AND';
    if (connector !== 'AND' && connector !== 'OR') {
      throw new InvalidQueryError(`unknown connector "${connector}"; use AND or OR.`, at);
    }
    const mode = clause.mode ?? 'sensitive';
    if (mode !== 'sensitive' && mode !== 'insensitive') {
      throw new InvalidQueryError(`unknown mode "${mode}"; use sensitive or insensitive.`, at);
    }
    if (clause.value === undefined) {
      throw new InvalidQueryError('the value is undefined; use null to match a missing value.', at);
    }
    checkValue(operator, clause.value, at);
    return { field: clause.field, operator, value: clause.value, connector, mode };
  });
}

/** Splits clauses into the AND group and the OR group. */
export function groupClauses(clauses: readonly NormalizedClause[]): {
  and: NormalizedClause[];
  or: NormalizedClause[];
} {
  return {
    and: clauses.filter((clause) => clause.connector === 'AND'),
    or: clauses.filter((clause) => clause.connector === 'OR'),
  };
}

/** The character our LIKE patterns use as escape; chosen because no SQL dialect treats it specially. */
export const LIKE_ESCAPE = '!';

/** Builds a LIKE pattern that matches `value` literally (wildcards and the escape char escaped). */
export function likePattern(operator: Operator, value: string): string {
  const literal = value.replace(/[!%_]/g, (char) => LIKE_ESCAPE + char);
  switch (operator) {
    case 'contains':
      return `%${literal}%`;
    case 'starts_with':
      return `${literal}%`;
    case 'ends_with':
      return `%${literal}`;
    default:
      throw new InvalidQueryError(`operator "${operator}" is not a LIKE operator.`);
  }
}

/** Throws InvalidQueryError unless a limit or offset is a non-negative integer (or absent). */
export function checkCount(
  name: 'limit' | 'offset',
  value: number | undefined,
  model: string,
): void {
  if (value === undefined) return;
  if (!Number.isInteger(value) || value < 0) {
    throw new InvalidQueryError(`${name} must be a non-negative integer, got ${String(value)}.`, {
      model,
    });
  }
}
