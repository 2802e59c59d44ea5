import {
  InvalidQueryError,
  InvalidValueError,
  type InvalidValueReason,
} from '../errors/classes.js';
import type { FieldInfo } from '../model/registry.js';

/** Where a value is checked: the model and field names the caller used, and the database if known. */
export interface CoerceContext {
  model?: string;
  field?: string;
  /**
   * The database's driver reads integers as JavaScript numbers (SQLite): bigints beyond ±2^53 are
   * refused, as they would read back rounded.
   */
  integersAsNumbers?: boolean;
  /** The value is written (create, update): a value no column can hold is an InvalidValueError. */
  write?: boolean;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
/** A high surrogate not followed by a low one, or a low surrogate not preceded by a high one. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const MAX_SHOWN = 60;

function describe(value: unknown): string {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'an Invalid Date' : 'a Date';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number') return `number ${String(value)}`;
  if (typeof value === 'bigint') return `bigint ${value}n`;
  if (typeof value === 'string') {
    const shown = value.length > MAX_SHOWN ? `${value.slice(0, MAX_SHOWN)}…` : value;
    return `string ${JSON.stringify(shown)}`;
  }
  return `${typeof value} ${JSON.stringify(value)}`;
}

function invalid(
  reason: InvalidValueReason,
  problem: string,
  fix: string,
  at: CoerceContext,
  field: FieldInfo,
): never {
  throw new InvalidValueError(reason, problem, fix, {
    model: at.model,
    field: at.field ?? field.name,
  });
}

/** Throws InvalidValueError for a string no database can store faithfully (NUL, lone surrogate). */
function checkText(text: string, at: CoerceContext, field: FieldInfo, inside = ''): void {
  const nul = text.indexOf('\u0000');
  if (nul !== -1) {
    invalid(
      'nul_character',
      `the ${inside}string contains a NUL character (U+0000) at index ${nul}; PostgreSQL and ` +
        'SQLite cannot store it, so it is refused on every database.',
      'Remove NUL characters before passing the value (e.g. value.replaceAll("\\u0000", "")); ' +
        'store binary data in a blob/bytea column or encode it (base64).',
      at,
      field,
    );
  }
  const lone = LONE_SURROGATE.exec(text);
  if (lone) {
    const unit = lone[0].charCodeAt(0).toString(16).toUpperCase();
    invalid(
      'malformed_unicode',
      `the ${inside}string contains a lone UTF-16 surrogate (U+${unit}) at index ${lone.index}, ` +
        'which has no UTF-8 encoding; the database would silently store U+FFFD instead.',
      'Fix the string where it is produced (it was probably cut inside an emoji or another ' +
        'surrogate pair); String.prototype.toWellFormed() replaces lone surrogates explicitly.',
      at,
      field,
    );
  }
}

/** Checks every string (keys included) inside a JSON value with `checkText`. */
function checkJson(value: unknown, at: CoerceContext, field: FieldInfo, seen: Set<object>): void {
  if (typeof value === 'string') {
    checkText(value, at, field, 'JSON value holds a ');
    return;
  }
  if (value === null || typeof value !== 'object' || seen.has(value)) return;
  seen.add(value);
  if (Array.isArray(value)) {
    for (const item of value) checkJson(item, at, field, seen);
    return;
  }
  const prototype = Object.getPrototypeOf(value) as unknown;
  if (prototype !== Object.prototype && prototype !== null) return;
  for (const [key, item] of Object.entries(value)) {
    checkText(key, at, field, 'JSON value holds a key ');
    checkJson(item, at, field, seen);
  }
}

function checkFinite(number: number, at: CoerceContext, field: FieldInfo): void {
  if (Number.isFinite(number)) return;
  invalid(
    'not_finite',
    `field "${field.name}" holds finite numbers, got ${String(number)}; SQL columns cannot store ` +
      'NaN or Infinity (SQLite would store the text instead).',
    'Check the computation that produced it (e.g. a division by zero or Number() of a non-numeric ' +
      'string) and pass a finite number or null.',
    at,
    field,
  );
}

function checkWhole(number: number, at: CoerceContext, field: FieldInfo, kind: string): void {
  if (!Number.isInteger(number)) {
    invalid(
      'not_integer',
      `field "${field.name}" holds ${kind}, got ${String(number)}; the database would round or ` +
        'truncate the fraction (SQLite would store it as is).',
      'Round the value explicitly (Math.round, Math.floor or Math.trunc) before passing it, or map ' +
        'the column as a float/decimal type if fractions are meant to be kept.',
      at,
      field,
    );
  }
  if (!Number.isSafeInteger(number)) {
    invalid(
      'out_of_range',
      `field "${field.name}" got ${String(number)}, beyond Number.MAX_SAFE_INTEGER ` +
        '(9007199254740991): a JavaScript number this large is not exact and may already have ' +
        'been rounded.',
      kind === 'integers'
        ? 'Keep the value within ±9007199254740991, or map the column as bigint and pass the exact value as a string or BigInt.'
        : 'Pass the exact value as a decimal string or a BigInt.',
      at,
      field,
    );
  }
}

function coerceBigint(field: FieldInfo, value: unknown, at: CoerceContext): unknown {
  let integer: bigint;
  if (typeof value === 'bigint') {
    integer = value;
  } else if (typeof value === 'number') {
    checkFinite(value, at, field);
    checkWhole(value, at, field, 'integers (bigint)');
    integer = BigInt(value);
  } else if (typeof value === 'string' && /^[-+]?\d+$/.test(value.trim())) {
    integer = BigInt(value.trim());
  } else {
    // Name the precise problem for numeric strings that are not plain integers ("1.5", "NaN").
    const text = typeof value === 'string' ? value.trim() : '';
    const number = Number(text);
    if (/^[-+]?(?:NaN|Infinity)$/.test(text)) checkFinite(Number.NaN, at, field);
    if (text !== '' && Number.isFinite(number) && !Number.isInteger(number)) {
      checkWhole(number, at, field, 'integers (bigint)');
    }
    return failType(field, value, at, 'integers');
  }
  const unsigned = Boolean(field.property.unsigned);
  const [min, max] = unsigned ? [0n, UINT64_MAX] : [INT64_MIN, INT64_MAX];
  if (integer < min || integer > max) {
    invalid(
      'out_of_range',
      `field "${field.name}" holds ${unsigned ? 'unsigned ' : ''}64-bit integers ` +
        `(${min} to ${max}), got ${integer}.`,
      'Pass a value within that range; larger numbers need a numeric/decimal or text column.',
      at,
      field,
    );
  }
  if (at.integersAsNumbers && (integer > MAX_SAFE || integer < -MAX_SAFE)) {
    invalid(
      'out_of_range',
      `field "${field.name}" got ${integer}, beyond ±9007199254740991: SQLite stores it, but its ` +
        'driver (better-sqlite3) returns integers as JavaScript numbers, so it would read back ' +
        'changed.',
      'On SQLite keep bigint values within ±9007199254740991 (Number.MAX_SAFE_INTEGER), or store ' +
        'larger ones in a text column; PostgreSQL, MySQL and MariaDB return them exactly as strings.',
      at,
      field,
    );
  }
  if (typeof value === 'number' || typeof value === 'bigint') return value;
  return integer.toString();
}

function failType(field: FieldInfo, value: unknown, at: CoerceContext, expected: string): never {
  throw new InvalidQueryError(
    `field "${field.name}" holds ${expected}, got ${describe(value)}.`,
    at,
  );
}

/**
 * Brings a value into the JS type the field holds (ISO strings to Date for date fields, numeric
 * strings to numbers, "true"/"false" to booleans), or throws InvalidQueryError naming the field.
 * Values of the right type that no column could hold faithfully (NaN, Infinity, fractions for
 * integer columns, bigints out of range, NUL characters, lone surrogates, and an Invalid Date
 * written) throw InvalidValueError.
 */
export function coerceValue(field: FieldInfo, value: unknown, at: CoerceContext): unknown {
  if (value === null || value === undefined) return value;
  const fail = (expected: string): never => failType(field, value, at, expected);
  switch (field.type) {
    case 'date': {
      if (value instanceof Date) {
        if (!Number.isNaN(value.getTime())) return value;
        if (!at.write) return fail('valid dates');
        return invalid(
          'invalid_date',
          `field "${field.name}" holds dates, got an Invalid Date (its getTime() is NaN).`,
          'An Invalid Date comes from new Date() of an unparseable string or of NaN; check the ' +
            'value before writing it (Number.isNaN(date.getTime())).',
          at,
          field,
        );
      }
      if (typeof value === 'string' || typeof value === 'number') {
        const date = new Date(value);
        return Number.isNaN(date.getTime()) ? fail('dates') : date;
      }
      return fail('dates');
    }
    case 'number': {
      let number: number;
      if (typeof value === 'number') number = value;
      else if (typeof value === 'bigint') {
        if (field.integer && (value > MAX_SAFE || value < -MAX_SAFE)) {
          invalid(
            'out_of_range',
            `field "${field.name}" holds JavaScript numbers, exact only within ±9007199254740991, got ${value}n.`,
            'Map the column as bigint to keep larger values exactly, or pass a smaller value.',
            at,
            field,
          );
        }
        number = Number(value);
      } else if (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value))) {
        number = Number(value);
      } else if (typeof value === 'string' && value.trim() === 'NaN') {
        number = Number.NaN;
      } else {
        return fail('numbers');
      }
      checkFinite(number, at, field);
      if (field.integer) checkWhole(number, at, field, 'integers');
      return number;
    }
    case 'bigint':
      return coerceBigint(field, value, at);
    case 'boolean': {
      if (typeof value === 'boolean') return value;
      if (value === 1 || value === 0) return value === 1;
      if (value === 'true' || value === 'false') return value === 'true';
      return fail('booleans');
    }
    case 'string': {
      if (typeof value === 'string') {
        checkText(value, at, field);
        return value;
      }
      if (typeof value === 'number' || typeof value === 'bigint') return String(value);
      return fail('strings');
    }
    case 'json':
    case 'array':
      checkJson(value, at, field, new Set());
      return value;
    default:
      if (typeof value === 'string') checkText(value, at, field);
      return value;
  }
}

/**
 * Checks an `incrementOne` delta for a numeric field: finite, and whole for integer and bigint
 * fields (the database would round a fraction); throws InvalidQueryError or InvalidValueError.
 */
export function coerceIncrement(field: FieldInfo, delta: unknown, at: CoerceContext): number {
  if (typeof delta !== 'number') {
    throw new InvalidQueryError(
      `increment for "${field.name}" must be a number, got ${describe(delta)}.`,
      at,
    );
  }
  checkFinite(delta, at, field);
  if (field.integer || field.type === 'bigint') checkWhole(delta, at, field, 'integers');
  return delta;
}
