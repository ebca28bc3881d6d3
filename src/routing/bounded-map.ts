/**
 * Deployments tracked per process (stats, breakers). Configured targets are few; the bound is for
 * `provider/model` routes, whose model part the client chooses: without it, a client sending new
 * names would grow these maps for as long as the process lives.
 */
export const MAX_TRACKED_TARGETS = 10_000;

/** Sets `key`, first dropping the oldest entry when the map is full (insertion order). */
export function setBounded<K, V>(map: Map<K, V>, key: K, value: V, max = MAX_TRACKED_TARGETS): void {
  if (map.size >= max && !map.has(key)) {
    const oldest = map.keys().next();
    if (!oldest.done) map.delete(oldest.value);
  }
  map.set(key, value);
}
