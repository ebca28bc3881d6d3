import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BASE_DELAY_MS, MAX_DELAY_MS, retryDelayMs } from './backoff.js';

test('backoff doubles its ceiling per retry, with full jitter, capped', () => {
  assert.equal(retryDelayMs(0, undefined, () => 0.999999), BASE_DELAY_MS);
  assert.equal(retryDelayMs(1, undefined, () => 0.999999), 2 * BASE_DELAY_MS);
  assert.equal(retryDelayMs(2, undefined, () => 0.5), 2 * BASE_DELAY_MS);
  assert.equal(retryDelayMs(0, undefined, () => 0), 0);
  assert.equal(retryDelayMs(20, undefined, () => 0.999999), MAX_DELAY_MS);
});

test('a provider hint wins over backoff; one too long is refused', () => {
  assert.equal(retryDelayMs(0, 1.5, () => 0.1), 1500);
  assert.equal(retryDelayMs(3, 0, () => 0.9), 0);
  assert.equal(retryDelayMs(0, 3600), undefined);
});
