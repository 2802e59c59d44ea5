import { InvalidQueryError } from '../errors.js';
import type { FieldInfo } from '../model.js';

function describe(value: unknown): string {
  if (value instanceof Date) return 'a Date';
  if (Array.isArray(value)) return 'an array';
  return `${typeof value} ${JSON.stringify(value)}`;
}

/**
 * Brings a value into the JS type the field holds (ISO strings to Date for date fields, numeric
 * strings to numbers, "true"/"false" to booleans), or throws InvalidQueryError naming the field.
 */
export function coerceValue(
  field: FieldInfo,
  value: unknown,
  at: { model?: string; field?: string },
): unknown {
  if (value === null || value === undefined) return value;
  const fail = (expected: string): never => {
    throw new InvalidQueryError(
      `field "${field.name}" holds ${expected}, got ${describe(value)}.`,
      at,
    );
  };
  switch (field.type) {
    case 'date': {
      if (value instanceof Date) return Number.isNaN(value.getTime()) ? fail('valid dates') : value;
      if (typeof value === 'string' || typeof value === 'number') {
        const date = new Date(value);
        return Number.isNaN(date.getTime()) ? fail('dates') : date;
      }
      return fail('dates');
    }
    case 'number': {
      if (typeof value === 'number') return Number.isFinite(value) ? value : fail('finite numbers');
      if (typeof value === 'bigint') return Number(value);
      if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) {
        return Number(value);
      }
      return fail('numbers');
    }
    case 'bigint': {
      if (typeof value === 'number' || typeof value === 'bigint') return value;
      if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) return value.trim();
      return fail('integers');
    }
    case 'boolean': {
      if (typeof value === 'boolean') return value;
      if (value === 1 || value === 0) return value === 1;
      if (value === 'true' || value === 'false') return value === 'true';
      return fail('booleans');
    }
    case 'string': {
      if (typeof value === 'string') return value;
      if (typeof value === 'number' || typeof value === 'bigint') return String(value);
      return fail('strings');
    }
    default:
      return value;
  }
}
