import assert from 'node:assert/strict';
import { test } from 'node:test';
import { median, percentile, summarize } from './stats.js';

test('percentile uses nearest rank', () => {
  const sorted = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  assert.equal(percentile(sorted, 50), 5);
  assert.equal(percentile(sorted, 90), 9);
  assert.equal(percentile(sorted, 99), 10);
  assert.equal(percentile(sorted, 0), 1);
  assert.ok(Number.isNaN(percentile([], 50)));
});

test('summarize sorts numerically and leaves the input alone', () => {
  const samples = [10, 9, 1, 100, 2];
  assert.deepEqual(summarize(samples), { p50: 9, p90: 100, p99: 100, mean: 24.4, samples: 5 });
  assert.deepEqual(samples, [10, 9, 1, 100, 2]);
});

test('median ignores NaN and averages the middle pair', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(median([Number.NaN, 5]), 5);
  assert.ok(Number.isNaN(median([])));
});
