interface Lease {
  readonly id: string;
  readonly amount: number;
  readonly expiresAt: number;
  live: boolean;
}

/**
 * Expiring leases in process, for concurrency slots (amount 1) and budget reservations (nano-USD): a
 * lease not released by its holder stops counting at `expiresAt`, so a lost request cannot hold a
 * slot or a reservation forever. `total` is the sum of live amounts (integers, so it stays exact).
 *
 * Kept in an array in the order taken, not in a Map: one set and one delete per request on a
 * long-lived Map made V8 promote each request's objects (docs/PERFORMANCE.md, "Long-lived
 * collections"). A release searches from the oldest live lease; leases are mostly released in about
 * the order they were taken, and only the requests in flight hold one.
 */
export class Leases {
  #leases: Array<Lease | undefined> = [];
  /** Index of the oldest slot that may still hold a live lease. */
  #head = 0;
  #live = 0;
  /** Ended leases still in the array (behind a live one that was taken earlier). */
  #ended = 0;
  #total = 0;
  /** Used since the tracking map last looked (see `RecentMap`). */
  recent = false;

  get total(): number {
    return this.#total;
  }

  get size(): number {
    return this.#live;
  }

  /** Leases held in the array, live and ended: bounded by about twice the live ones (a release searches them). */
  get held(): number {
    return this.#leases.length - this.#head;
  }

  add(id: string, amount: number, expiresAt: number): void {
    this.#leases.push({ id, amount, expiresAt, live: true });
    this.#live++;
    this.#total += amount;
  }

  /** Releases a lease; false if it was already released or expired. */
  release(id: string): boolean {
    for (let index = this.#head; index < this.#leases.length; index++) {
      const lease = this.#leases[index];
      if (lease?.live && lease.id === id) {
        this.#end(lease);
        this.#dropReleasedFront();
        return true;
      }
    }
    return false;
  }

  /**
   * Drops expired leases. Leases of one rule mostly share a length, so the order taken is expiry
   * order and the scan stops at the first live one; `everything` scans all, for when a refusal
   * hinges on it (a lease length that changed, e.g. after a config reload).
   */
  expire(nowMs: number, everything = false): void {
    for (let index = this.#head; index < this.#leases.length; index++) {
      const lease = this.#leases[index];
      if (!lease?.live) continue;
      if (lease.expiresAt <= nowMs) this.#end(lease);
      else if (!everything) break;
    }
    this.#dropReleasedFront();
    if (this.#live === 0) this.#total = 0;
  }

  #end(lease: Lease): void {
    lease.live = false;
    this.#live--;
    this.#ended++;
    this.#total -= lease.amount;
  }

  /**
   * Lets go of ended leases at the front. A long request holding the oldest lease would leave every
   * later, ended one behind it, so the array is rebuilt with the live ones once the ended outnumber
   * them: a search stays proportional to the requests in flight.
   */
  #dropReleasedFront(): void {
    while (this.#head < this.#leases.length && !this.#leases[this.#head]?.live) {
      if (this.#leases[this.#head]) this.#ended--;
      this.#leases[this.#head++] = undefined;
    }
    if (this.#head === this.#leases.length) {
      this.#leases = [];
      this.#head = 0;
    } else if (this.#ended > 32 && this.#ended > this.#live) {
      this.#leases = this.#leases.filter((lease) => lease?.live);
      this.#head = 0;
      this.#ended = 0;
    }
  }
}
