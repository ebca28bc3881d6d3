/**
 * Bucket arithmetic for strict sliding windows, shared by both stores (the Redis script mirrors it
 * line for line). A window is cut into fixed buckets; a check counts every bucket that overlaps
 * [now - windowMs, now]. Each admitted unit sits in a bucket inside the window of every later check
 * that could see it, so no window of `windowMs` ever holds more than the limit. The price: a unit is
 * counted for up to one bucket longer than the window, so a full window frees up to 1/60 late.
 */

/** Buckets per window: 1 s buckets for a 60 s window, memory O(60) per limit. */
export const BUCKETS_PER_WINDOW = 60;

/** Bucket length for a window, at least 1 ms. */
export function bucketMs(windowMs: number): number {
  return Math.max(1, Math.ceil(windowMs / BUCKETS_PER_WINDOW));
}

/** The bucket holding instant `nowMs`. */
export function bucketOf(nowMs: number, size: number): number {
  return Math.floor(nowMs / size);
}

/** The oldest bucket that overlaps [now - windowMs, now]: it and every later one are counted. */
export function oldestCountedBucket(nowMs: number, windowMs: number, size: number): number {
  return Math.floor((nowMs - windowMs) / size);
}

/** The instant from which `bucket` no longer overlaps the window (its units stop counting). */
export function bucketLeavesAt(bucket: number, windowMs: number, size: number): number {
  return (bucket + 1) * size + windowMs;
}

/**
 * How many bucket slots a ring needs: at most ceil(windowMs / size) + 1 buckets overlap a window
 * (the one holding `now - windowMs`, the one holding `now`, and every one between).
 */
export function slotsFor(windowMs: number, size: number): number {
  return Math.ceil(windowMs / size) + 1;
}

/** Window amounts are whole units (requests, tokens): round a fractional estimate up, never below 0. */
export function wholeUnits(amount: number): number {
  return amount > 0 ? Math.ceil(amount) : 0;
}
