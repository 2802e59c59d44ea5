import type { EntityManager } from '@mikro-orm/core';
import { concurrencyConflict } from '../errors/translate.js';
import { guardConnectionLoss } from './connection-recovery.js';

/** How often an internal transaction the database aborted for a deadlock is run again. */
const ATTEMPTS = 5;

/**
 * Runs `fn` in the active transaction, or in a new one on a clean fork: `em.transactional` would
 * flush the app's pending changes of `em` at commit, and an internal transaction must not.
 *
 * A transaction of our own that the database aborts as a deadlock or serialization failure (InnoDB
 * does so between concurrent locking reads of one index range) was rolled back whole, so it is run
 * again, up to 5 times, after a short random pause. Inside the app's transaction nothing is retried:
 * the database aborted the app's transaction, and the typed error must reach the app.
 */
export async function inTransaction<T>(
  em: EntityManager,
  fn: (tem: EntityManager) => Promise<T>,
): Promise<T> {
  if (em.isInTransaction()) return fn(em);
  const guarding = guardConnectionLoss(em);
  if (guarding) await guarding;
  for (let attempt = 1; ; attempt++) {
    try {
      return await em.fork({ clear: true, useContext: false }).transactional((tem) => fn(tem));
    } catch (error) {
      const conflict = concurrencyConflict(error, 'an internal transaction');
      const retryable = conflict?.kind === 'deadlock' || conflict?.kind === 'serialization_failure';
      if (!retryable || attempt >= ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
    }
  }
}
