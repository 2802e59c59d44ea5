import type { EntityManager } from '@mikro-orm/core';
import { guardConnectionLoss } from './connection-recovery.js';

/**
 * Runs `fn` in the active transaction, or in a new one on a clean fork: `em.transactional` would
 * flush the app's pending changes of `em` at commit, and an internal transaction must not.
 */
export async function inTransaction<T>(
  em: EntityManager,
  fn: (tem: EntityManager) => Promise<T>,
): Promise<T> {
  if (em.isInTransaction()) return fn(em);
  const guarding = guardConnectionLoss(em);
  if (guarding) await guarding;
  return em.fork({ clear: true, useContext: false }).transactional((tem) => fn(tem));
}
