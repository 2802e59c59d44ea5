import { type Dictionary, type Platform, raw } from '@mikro-orm/core';
import { InvalidQueryError } from '../errors/classes.js';
import type { FieldInfo, ModelInfo } from '../model/registry.js';
import { dialectOf, type SqlDialect } from '../orm/dialect.js';
import { paddedList } from '../statements/key.js';
import { coerceValue } from './coerce.js';
import { convertsValues, toDatabaseValue } from './convert.js';
import { isLikeOperator, LIKE_ESCAPE, likePattern, normalizeWhere } from './normalize.js';
import type { ResolvedClause, ScalarValue, Where } from './types.js';

/** A MikroORM filter object (property names, operators, raw-fragment keys). */
export type Filter = Dictionary;

/** The outcome of translating one clause or group: a filter, or a constant. */
type Term = { kind: 'filter'; filter: Filter } | { kind: 'true' } | { kind: 'false' };

const TRUE: Term = { kind: 'true' };
const FALSE: Term = { kind: 'false' };

/**
 * A filter that no row satisfies; emitted instead of an empty `$or`, which MikroORM would mishandle.
 * Built afresh each time: MikroORM 6 forgets a raw fragment once a query used it.
 */
const nothing = (): Filter => ({ [raw('1 = 0')]: [] });

function rawTerm(sql: string, params: readonly unknown[], collectOnly = false): Term {
  return { kind: 'filter', filter: collectOnly ? {} : { [raw(sql, params)]: [] } };
}

function filterTerm(filter: Filter): Term {
  return { kind: 'filter', filter };
}

const COMPARATORS = { eq: '=', ne: '<>', lt: '<', lte: '<=', gt: '>', gte: '>=' } as const;
const OPERATOR_KEYS = { ne: '$ne', lt: '$lt', lte: '$lte', gt: '$gt', gte: '$gte' } as const;

/** Escapes a literal for SQLite's GLOB, whose metacharacters are `*`, `?` and `[`. */
function globLiteral(value: string): string {
  return value.replace(/[*?[]/g, (char) => `[${char}]`);
}

/**
 * Sees every value the translation puts into SQL, in order: `plain` values go into filter objects
 * (MikroORM converts them to the column's database type), `param` values into raw fragments as they
 * are. The statement cache uses it to turn a translation into a template and to refill it.
 */
export interface ValueSlots {
  plain(field: FieldInfo, value: unknown): unknown;
  param(value: unknown): unknown;
  /** Only the values are wanted: no raw SQL fragments need to be made. */
  readonly collectOnly?: boolean;
}

/** Slots that pass every value straight through: the QueryBuilder path with no cache. */
export const DIRECT_SLOTS: ValueSlots = { plain: (_, value) => value, param: (value) => value };

interface Context {
  model: ModelInfo;
  platform: Platform;
  dialect: SqlDialect;
  alias: string | undefined;
  slots: ValueSlots;
}

function columnRef(context: Context, field: FieldInfo): string {
  return context.alias ? `${context.alias}.${field.column}` : field.column;
}

/** A value as a raw SQL fragment parameter: converted by the field's type, if it converts. */
function param(context: Context, field: FieldInfo, value: unknown): unknown {
  return context.slots.param(toDatabaseValue(field, value, context.platform, 'query'));
}

/**
 * A value for a filter object. Values of converting types are converted here and passed as a `?`
 * fragment, so MikroORM neither skips nor repeats the conversion, with the statement cache on or off.
 */
function filterValue(context: Context, field: FieldInfo, value: unknown): unknown {
  if (!convertsValues(field)) return context.slots.plain(field, value);
  return raw('?', [param(context, field, value)]);
}

function placeholders(count: number, wrap = '?'): string {
  return Array.from({ length: count }, () => wrap).join(', ');
}

/** Translates one string comparison that must ignore or respect case exactly, on every dialect. */
function stringTerm(context: Context, field: FieldInfo, clause: ResolvedClause): Term {
  const column = columnRef(context, field);
  const insensitive = clause.mode === 'insensitive';
  const collated = context.dialect.collatedStrings;
  // MySQL/MariaDB compare through the column's collation (usually case- and accent-insensitive,
  // trailing-space-padded); comparing the binary forms gives exact semantics.
  const left = insensitive
    ? collated
      ? 'binary lower(??)'
      : 'lower(??)'
    : collated
      ? 'binary ??'
      : '??';
  const right = insensitive ? 'lower(?)' : '?';
  const { operator } = clause;

  if (operator === 'in' || operator === 'not_in') {
    const values = clause.value as readonly string[];
    if (values.length === 0) return operator === 'in' ? FALSE : TRUE;
    const padded = paddedList(values);
    const list = placeholders(padded.length, right);
    return rawTerm(
      `${left} ${operator === 'in' ? 'in' : 'not in'} (${list})`,
      [column, ...padded.map((value) => param(context, field, value))],
      context.slots.collectOnly,
    );
  }
  if (isLikeOperator(operator)) {
    const value = String(toDatabaseValue(field, clause.value, context.platform, 'query'));
    if (context.dialect.likeIgnoresCase && !insensitive) {
      // SQLite's LIKE ignores ASCII case; GLOB is its case-sensitive matcher.
      const literal = globLiteral(value);
      const pattern =
        operator === 'contains'
          ? `*${literal}*`
          : operator === 'starts_with'
            ? `${literal}*`
            : `*${literal}`;
      return rawTerm(
        '?? glob ?',
        [column, context.slots.param(pattern)],
        context.slots.collectOnly,
      );
    }
    return rawTerm(
      `${left} like ${right} escape '${LIKE_ESCAPE}'`,
      [column, context.slots.param(likePattern(operator, value))],
      context.slots.collectOnly,
    );
  }
  const comparator = COMPARATORS[operator as keyof typeof COMPARATORS];
  if (!insensitive && !collated) {
    const value = filterValue(context, field, clause.value);
    return filterTerm(
      operator === 'eq'
        ? { [field.name]: value }
        : { [field.name]: { [OPERATOR_KEYS[operator as keyof typeof OPERATOR_KEYS]]: value } },
    );
  }
  if (operator === 'eq' && !insensitive) {
    // Keep a plain equality beside the binary one so an index on the column stays usable.
    const plain = { [field.name]: filterValue(context, field, clause.value) };
    const exact = rawTerm(
      `${left} = ${right}`,
      [column, param(context, field, clause.value)],
      context.slots.collectOnly,
    );
    return filterTerm({ $and: [plain, (exact as { filter: Filter }).filter] });
  }
  return rawTerm(
    `${left} ${comparator} ${right}`,
    [column, param(context, field, clause.value)],
    context.slots.collectOnly,
  );
}

/** A clause whose field is resolved to a property and whose value is coerced to that field's type. */

/** Normalizes a where, resolves every field (UnknownFieldError) and coerces every value (InvalidQueryError). */
export function resolveWhere(model: ModelInfo, where: Where | undefined): ResolvedClause[] {
  return normalizeWhere(where, model.name).map((clause) => {
    const field = model.field(clause.field);
    const at = { model: model.name, field: clause.field };
    const value =
      clause.value === null
        ? null
        : Array.isArray(clause.value)
          ? (clause.value as readonly ScalarValue[]).map(
              (item) => coerceValue(field, item, at) as ScalarValue,
            )
          : (coerceValue(field, clause.value, at) as ScalarValue);
    return { ...clause, field: field.name, value, resolved: field };
  });
}

function clauseTerm(context: Context, coerced: ResolvedClause): Term {
  const field = coerced.resolved;
  const at = { model: context.model.name, field: coerced.field };
  const { operator, value } = coerced;

  if ((operator === 'eq' || operator === 'ne') && value === null) {
    return filterTerm({ [field.name]: operator === 'eq' ? null : { $ne: null } });
  }
  const isStringValue = Array.isArray(value)
    ? value.every((item) => typeof item === 'string')
    : typeof value === 'string';
  if (isLikeOperator(operator)) {
    if (field.type !== 'string' && field.type !== 'other') {
      throw new InvalidQueryError(
        `operator "${operator}" only applies to text fields; "${field.name}" holds ${field.type} values.`,
        at,
      );
    }
    return stringTerm(context, field, coerced);
  }
  if (isStringValue && (field.type === 'string' || field.type === 'other')) {
    return stringTerm(context, field, coerced);
  }
  if (operator === 'in' || operator === 'not_in') {
    const values = value as readonly unknown[];
    if (values.length === 0) return operator === 'in' ? FALSE : TRUE;
    const slotted = paddedList(values).map((item) => filterValue(context, field, item));
    return filterTerm({ [field.name]: { [operator === 'in' ? '$in' : '$nin']: slotted } });
  }
  if (operator === 'eq') return filterTerm({ [field.name]: filterValue(context, field, value) });
  if (isLikeOperator(operator))
    throw new InvalidQueryError(`operator "${operator}" needs a string.`, at);
  return filterTerm({
    [field.name]: {
      [OPERATOR_KEYS[operator as keyof typeof OPERATOR_KEYS]]: filterValue(context, field, value),
    },
  });
}

function combine(terms: readonly Term[], connector: 'AND' | 'OR'): Term {
  const filters: Filter[] = [];
  for (const term of terms) {
    if (term.kind === 'filter') filters.push(term.filter);
    else if (connector === 'AND' && term.kind === 'false') return FALSE;
    else if (connector === 'OR' && term.kind === 'true') return TRUE;
  }
  if (filters.length === 0) return connector === 'AND' || terms.length === 0 ? TRUE : FALSE;
  if (filters.length === 1) return filterTerm(filters[0]!);
  return filterTerm({ [connector === 'AND' ? '$and' : '$or']: filters });
}

/**
 * Translates the neutral where into a MikroORM filter: `(AND clauses) AND (any OR clause)`, with
 * exact case handling, literal LIKE matching and null semantics on every dialect. Never emits an
 * empty `$or` or `$and`; a where that matches nothing becomes `1 = 0`.
 */
export function translateWhere(
  model: ModelInfo,
  clauses: readonly ResolvedClause[],
  platform: Platform,
  alias?: string,
  slots: ValueSlots = DIRECT_SLOTS,
): Filter {
  const context: Context = { model, platform, dialect: dialectOf(platform), alias, slots };
  const and = clauses.filter((clause) => clause.connector === 'AND');
  const or = clauses.filter((clause) => clause.connector === 'OR');
  const andTerm = combine(
    and.map((clause) => clauseTerm(context, clause)),
    'AND',
  );
  const orTerm =
    or.length === 0
      ? TRUE
      : combine(
          or.map((clause) => clauseTerm(context, clause)),
          'OR',
        );
  const whole = combine([andTerm, orTerm], 'AND');
  if (whole.kind === 'true') return {};
  if (whole.kind === 'false') return nothing();
  return whole.filter;
}
