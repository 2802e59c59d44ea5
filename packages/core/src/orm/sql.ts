import type { Platform } from '@mikro-orm/core';

/**
 * SQL text with its parameters, carried together: composing fragments keeps every parameter next
 * to the placeholder it fills, so no caller lines up parameter arrays by hand. A QueryBuilder's
 * `toQuery()` (through `sqlOf`) is one.
 */
export interface SqlFragment {
  readonly sql: string;
  readonly params: readonly unknown[];
}

function isFragment(value: unknown): value is SqlFragment {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as SqlFragment).sql === 'string' &&
    Array.isArray((value as SqlFragment).params)
  );
}

/**
 * Template tag: each interpolated fragment is inlined with its parameters in place; any other value
 * becomes a `?` placeholder and its parameter. Text between interpolations is SQL as written.
 */
export function sql(strings: TemplateStringsArray, ...values: unknown[]): SqlFragment {
  let text = strings[0]!;
  const params: unknown[] = [];
  values.forEach((value, index) => {
    if (isFragment(value)) {
      text += value.sql;
      params.push(...value.params);
    } else {
      text += '?';
      params.push(value);
    }
    text += strings[index + 1]!;
  });
  return { sql: text, params };
}

/** SQL text that holds no parameter (keywords, already quoted names). */
export function sqlText(text: string): SqlFragment {
  return { sql: text, params: [] };
}

/** Fragments joined by `separator`, their parameters in the same order. */
export function joinSql(parts: readonly SqlFragment[], separator: string): SqlFragment {
  return {
    sql: parts.map((part) => part.sql).join(separator),
    params: parts.flatMap((part) => part.params),
  };
}

/** A quoted, dotted identifier (`"b"."user_id"`) in the platform's quoting. */
export function identifier(platform: Platform, ...parts: string[]): SqlFragment {
  return sqlText(parts.map((part) => platform.quoteIdentifier(part)).join('.'));
}
