/**
 * Expiring leases in process, for concurrency slots (amount 1) and budget reservations (nano-USD): a
 * lease not released by its holder stops counting at `expiresAt`, so a lost request cannot hold a
 * slot or a reservation forever. `total` is the sum of live amounts (integers, so it stays exact).
 */
export class Leases {
  readonly #leases = new Map<string, { amount: number; expiresAt: number }>();
  #total = 0;
  /** Used since the tracking map last looked (see `RecentMap`). */
  recent = false;

  get total(): number {
    return this.#total;
  }

  get size(): number {
    return this.#leases.size;
  }

  add(id: string, amount: number, expiresAt: number): void {
    this.#leases.set(id, { amount, expiresAt });
    this.#total += amount;
  }

  /** Releases a lease; false if it was already released or expired. */
  release(id: string): boolean {
    const lease = this.#leases.get(id);
    if (!lease) return false;
    this.#leases.delete(id);
    this.#total -= lease.amount;
    return true;
  }

  /**
   * Drops expired leases. Leases of one rule mostly share a length, so insertion order is expiry
   * order and the scan stops at the first live one; `everything` scans all, for when a refusal
   * hinges on it (a lease length that changed, e.g. after a config reload).
   */
  expire(nowMs: number, everything = false): void {
    for (const [id, lease] of this.#leases) {
      if (lease.expiresAt <= nowMs) {
        this.#leases.delete(id);
        this.#total -= lease.amount;
      } else if (!everything) {
        break;
      }
    }
    if (this.#leases.size === 0) this.#total = 0;
  }
}
