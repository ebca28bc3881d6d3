import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toNanoUsd, fromNanoUsd } from './money.js';
import { bucketLeavesAt, bucketMs, bucketOf, oldestCountedBucket, slotsFor, wholeUnits } from './window-math.js';

test('a 60 s window has 1 s buckets, and a check counts the 61 that overlap it', () => {
  const size = bucketMs(60_000);
  assert.equal(size, 1_000);
  assert.equal(slotsFor(60_000, size), 61);
  assert.equal(bucketOf(120_500, size) - oldestCountedBucket(120_500, 60_000, size) + 1, 61);
  assert.equal(bucketOf(120_000, size) - oldestCountedBucket(120_000, 60_000, size) + 1, 61, 'closed at both ends');
  assert.equal(bucketLeavesAt(60, 60_000, size), 121_000);
  assert.equal(oldestCountedBucket(121_000, 60_000, size), 61, 'bucket 60 has left at that instant');
});

test('odd windows: buckets of at least 1 ms, and enough ring slots for every overlap', () => {
  for (const windowMs of [1, 7, 59, 61, 1_500, 90_000, 3_600_000]) {
    const size = bucketMs(windowMs);
    assert.ok(size >= 1);
    for (let now = 10_000; now < 10_000 + 3 * size; now++) {
      const overlapping = bucketOf(now, size) - oldestCountedBucket(now, windowMs, size) + 1;
      assert.ok(overlapping <= slotsFor(windowMs, size), `window ${windowMs} at ${now}: ${overlapping} buckets`);
    }
  }
});

test('window amounts are whole units; budgets are whole nano-dollars that add up exactly', () => {
  assert.equal(wholeUnits(2.1), 3);
  assert.equal(wholeUnits(-4), 0);
  assert.equal(toNanoUsd(0.05) * 20, toNanoUsd(1));
  assert.equal(fromNanoUsd(toNanoUsd(0.1) + toNanoUsd(0.2)), 0.3);
  assert.equal(toNanoUsd(-1), 0);
});
