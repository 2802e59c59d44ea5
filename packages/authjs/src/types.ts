/** The adapter's public types: its options and the Auth.js `Adapter` it returns. */
import type {
  Adapter,
  AdapterAccount,
  AdapterAuthenticator,
  AdapterSession,
  AdapterUser,
  VerificationToken,
} from '@auth/core/adapters';
import type { ModelTarget, ReadRouting, StoreOptions } from '@mikro-auth/core';
import type { AuthjsFieldNames, AuthjsModel } from './entities.js';

/**
 * Options of `MikroOrmAdapter`. `preparedStatements` (default `true`) is @mikro-auth/core's: set it
 * to `false` behind a pooler that cannot keep prepared statements (PgBouncer in transaction mode
 * before 1.21).
 */
export interface MikroOrmAdapterOptions extends Pick<StoreOptions, 'preparedStatements'> {
  /**
   * Your own entity per Auth.js model (`user`, `account`, `session`, `verificationToken`,
   * `authenticator`): an entity class, an `EntitySchema`, or an entity or table name. An unmapped
   * model resolves to the entity named `User`, `Account`, `Session`, `VerificationToken` or
   * `Authenticator` (as `authjsEntities()` names them), else to a table of that name.
   */
  entities?: Partial<Record<AuthjsModel, ModelTarget>>;
  /**
   * Per model, the property or column that holds an Auth.js field, when neither the Auth.js name
   * (`emailVerified`) nor its snake_case form (`email_verified`) is a property or column of your
   * entity, e.g. `{ user: { emailVerified: 'verifiedAt' } }`. `account.extra` names the JSON
   * property that keeps token fields with no column of their own.
   */
  fields?: AuthjsFieldNames;
  /**
   * Where reads go (default `'primary'`). `{ from: 'replicas', maxLagMs }` (PostgreSQL) sends reads
   * outside transactions to the read replicas of your MikroORM config that hold every commit older
   * than `maxLagMs` and every write this process made; see "Read replicas" in @mikro-auth/core.
   */
  reads?: ReadRouting;
}

/**
 * The Auth.js adapter with every method present and its results' exact types. Rows come back under
 * Auth.js names, with any fields you added to your entities except `hidden: true` ones; a session
 * carries its own `id`, the internal primary keys of accounts, verification tokens and
 * authenticators are never returned.
 */
export interface AuthjsAdapter extends Adapter {
  /** Inserts the user (Auth.js supplies the id; one is generated if absent). */
  createUser(user: AdapterUser): Promise<AdapterUser>;
  getUser(id: string): Promise<AdapterUser | null>;
  /** Exact (case-sensitive) match; Auth.js lower-cases emails before it asks. */
  getUserByEmail(email: string): Promise<AdapterUser | null>;
  /** The account's user, read with the account in one statement. */
  getUserByAccount(
    account: Pick<AdapterAccount, 'provider' | 'providerAccountId'>,
  ): Promise<AdapterUser | null>;
  /** Changes the given fields; rejects when no user has the id. */
  updateUser(user: Partial<AdapterUser> & Pick<AdapterUser, 'id'>): Promise<AdapterUser>;
  /** Deletes the user with their sessions, accounts and authenticators in one transaction. */
  deleteUser(userId: string): Promise<AdapterUser | null>;
  /**
   * Stores the account; token fields with no column of their own are kept in the account's JSON
   * `extra` column and merged back on read. Rejects (ForeignKeyViolationError) for an unknown user.
   */
  linkAccount(account: AdapterAccount): Promise<AdapterAccount>;
  /** Deletes the account and returns it, or undefined when there was none. */
  unlinkAccount(
    account: Pick<AdapterAccount, 'provider' | 'providerAccountId'>,
  ): Promise<AdapterAccount | undefined>;
  createSession(session: AdapterSession): Promise<AdapterSession>;
  /** The session and its user in one statement; expired sessions too (Auth.js deletes them). */
  getSessionAndUser(
    sessionToken: string,
  ): Promise<{ session: AdapterSession; user: AdapterUser } | null>;
  updateSession(
    session: Partial<AdapterSession> & Pick<AdapterSession, 'sessionToken'>,
  ): Promise<AdapterSession | null>;
  /** Deletes the session and returns it; of concurrent callers exactly one gets it. */
  deleteSession(sessionToken: string): Promise<AdapterSession | null>;
  createVerificationToken(token: VerificationToken): Promise<VerificationToken>;
  /**
   * Deletes and returns the token matching both identifier and token; of concurrent callers
   * exactly one gets it, every later call gets null.
   */
  useVerificationToken(params: {
    identifier: string;
    token: string;
  }): Promise<VerificationToken | null>;
  /** Note the argument order: provider account id first, then provider. */
  getAccount(providerAccountId: string, provider: string): Promise<AdapterAccount | null>;
  /** Rejects when the credential exists already or the user does not. */
  createAuthenticator(authenticator: AdapterAuthenticator): Promise<AdapterAuthenticator>;
  getAuthenticator(credentialID: string): Promise<AdapterAuthenticator | null>;
  /** [] for a user with no authenticators (or no such user). */
  listAuthenticatorsByUserId(userId: string): Promise<AdapterAuthenticator[]>;
  /** Writes the new counter; rejects when no authenticator has the credential ID. */
  updateAuthenticatorCounter(
    credentialID: string,
    newCounter: number,
  ): Promise<AdapterAuthenticator>;
}
