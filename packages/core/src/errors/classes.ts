/**
 * Typed errors with stable codes. Every message names the model or field involved and the fix.
 * Longer than most files on purpose: one small class per code, kept in one list so the codes, their
 * fields and their wording are reviewed together.
 */

import { driverMessage } from '../orm/driver-message.js';

/** Stable machine-readable error codes. */
export type MikroAuthErrorCode =
  | 'UNKNOWN_MODEL'
  | 'UNKNOWN_FIELD'
  | 'INVALID_QUERY'
  | 'NOT_FOUND'
  | 'UNIQUE_VIOLATION'
  | 'FOREIGN_KEY_VIOLATION'
  | 'NOT_NULL_VIOLATION'
  | 'CONNECTION_FAILED'
  | 'INVALID_CONFIG'
  | 'UNSUPPORTED'
  | 'UNSUPPORTED_ORM_VERSION'
  | 'VALUE_TOO_LONG'
  | 'INVALID_VALUE'
  | 'CONCURRENCY_CONFLICT'
  | 'SCHEMA_MISMATCH';

/** Base class of every error raised by mikro-auth. */
export class MikroAuthError extends Error {
  readonly code: MikroAuthErrorCode;
  /** Whether running the same operation (or the whole transaction) again can succeed as it is. */
  readonly retryable: boolean;

  constructor(
    code: MikroAuthErrorCode,
    message: string,
    options?: { cause?: unknown; retryable?: boolean },
  ) {
    super(message, options && 'cause' in options ? { cause: options.cause } : undefined);
    this.name = new.target.name;
    this.code = code;
    this.retryable = options?.retryable ?? false;
  }
}

/** A model name that matches no entity known to the ORM. */
export class UnknownModelError extends MikroAuthError {
  readonly model: string;
  readonly available: readonly string[];

  constructor(model: string, available: readonly string[]) {
    super(
      'UNKNOWN_MODEL',
      `Unknown model "${model}": no entity has this name or table name. ` +
        `Known entities: ${available.join(', ') || '(none)'}. ` +
        'Add the entity to your MikroORM config, or map the model name to an entity in the adapter options.',
    );
    this.model = model;
    this.available = available;
  }
}

/** A field name that matches no property or column of the model's entity. */
export class UnknownFieldError extends MikroAuthError {
  readonly model: string;
  readonly field: string;
  readonly available: readonly string[];

  constructor(model: string, field: string, available: readonly string[]) {
    super(
      'UNKNOWN_FIELD',
      `Unknown field "${field}" on model "${model}": no property or column has this name. ` +
        `Known fields: ${available.join(', ')}. ` +
        'Add the property to the entity, or fix the field name in your configuration.',
    );
    this.model = model;
    this.field = field;
    this.available = available;
  }
}

/** Adapter or schema options that cannot work as given; raised before anything is read or written. */
export class ConfigurationError extends MikroAuthError {
  /** The option at fault, as a path (e.g. `additionalFields.user.email`). */
  readonly option: string;

  constructor(option: string, message: string) {
    super('INVALID_CONFIG', `Invalid option ${option}: ${message}`);
    this.option = option;
  }
}

/** A query whose shape or values cannot be translated (e.g. `in` with a non-array). */
export class InvalidQueryError extends MikroAuthError {
  readonly model: string | undefined;
  readonly field: string | undefined;

  constructor(message: string, where: { model?: string; field?: string } = {}) {
    const subject = [
      where.model ? `model "${where.model}"` : '',
      where.field ? `field "${where.field}"` : '',
    ]
      .filter(Boolean)
      .join(', ');
    super(
      'INVALID_QUERY',
      subject ? `Invalid query on ${subject}: ${message}` : `Invalid query: ${message}`,
    );
    this.model = where.model;
    this.field = where.field;
  }
}

/** An operation that needs an existing row found none; nothing was written. */
export class NotFoundError extends MikroAuthError {
  readonly model: string;

  constructor(model: string, what: string) {
    super('NOT_FOUND', `No ${what} exists on model "${model}"; nothing was written.`);
    this.model = model;
  }
}

/** ` on model "x"`, or nothing when the model is not known. */
function onModel(model: string | undefined): string {
  return model ? ` on model "${model}"` : '';
}

/** A write that would violate a unique constraint. */
export class UniqueViolationError extends MikroAuthError {
  /** The model written; undefined for the flush of pending changes at a transaction's commit. */
  readonly model: string | undefined;
  readonly constraint: string | undefined;

  constructor(model: string | undefined, constraint: string | undefined, cause: unknown) {
    super(
      'UNIQUE_VIOLATION',
      `Unique constraint${constraint ? ` "${constraint}"` : ''} violated${onModel(model)}: ` +
        'a row with the same value already exists. Nothing was written.',
      { cause },
    );
    this.model = model;
    this.constraint = constraint;
  }
}

/** A write that references a row that does not exist (or deletes one still referenced). */
export class ForeignKeyViolationError extends MikroAuthError {
  /** The model written; undefined for the flush of pending changes at a transaction's commit. */
  readonly model: string | undefined;

  constructor(model: string | undefined, cause: unknown) {
    super(
      'FOREIGN_KEY_VIOLATION',
      `Foreign key constraint violated${onModel(model)}: the referenced row does not exist ` +
        '(or the row is still referenced). Nothing was written.',
      { cause },
    );
    this.model = model;
  }
}

/** A write that leaves a required column empty. */
export class NotNullViolationError extends MikroAuthError {
  /** The model written; undefined for the flush of pending changes at a transaction's commit. */
  readonly model: string | undefined;

  constructor(model: string | undefined, cause: unknown) {
    super(
      'NOT_NULL_VIOLATION',
      `A required value is missing${onModel(model)}. Nothing was written. ` +
        `Provide every required field (${cause instanceof Error ? driverMessage(cause) : 'see cause'}).`,
      { cause },
    );
    this.model = model;
  }
}

/** The connection dropped or could not be opened; the driver error is kept as `cause`. */
export class ConnectionError extends MikroAuthError {
  constructor(operation: string, cause: unknown) {
    super(
      'CONNECTION_FAILED',
      `The database connection failed during ${operation}: ${driverMessage(cause)}. ` +
        'Any open transaction was rolled back; retry once the database is reachable.',
      { cause },
    );
  }
}

/** Where a value was refused: the model and, when known, the field (property) or column. */
export interface ValueLocation {
  model?: string | undefined;
  field?: string | undefined;
  column?: string | undefined;
}

function located(where: ValueLocation): string {
  const subject = where.field
    ? `field "${where.field}"`
    : where.column
      ? `column "${where.column}"`
      : 'a field';
  return where.model ? `${subject} of model "${where.model}"` : subject;
}

/**
 * A string longer than its column allows (PostgreSQL 22001, MySQL/MariaDB 1406 in strict mode).
 * SQLite does not enforce declared lengths and stores the whole string.
 */
export class ValueTooLongError extends MikroAuthError {
  /** The model written; undefined for the flush of pending changes at a transaction's commit. */
  readonly model: string | undefined;
  /** The column, when the database names it (MySQL/MariaDB do; PostgreSQL names only the type). */
  readonly column: string | undefined;

  constructor(model: string | undefined, column: string | undefined, cause: unknown) {
    const detail = cause instanceof Error ? driverMessage(cause).split('\n')[0] : undefined;
    super(
      'VALUE_TOO_LONG',
      `A value is too long for ${located({ model, column })}${detail ? ` (${detail})` : ''}. ` +
        'Nothing was written. Shorten the value before writing it, or widen the column ' +
        '(a longer varchar, or text) with a migration.',
      { cause },
    );
    this.model = model;
    this.column = column;
  }
}

/** Why a value was refused. */
export type InvalidValueReason =
  /** A fraction for an integer or bigint field (databases would round or truncate it). */
  | 'not_integer'
  /** NaN, Infinity or -Infinity for a numeric field. */
  | 'not_finite'
  /** Outside the range the column or JavaScript can hold exactly. */
  | 'out_of_range'
  /** A string containing U+0000 (PostgreSQL and SQLite cannot store it). */
  | 'nul_character'
  /** A string with a lone UTF-16 surrogate: no valid UTF-8 exists for it. */
  | 'malformed_unicode'
  /** A Date whose time is NaN (an Invalid Date) for a date field. */
  | 'invalid_date'
  /** The column's character set cannot hold a character (e.g. an emoji in a utf8mb3 column). */
  | 'unencodable'
  /** Any other value the database refused as malformed for the column's type. */
  | 'rejected';

/**
 * A value the field cannot hold faithfully: checked before any SQL is sent where core can tell
 * (then nothing reaches the database), else reported by the database (then nothing was written).
 */
export class InvalidValueError extends MikroAuthError {
  readonly model: string | undefined;
  readonly field: string | undefined;
  readonly column: string | undefined;
  readonly reason: InvalidValueReason;

  constructor(
    reason: InvalidValueReason,
    problem: string,
    fix: string,
    where: ValueLocation,
    cause?: unknown,
  ) {
    super(
      'INVALID_VALUE',
      `Invalid value for ${located(where)}: ${problem} ` +
        `${cause === undefined ? 'Nothing was sent to the database.' : 'Nothing was written.'} ${fix}`,
      cause === undefined ? undefined : { cause },
    );
    this.model = where.model;
    this.field = where.field;
    this.column = where.column;
    this.reason = reason;
  }
}

/** What kind of conflict between concurrent transactions the database resolved by aborting one. */
export type ConflictKind = 'deadlock' | 'lock_timeout' | 'serialization_failure' | 'busy';

const CONFLICT_TEXT: Record<ConflictKind, string> = {
  deadlock: 'a deadlock with another transaction was detected',
  lock_timeout: 'it waited too long for a lock another transaction holds',
  serialization_failure: 'another transaction changed the same rows concurrently',
  busy: 'the database file is locked by another connection',
};

/**
 * The database aborted an operation because of a concurrent transaction (deadlock, lock wait
 * timeout, serialization failure, SQLite busy). Retryable: run the whole transaction again.
 */
export class ConcurrencyConflictError extends MikroAuthError {
  readonly model: string | undefined;
  readonly kind: ConflictKind;

  constructor(kind: ConflictKind, model: string | undefined, operation: string, cause: unknown) {
    super(
      'CONCURRENCY_CONFLICT',
      `The database aborted ${operation}${model ? ` on model "${model}"` : ''} because ` +
        `${CONFLICT_TEXT[kind]}. ` +
        (model
          ? 'Nothing of this operation was written. '
          : 'The transaction was rolled back; nothing of it was written. ') +
        'This error is retryable: ' +
        'inside store.transaction let it propagate (the transaction is rolled back and must not ' +
        'continue), then run the whole transaction again, ideally after a short random delay.',
      { cause, retryable: true },
    );
    this.model = model;
    this.kind = kind;
  }
}

/** One thing the entities lack. */
export type SchemaProblem =
  | { readonly kind: 'missing-model'; readonly model: string; readonly message: string }
  | { readonly kind: 'unusable-model'; readonly model: string; readonly message: string }
  | {
      readonly kind: 'missing-field';
      readonly model: string;
      readonly field: string;
      readonly message: string;
    }
  | {
      readonly kind: 'id-without-default';
      readonly model: string;
      readonly field: string;
      readonly message: string;
    };

/**
 * The ORM's entities lack models or fields the framework's configuration needs. Raised once, with
 * every problem, before any of them can fail a request half-way.
 */
export class SchemaMismatchError extends MikroAuthError {
  readonly problems: readonly SchemaProblem[];

  /** `fix` says, in the framework's terms, how to bring the entities in line. */
  constructor(problems: readonly SchemaProblem[], fix: string) {
    super(
      'SCHEMA_MISMATCH',
      `Your MikroORM entities do not match the auth configuration (${problems.length} ` +
        `problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((problem) => `  - ${problem.message}`).join('\n') +
        `\n${fix}`,
    );
    this.problems = problems;
  }
}

/** The installed MikroORM is outside the supported range; raised when a store or adapter is created. */
export class UnsupportedOrmVersionError extends MikroAuthError {
  /** The installed `@mikro-orm/core` version. */
  readonly installed: string;
  /** The supported `@mikro-orm/core` range. */
  readonly supported: string;

  constructor(installed: string, supported: string) {
    super(
      'UNSUPPORTED_ORM_VERSION',
      `@mikro-orm/core ${installed} is installed, but mikro-auth supports @mikro-orm/core ` +
        `${supported} (MikroORM 6.6 or 7). Upgrade MikroORM, keeping every @mikro-orm/* package ` +
        'on the same version (e.g. `npm install @mikro-orm/core@^6.6 @mikro-orm/postgresql@^6.6`).',
    );
    this.installed = installed;
    this.supported = supported;
  }
}

/**
 * Something mikro-auth does not do, said before anything is written: a database it does not run on
 * (Microsoft SQL Server, Oracle, MongoDB), an option the database cannot honour, a model shape it
 * cannot key (a composite primary key), or a stored value it cannot return exactly.
 */
export class UnsupportedError extends MikroAuthError {
  constructor(message: string) {
    super('UNSUPPORTED', message);
  }
}
