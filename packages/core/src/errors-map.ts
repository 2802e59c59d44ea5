import {
  ConnectionException,
  DriverException,
  type EntityManager,
  ForeignKeyConstraintViolationException,
  NotNullConstraintViolationException,
  UniqueConstraintViolationException,
} from '@mikro-orm/core';
import {
  ConnectionError,
  ForeignKeyViolationError,
  MikroAuthError,
  NotNullViolationError,
  UniqueViolationError,
} from './errors.js';

function constraintName(error: Error): string | undefined {
  const withConstraint = error as Error & { constraint?: string };
  if (withConstraint.constraint) return withConstraint.constraint;
  const message = error.message;
  return (
    /constraint "([^"]+)"/.exec(message)?.[1] ?? // PostgreSQL
    /for key '([^']+)'/.exec(message)?.[1] ?? // MySQL / MariaDB
    /UNIQUE constraint failed: ([\w., ]+)/.exec(message)?.[1] // SQLite: table.column list
  );
}

/** Turns a driver exception into a mikro-auth error (keeping it as `cause`); other errors pass unchanged. */
export function translateError(
  error: unknown,
  model: string,
  operation: string,
  em?: EntityManager,
): unknown {
  if (error instanceof MikroAuthError) return error;
  if (em && error instanceof Error && !(error instanceof DriverException)) {
    // QueryBuilder and raw executions surface the driver's own error; MikroORM classifies it.
    const converted = em.getDriver().convertException(error);
    // An unclassified error stays as it was (it may be a bug of ours or a value the driver refused).
    if (converted.constructor !== DriverException) error = converted;
  }
  if (error instanceof UniqueConstraintViolationException) {
    return new UniqueViolationError(model, constraintName(error), error);
  }
  if (error instanceof ForeignKeyConstraintViolationException) {
    return new ForeignKeyViolationError(model, error);
  }
  if (error instanceof NotNullConstraintViolationException) {
    return new NotNullViolationError(model, error);
  }
  if (error instanceof ConnectionException) {
    return new ConnectionError(`${operation} on model "${model}"`, error);
  }
  return error;
}
