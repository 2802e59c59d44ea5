/**
 * Typed errors with stable codes. Every message names the model or field involved and the fix.
 */

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
  | 'TRANSACTION_FAILED'
  | 'UNSUPPORTED';

/** Base class of every error raised by mikro-auth. */
export class MikroAuthError extends Error {
  readonly code: MikroAuthErrorCode;

  constructor(code: MikroAuthErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
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

/** A write that would violate a unique constraint. */
export class UniqueViolationError extends MikroAuthError {
  readonly model: string;
  readonly constraint: string | undefined;

  constructor(model: string, constraint: string | undefined, cause: unknown) {
    super(
      'UNIQUE_VIOLATION',
      `Unique constraint${constraint ? ` "${constraint}"` : ''} violated on model "${model}": ` +
        'a row with the same value already exists. Nothing was written.',
      { cause },
    );
    this.model = model;
    this.constraint = constraint;
  }
}

/** A write that references a row that does not exist (or deletes one still referenced). */
export class ForeignKeyViolationError extends MikroAuthError {
  readonly model: string;

  constructor(model: string, cause: unknown) {
    super(
      'FOREIGN_KEY_VIOLATION',
      `Foreign key constraint violated on model "${model}": the referenced row does not exist ` +
        '(or the row is still referenced). Nothing was written.',
      { cause },
    );
    this.model = model;
  }
}

/** A write that leaves a required column empty. */
export class NotNullViolationError extends MikroAuthError {
  readonly model: string;

  constructor(model: string, cause: unknown) {
    super(
      'NOT_NULL_VIOLATION',
      `A required value is missing on model "${model}". Nothing was written. ` +
        `Provide every required field (${(cause as Error | undefined)?.message ?? 'see cause'}).`,
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
      `The database connection failed during ${operation}: ${(cause as Error | undefined)?.message ?? cause}. ` +
        'Any open transaction was rolled back; retry once the database is reachable.',
      { cause },
    );
  }
}
