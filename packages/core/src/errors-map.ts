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

const CONNECTION_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'PROTOCOL_CONNECTION_LOST',
  'ER_CONNECTION_KILLED',
  '57P01', // PostgreSQL: admin_shutdown (also pg_terminate_backend)
  '57P02',
  '57P03',
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
]);

/** Whether an error (or one of its causes) means the database connection was lost or refused. */
export function isConnectionLoss(error: unknown): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; depth++) {
    if (current instanceof ConnectionException) return true;
    const { code, fatal } = current as Error & { code?: unknown; fatal?: unknown };
    if (typeof code === 'string' && CONNECTION_CODES.has(code)) return true;
    if (fatal === true) return true; // mysql2 marks errors that closed the connection as fatal
    if (
      /connection (terminated|lost)|server closed the connection|connection is closed/i.test(
        current.message,
      )
    ) {
      return true;
    }
    current = current.cause;
  }
  return false;
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
  if (isConnectionLoss(error)) {
    return new ConnectionError(`${operation} on model "${model}"`, error);
  }
  return error;
}
