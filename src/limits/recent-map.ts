/** Limits tracked per process: past this, the least recently used ones are forgotten. */
export const MAX_TRACKED_LIMITS = 100_000;

/**
 * A map of at most `max` entries that, when full, evicts one not used lately ("second chance"): a
 * lookup only sets a flag, and eviction walks from the oldest insertion, giving each recently used
 * entry one more round at the back. Active limits survive a flood of new ids (a client minting keys,
 * a budget per period) without any per-call reordering.
 */
export class RecentMap<V extends { recent: boolean }> {
  readonly #map = new Map<string, V>();
  readonly #max: number;

  constructor(max = MAX_TRACKED_LIMITS) {
    this.#max = max;
  }

  get size(): number {
    return this.#map.size;
  }

  get(key: string): V | undefined {
    const value = this.#map.get(key);
    if (value) value.recent = true;
    return value;
  }

  /** A new entry starts unflagged: an id used once (a flood of fresh ids) goes before any reused one. */
  set(key: string, value: V): void {
    if (this.#map.size >= this.#max && !this.#map.has(key)) this.#evictOne();
    value.recent = false;
    this.#map.set(key, value);
  }

  delete(key: string): void {
    this.#map.delete(key);
  }

  #evictOne(): void {
    // Terminates: every entry passed over loses its flag, so the walk evicts at the latest when it
    // comes back round to the first one it moved.
    for (const [key, value] of this.#map) {
      this.#map.delete(key);
      if (!value.recent) return;
      value.recent = false;
      this.#map.set(key, value);
    }
  }
}
