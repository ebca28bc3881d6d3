// `npm run bench:semantic -- [--entries N] [--dimensions D] [--queries Q]`: the semantic cache's
// in-process index (cache/semantic/vector-index.ts, usearch HNSW, cosine) at the sizes a gateway
// holds: time to add N prompts, lookup p50/p99 of the 8 nearest (what each semantic lookup asks),
// recall of the true nearest (exact scan as the reference), and the process RSS it adds.
// The embedding call itself is the provider's round trip and is not part of this.
import { parseArgs } from 'node:util';
import { VectorIndex } from '../src/cache/semantic/vector-index.js';
import { partitionOf, type SemanticRecord } from '../src/cache/semantic/record.js';

const { values } = parseArgs({
  options: { entries: { type: 'string', default: '10000' }, dimensions: { type: 'string', default: '1536' }, queries: { type: 'string', default: '2000' } },
});
const entries = Number(values.entries);
const dimensions = Number(values.dimensions);
const queries = Number(values.queries);
const partition = partitionOf('global', 'fast', 'openai', 'embed');
const guard = { system: 's', tools: 't', parameters: 'p', conversation: 'c' };

// Deterministic pseudo-random unit vectors (clustered a little, like real prompts).
let seed = 12345;
const random = () => ((seed = Math.imul(seed ^ (seed >>> 15), 2246822507) + 0x6d2b79f5) >>> 0) / 2 ** 32;
const centers = Array.from({ length: 64 }, () => Float32Array.from({ length: dimensions }, () => random() - 0.5));
function vectorNear(center: Float32Array, spread: number): Float32Array {
  const v = Float32Array.from(center, (x) => x + (random() - 0.5) * spread);
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}

const rssBefore = process.memoryUsage().rss;
const index = new VectorIndex(entries + 1);
const vectors: Float32Array[] = [];
let addMs = 0;
for (let i = 0; i < entries; i++) {
  const vector = vectorNear(centers[i % centers.length]!, 0.8);
  vectors.push(vector);
  const record: SemanticRecord = { key: `global|fast|${i}`, namespace: 'global', model: 'fast', partition, guard, vector, expiresAt: Date.now() + 3_600_000 };
  const start = performance.now();
  index.add(record);
  addMs += performance.now() - start;
}
const rssAfter = process.memoryUsage().rss;

const times: number[] = [];
let found = 0;
for (let q = 0; q < queries; q++) {
  const query = vectorNear(vectors[Math.floor(random() * entries)]!, 0.05);
  const start = performance.now();
  const neighbours = index.nearest(partition, query, 8);
  times.push(performance.now() - start);
  // Recall@1 against an exact scan, on a sample of the queries (the scan is slow).
  if (q % 20 === 0) {
    let best = -Infinity;
    let bestKey = '';
    for (let i = 0; i < entries; i++) {
      let dot = 0;
      const v = vectors[i]!;
      for (let d = 0; d < dimensions; d++) dot += v[d]! * query[d]!;
      if (dot > best) [best, bestKey] = [dot, `global|fast|${i}`];
    }
    if (neighbours[0]?.record.key === bestKey) found++;
  }
}
times.sort((a, b) => a - b);
const at = (p: number) => times[Math.min(times.length - 1, Math.floor(times.length * p))]!.toFixed(3);
console.log(`entries ${entries}, dimensions ${dimensions}, queries ${queries}`);
console.log(`add: ${((addMs * 1000) / entries).toFixed(1)} µs per prompt (${(addMs / 1000).toFixed(2)} s in all)`);
console.log(`nearest 8: p50 ${at(0.5)} ms, p99 ${at(0.99)} ms`);
console.log(`recall@1 vs exact scan: ${((found / Math.ceil(queries / 20)) * 100).toFixed(1)}%`);
console.log(`RSS added: ${((rssAfter - rssBefore) / 2 ** 20).toFixed(0)} MiB (vectors kept in JS for replay + the HNSW graph)`);
