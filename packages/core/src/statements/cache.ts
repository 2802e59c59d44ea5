import type { Template } from './template.js';

/** Templates by key, least recently used evicted first; `null` marks a shape that cannot be cached. */
export class StatementCache {
  readonly #entries = new Map<string, Template | null>();
  readonly #capacity: number;
  #templates = 0;

  constructor(capacity = 1000) {
    this.#capacity = capacity;
  }

  /** Number of shapes held, uncacheable ones included. */
  get size(): number {
    return this.#entries.size;
  }

  /** Number of shapes whose SQL is reused (those held with a template). */
  get templates(): number {
    return this.#templates;
  }

  /** The template of `key`; a hit makes it the most recently used. */
  get(key: string): Template | null | undefined {
    const entry = this.#entries.get(key);
    if (entry !== undefined) {
      this.#entries.delete(key);
      this.#entries.set(key, entry);
    }
    return entry;
  }

  /** Remembers a template, evicting the least recently used one when full. */
  set(key: string, template: Template | null): void {
    this.#delete(key);
    if (this.#entries.size >= this.#capacity) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#delete(oldest);
    }
    this.#entries.set(key, template);
    if (template) this.#templates++;
  }

  #delete(key: string): void {
    if (this.#entries.get(key)) this.#templates--;
    this.#entries.delete(key);
  }
}
