/** What a request's `Cache-Control` asks of the response cache. */
export interface CacheDirectives {
  /** `no-cache`: don't answer from the cache (the answer is still stored). */
  read: boolean;
  /** `no-store`: don't store this answer. */
  write: boolean;
  /** `max-age=N`: keep this answer N seconds instead of `cache.ttl_s` (0: don't store it). */
  maxAgeS?: number;
}

/**
 * Reads the request directives the gateway honours (`no-cache`, `no-store`, `max-age=N`) from a
 * `Cache-Control` header; anything else in it is ignored, as HTTP caches do.
 */
export function parseCacheControl(header: string | string[] | undefined): CacheDirectives {
  const directives: CacheDirectives = { read: true, write: true };
  if (header === undefined) return directives;
  for (const raw of (Array.isArray(header) ? header.join(',') : header).split(',')) {
    const [name = '', value] = raw.trim().toLowerCase().split('=', 2);
    if (name === 'no-cache') directives.read = false;
    else if (name === 'no-store') directives.write = false;
    else if (name === 'max-age' && value !== undefined && /^\d+$/.test(value.trim())) directives.maxAgeS = Number(value.trim());
  }
  if (directives.maxAgeS === 0) directives.write = false;
  return directives;
}
