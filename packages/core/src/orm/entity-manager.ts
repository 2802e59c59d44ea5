import type { EntityManager, MikroORM } from '@mikro-orm/core';

/** What core can be bound to: the app's initialised ORM, an EntityManager, or a getter returning one. */
export type OrmSource = MikroORM | EntityManager | (() => EntityManager);

/**
 * Whether `value` can be an OrmSource: a function, a MikroORM instance or an EntityManager. For
 * construction-time checks of framework adapters, which fail with a message in their own terms.
 */
export function isOrmSource(value: unknown): value is OrmSource {
  if (typeof value === 'function') return true;
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as { getMetadata?: unknown; em?: unknown; fork?: unknown };
  if (typeof candidate.getMetadata !== 'function') return false;
  // MikroORM (has `em`) or an EntityManager (has `fork`).
  return (
    (typeof candidate.em === 'object' && candidate.em !== null) ||
    typeof candidate.fork === 'function'
  );
}

function isOrm(source: OrmSource): source is MikroORM {
  return (
    typeof source === 'object' && 'em' in source && 'getMetadata' in source && 'config' in source
  );
}

/**
 * Picks the EntityManager each operation runs on: the active transaction's, else the current
 * RequestContext's, else a fresh fork. Never the global `orm.em` itself, so `allowGlobalContext`
 * is never needed, and scripts, queues and cron jobs work with no setup.
 */
export class EntityManagerResolver {
  readonly #root: () => EntityManager;

  constructor(source: OrmSource) {
    if (typeof source === 'function') this.#root = source;
    else if (isOrm(source)) this.#root = () => source.em;
    else this.#root = () => source;
  }

  /** The EntityManager that MikroORM's own context resolution would pick, or a fresh fork of the global one. */
  current(): EntityManager {
    const root = this.#root();
    const scoped = root.getContext(false);
    return scoped.global ? scoped.fork({ clear: true, useContext: false }) : scoped;
  }

  /** The root EntityManager, for metadata and platform questions that need no context. */
  root(): EntityManager {
    return this.#root();
  }
}
