import {
  ConnectionException,
  DeadlockException,
  DriverException,
  type EntityManager,
  ForeignKeyConstraintViolationException,
  LockWaitTimeoutException,
  NotNullConstraintViolationException,
  UniqueConstraintViolationException,
} from '@mikro-orm/core';
import { driverMessage } from '../orm/driver-message.js';
import {
  ConcurrencyConflictError,
  type ConflictKind,
  ConnectionError,
  ForeignKeyViolationError,
  InvalidValueError,
  type InvalidValueReason,
  MikroAuthError,
  NotNullViolationError,
  UniqueViolationError,
  ValueTooLongError,
} from './classes.js';

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

/** The driver's identifiers of an error: SQLSTATE (PostgreSQL `code`, mysql2 `sqlState`), MySQL errno, driver code. */
interface DriverCodes {
  state: string | undefined;
  errno: number | undefined;
  code: string | undefined;
  message: string;
}

function driverCodes(error: Error): DriverCodes {
  const { code, errno, sqlState } = error as Error & {
    code?: unknown;
    errno?: unknown;
    sqlState?: unknown;
  };
  const textCode = typeof code === 'string' ? code : undefined;
  return {
    state:
      typeof sqlState === 'string'
        ? sqlState
        : textCode && /^[0-9A-Z]{5}$/.test(textCode)
          ? textCode
          : undefined,
    errno: typeof errno === 'number' ? errno : undefined,
    code: textCode,
    message: driverMessage(error),
  };
}

/** The column a driver message names (MySQL/MariaDB do; PostgreSQL sets `column` on some errors). */
function columnName(error: Error): string | undefined {
  const withColumn = error as Error & { column?: unknown };
  if (typeof withColumn.column === 'string' && withColumn.column) return withColumn.column;
  return (
    /for column '([^']+)'/.exec(error.message)?.[1] ?? // MySQL / MariaDB
    /for column (?:`[^`]*`\.)*`([^`]+)`/.exec(error.message)?.[1] // MariaDB: `db`.`table`.`column`
  );
}

/**
 * PostgreSQL 18 reports a row still referenced through ON DELETE/UPDATE RESTRICT as SQLSTATE 23001
 * (restrict_violation) instead of 23503, which MikroORM's exception converter does not classify.
 */
function isRestrictViolation(error: unknown): boolean {
  return error instanceof Error && driverCodes(error).state === '23001';
}

/** Which concurrency conflict a driver error reports, if any. */
function conflictKind(error: Error, codes: DriverCodes): ConflictKind | undefined {
  if (codes.errno === 1213 || codes.state === '40P01') return 'deadlock';
  // MySQL 1205 lock wait timeout, 3572 NOWAIT; PostgreSQL 55P03 lock_timeout / NOWAIT.
  if (codes.errno === 1205 || codes.errno === 3572 || codes.state === '55P03') {
    return 'lock_timeout';
  }
  if (codes.state === '40001') return 'serialization_failure';
  if (/^SQLITE_(BUSY|LOCKED)/.test(codes.code ?? '')) return 'busy';
  if (error instanceof DeadlockException) return 'deadlock';
  if (error instanceof LockWaitTimeoutException) return 'lock_timeout';
  return undefined;
}

const VALUE_FIXES: Record<InvalidValueReason, string> = {
  not_integer: 'Round the value explicitly before writing it.',
  not_finite: 'Pass a finite number or null.',
  out_of_range:
    "Pass a value within the column's range, or widen the column (e.g. to bigint) with a migration.",
  nul_character: 'Remove NUL characters (U+0000) before writing.',
  malformed_unicode: 'Fix the string where it is produced (String.prototype.toWellFormed()).',
  invalid_date: 'Pass a valid Date (check Number.isNaN(date.getTime()) where it is built).',
  unencodable:
    "Store the value in a column whose character set holds every character (utf8mb4 on MySQL/MariaDB), or remove the characters the column's character set cannot hold.",
  rejected: "Pass a value in the format the column's type expects.",
};

/** Which value problem a driver error reports (PostgreSQL class 22, MySQL/MariaDB data errors), if any. */
function valueProblem(codes: DriverCodes): InvalidValueReason | undefined {
  const { state, errno, message } = codes;
  if (state === '22003' || errno === 1264 || errno === 1690) return 'out_of_range';
  if (/\\u0000|0x00\b/.test(message)) return 'nul_character';
  if (state === '22021' || state === '22P05') return 'unencodable';
  if (errno === 1366 && /Incorrect string value/i.test(message)) return 'unencodable';
  if (errno === 1366 || errno === 1292 || errno === 1265 || errno === 1411) return 'rejected';
  if (state?.startsWith('22')) return 'rejected';
  return undefined;
}

const CONNECTION_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'PROTOCOL_CONNECTION_LOST',
  'ER_CONNECTION_KILLED',
  'ER_SERVER_SHUTDOWN',
  '57P01', // PostgreSQL: admin_shutdown (also pg_terminate_backend)
  '57P02',
  '57P03',
  '57P05', // PostgreSQL: idle_session_timeout
  '25P03', // PostgreSQL: idle_in_transaction_session_timeout
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
    const { code, fatal, severity } = current as Error & {
      code?: unknown;
      fatal?: unknown;
      severity?: unknown;
    };
    if (typeof code === 'string' && CONNECTION_CODES.has(code)) return true;
    if (fatal === true) return true; // mysql2 marks errors that closed the connection as fatal
    // PostgreSQL ends the session after a FATAL or PANIC error (e.g. idle-in-transaction timeout).
    if (severity === 'FATAL' || severity === 'PANIC') return true;
    if (
      // pg: "Client has encountered a connection error and is not queryable" (a client whose
      // server went away), "Client was closed and is not queryable" (one the pool destroyed).
      /connection (terminated|lost)|server closed the connection|connection is closed|and is not queryable/i.test(
        current.message,
      )
    ) {
      return true;
    }
    current = current.cause;
  }
  return false;
}

/**
 * The ConcurrencyConflictError for a deadlock, lock timeout, serialization failure or SQLite busy
 * error (e.g. one raised by COMMIT, outside any single operation), else undefined.
 */
export function concurrencyConflict(
  error: unknown,
  operation: string,
  model?: string,
): ConcurrencyConflictError | undefined {
  if (!(error instanceof Error) || error instanceof MikroAuthError) return undefined;
  const kind = conflictKind(error, driverCodes(error));
  return kind ? new ConcurrencyConflictError(kind, model, operation, error) : undefined;
}

/** Turns a driver exception into a mikro-auth error (keeping it as `cause`); other errors pass unchanged. */
export function translateError(
  error: unknown,
  model: string | undefined,
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
  if (error instanceof ForeignKeyConstraintViolationException || isRestrictViolation(error)) {
    return new ForeignKeyViolationError(model, error);
  }
  if (error instanceof NotNullConstraintViolationException) {
    return new NotNullViolationError(model, error);
  }
  if (error instanceof Error) {
    const codes = driverCodes(error);
    const conflict = conflictKind(error, codes);
    if (conflict) return new ConcurrencyConflictError(conflict, model, operation, error);
    if (codes.state === '22001' || codes.errno === 1406 || codes.code === 'SQLITE_TOOBIG') {
      return new ValueTooLongError(model, columnName(error), error);
    }
    const reason = valueProblem(codes);
    if (reason) {
      return new InvalidValueError(
        reason,
        `the database refused it (${codes.message.split('\n')[0]}).`,
        VALUE_FIXES[reason],
        { model, column: columnName(error) },
        error,
      );
    }
  }
  if (isConnectionLoss(error)) {
    return new ConnectionError(model ? `${operation} on model "${model}"` : operation, error);
  }
  return error;
}
