import { bucketLeavesAt, bucketOf, oldestCountedBucket, slotsFor } from './window-math.js';

/**
 * One window limit's buckets in process: a ring of `slotsFor(window)` slots, each remembering which
 * bucket it holds so a stale slot is recognised (and reused) without timers. Every operation is
 * O(slots), about 61 for a 60 s window, and allocates nothing.
 */
export class WindowCounter {
  readonly windowMs: number;
  readonly size: number;
  readonly #amounts: Float64Array;
  /** The bucket each slot holds; -Infinity when empty. */
  readonly #buckets: Float64Array;
  /** Latest instant seen: a clock that steps back is held here, so no bucket is ever in the future. */
  #lastNow = -Infinity;
  /** Used since the tracking map last looked (see `RecentMap`). */
  recent = false;

  constructor(windowMs: number, size: number) {
    this.windowMs = windowMs;
    this.size = size;
    const slots = slotsFor(windowMs, size);
    this.#amounts = new Float64Array(slots);
    this.#buckets = new Float64Array(slots).fill(-Infinity);
  }

  /** `nowMs`, or the latest instant already seen if the clock went back. */
  clamp(nowMs: number): number {
    if (nowMs > this.#lastNow) this.#lastNow = nowMs;
    return this.#lastNow;
  }

  /** Units counted in the window ending at `nowMs` (pass it through `clamp` first). */
  used(nowMs: number): number {
    const oldest = oldestCountedBucket(nowMs, this.windowMs, this.size);
    let total = 0;
    for (let slot = 0; slot < this.#buckets.length; slot++) {
      if (this.#buckets[slot]! >= oldest) total += this.#amounts[slot]!;
    }
    return total;
  }

  /** When enough buckets will have left the window for `used - freed + amount <= limit`. */
  fitsAt(nowMs: number, used: number, amount: number, limit: number): number {
    const oldest = oldestCountedBucket(nowMs, this.windowMs, this.size);
    const current = bucketOf(nowMs, this.size);
    let freed = 0;
    for (let bucket = oldest; bucket <= current; bucket++) {
      const slot = this.#slot(bucket);
      if (this.#buckets[slot] === bucket) freed += this.#amounts[slot]!;
      if (used - freed + amount <= limit) return bucketLeavesAt(bucket, this.windowMs, this.size);
    }
    return bucketLeavesAt(current, this.windowMs, this.size); // unreachable while amount <= limit
  }

  /** When everything counted at `nowMs` will have left the window (`nowMs` itself if nothing is). */
  emptyAt(nowMs: number): number {
    const oldest = oldestCountedBucket(nowMs, this.windowMs, this.size);
    let newest = -Infinity;
    for (let slot = 0; slot < this.#buckets.length; slot++) {
      const bucket = this.#buckets[slot]!;
      if (bucket >= oldest && bucket > newest && this.#amounts[slot]! > 0) newest = bucket;
    }
    return newest === -Infinity ? nowMs : bucketLeavesAt(newest, this.windowMs, this.size);
  }

  /** Adds `amount` to the bucket of `nowMs`; returns that bucket for a later `adjust`. */
  take(nowMs: number, amount: number): number {
    const bucket = bucketOf(nowMs, this.size);
    const slot = this.#slot(bucket);
    if (this.#buckets[slot] !== bucket) {
      this.#buckets[slot] = bucket;
      this.#amounts[slot] = 0;
    }
    this.#amounts[slot]! += amount;
    return bucket;
  }

  /** Corrects a bucket taken earlier, if the ring still holds it; never below zero. */
  adjust(bucket: number, delta: number): void {
    const slot = this.#slot(bucket);
    if (this.#buckets[slot] !== bucket) return; // left the window: nothing to correct
    this.#amounts[slot] = Math.max(0, this.#amounts[slot]! + delta);
  }

  #slot(bucket: number): number {
    const slots = this.#buckets.length;
    return ((bucket % slots) + slots) % slots;
  }
}
