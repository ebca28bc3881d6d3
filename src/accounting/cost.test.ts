import { test } from 'node:test';
import assert from 'node:assert/strict';
import { costUsd, formatCost } from './cost.js';

const price = { input_per_mtok: 3, output_per_mtok: 15, cached_input_per_mtok: 0.3, cache_write_input_per_mtok: 3.75 };

test('cost prices fresh input, cache reads, cache writes and output apart', () => {
  // 1000 input of which 600 read from cache and 100 written to it; 200 output.
  const usd = costUsd({ inputTokens: 1000, cachedInputTokens: 600, cacheWriteInputTokens: 100, outputTokens: 200 }, price);
  assert.ok(Math.abs(usd - (300 * 3 + 600 * 0.3 + 100 * 3.75 + 200 * 15) / 1e6) < 1e-15);
  assert.equal(costUsd({ inputTokens: 0, outputTokens: 0 }, price), 0);
});

test('without cache prices, cached and written input cost the input price', () => {
  const usd = costUsd({ inputTokens: 100, cachedInputTokens: 50, cacheWriteInputTokens: 10, outputTokens: 1 }, { input_per_mtok: 2, output_per_mtok: 8 });
  assert.ok(Math.abs(usd - (100 * 2 + 8) / 1e6) < 1e-15);
});

test('the cost header is a plain decimal, never an exponent', () => {
  assert.equal(formatCost(0), '0');
  assert.equal(formatCost(1e-7), '0.0000001');
  assert.equal(formatCost(0.00046), '0.00046');
  assert.equal(formatCost(12.5), '12.5');
  assert.equal(formatCost(0.1 + 0.2), '0.3');
});
