/** First retry waits up to this long; each next one doubles it (full jitter). */
export const BASE_DELAY_MS = 250;
/** Backoff never waits longer than this per retry. */
export const MAX_DELAY_MS = 8_000;
/** A provider asking us to wait longer than this (`retry-after`) is skipped instead of waited for. */
export const MAX_RETRY_AFTER_MS = 60_000;

/**
 * How long to wait before retry number `retry` (0-based) on the same target, or undefined when
 * the provider's own `retry-after` / `retry-after-ms` asks for longer than we are willing to wait
 * (the caller then falls over instead). Without a hint: exponential backoff with full jitter
 * (AWS's "full jitter"), so many gateways retrying the same provider spread out.
 */
export function retryDelayMs(retry: number, retryAfterS: number | undefined, random: () => number = Math.random): number | undefined {
  if (retryAfterS !== undefined) {
    const hinted = retryAfterS * 1000;
    return hinted > MAX_RETRY_AFTER_MS ? undefined : hinted;
  }
  return fullJitterDelay(retry, BASE_DELAY_MS, MAX_DELAY_MS, random);
}

/** Exponential backoff with full jitter: a random wait up to `baseMs * 2^attempt`, capped at `maxMs`. */
export function fullJitterDelay(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  return Math.round(random() * Math.min(maxMs, baseMs * 2 ** attempt));
}
