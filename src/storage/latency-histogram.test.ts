import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addHistogram, addLatency, bucketLatency, encodeHistogram, latencyBucket, percentiles, type LatencyCounts } from './latency-histogram.js';

test('every latency up to 10 minutes reads back within 3.2% (exact below 64 ms)', () => {
  for (let ms = 0; ms <= 600_000; ms++) {
    const back = bucketLatency(latencyBucket(ms));
    if (ms < 64) assert.equal(back, ms);
    else assert.ok(Math.abs(back - ms) <= ms * 0.032 + 0.5, `${ms} → ${back}`);
  }
});

test('percentiles are nearest-rank; histograms merge by adding counts', () => {
  const exact: LatencyCounts = new Map();
  for (let i = 1; i <= 20; i++) addLatency(exact, i * 10, 1);
  assert.deepEqual(percentiles(exact, [50, 95]), [100, 190]);
  assert.deepEqual(percentiles(new Map(), [50]), [null]);
  const merged: LatencyCounts = new Map();
  addHistogram(merged, encodeHistogram(exact));
  addHistogram(merged, encodeHistogram(new Map([[5, 20]])));
  const [p50, p95] = percentiles(merged, [50, 95]);
  assert.equal(p50, 5, 'half the 40 requests took 5 ms');
  assert.ok(Math.abs(p95! - 180) <= 180 * 0.032, `p95 ${p95}`);
});
