/**
 * Latency distributions that can be added together: the hourly usage rollup keeps one per group
 * and hour, and /admin/usage merges them (and the exact latencies of the hours not rolled up yet)
 * into p50/p95 over any range. Below 64 ms every millisecond is its own bucket; above, buckets grow
 * by e^(1/16), so a percentile read from them is within ±3.2% of the exact one.
 */
const EXACT_BELOW = 64;
const BUCKETS_PER_E = 16;

export function latencyBucket(latencyMs: number): number {
  if (latencyMs < EXACT_BELOW) return Math.max(0, Math.floor(latencyMs));
  return EXACT_BELOW + Math.floor(BUCKETS_PER_E * Math.log(latencyMs / EXACT_BELOW));
}

/** The value a bucket stands for: its geometric middle (exact below 64 ms). */
export function bucketLatency(bucket: number): number {
  if (bucket < EXACT_BELOW) return bucket;
  return Math.round(EXACT_BELOW * Math.exp((bucket - EXACT_BELOW + 0.5) / BUCKETS_PER_E));
}

/** Latency (ms) → how many requests took it. Exact values and bucket middles mix freely. */
export type LatencyCounts = Map<number, number>;

export function addLatency(counts: LatencyCounts, latencyMs: number, requests: number): void {
  counts.set(latencyMs, (counts.get(latencyMs) ?? 0) + requests);
}

/** Bucketed for storage: `{bucket: count}` as JSON. */
export function encodeHistogram(counts: LatencyCounts): string {
  const buckets: Record<number, number> = {};
  for (const [latency, count] of counts) {
    const bucket = latencyBucket(latency);
    buckets[bucket] = (buckets[bucket] ?? 0) + count;
  }
  return JSON.stringify(buckets);
}

export function addHistogram(counts: LatencyCounts, encoded: string): void {
  const buckets = JSON.parse(encoded) as Record<string, number>;
  for (const bucket in buckets) addLatency(counts, bucketLatency(Number(bucket)), buckets[bucket]!);
}

/** Nearest-rank percentiles (the ceil(p·n)-th value); null for no requests. */
export function percentiles(counts: LatencyCounts, ranks: readonly number[]): Array<number | null> {
  let total = 0;
  for (const count of counts.values()) total += count;
  if (total === 0) return ranks.map(() => null);
  const sorted = [...counts.keys()].sort((a, b) => a - b);
  return ranks.map((p) => {
    const rank = Math.max(1, Math.ceil((p * total) / 100 - 1e-9));
    let seen = 0;
    for (const latency of sorted) {
      seen += counts.get(latency)!;
      if (seen >= rank) return latency;
    }
    return sorted.at(-1)!;
  });
}
