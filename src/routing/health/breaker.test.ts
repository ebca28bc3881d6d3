import assert from 'node:assert/strict';
import { test } from 'node:test';
import { admit, errorRate, newBreakerRecord, recordOutcome, type BreakerSettings } from './breaker.js';

const settings: BreakerSettings = { consecutiveFailures: 3, errorRate: 0.5, windowMs: 10_000, minRequests: 4, cooldownMs: 1_000 };
const fresh = (now = 0) => ({ ...newBreakerRecord(), bucketStart: now });

test('consecutive failures open the circuit; a success in between resets the count', () => {
  const record = fresh();
  recordOutcome(record, { ...settings, minRequests: 100 }, false, 1);
  recordOutcome(record, { ...settings, minRequests: 100 }, false, 2);
  recordOutcome(record, { ...settings, minRequests: 100 }, true, 3);
  recordOutcome(record, { ...settings, minRequests: 100 }, false, 4);
  recordOutcome(record, { ...settings, minRequests: 100 }, false, 5);
  assert.equal(record.state, 'closed');
  assert.equal(recordOutcome(record, { ...settings, minRequests: 100 }, false, 6), true);
  assert.equal(record.state, 'open');
  assert.equal(admit(record, settings, 500), false);
});

test('an error rate over the window opens it, but only with enough calls', () => {
  const record = fresh();
  const loose = { ...settings, consecutiveFailures: 100 };
  for (const ok of [true, false, true]) recordOutcome(record, loose, ok, 10);
  assert.equal(record.state, 'closed', '1 of 3 and under min_requests');
  recordOutcome(record, loose, false, 20);
  assert.equal(record.state, 'open', '2 of 4 = 50%');
});

test('after the cooldown exactly one probe goes through; its success closes the circuit', () => {
  const record = fresh();
  for (let i = 0; i < 3; i++) recordOutcome(record, settings, false, 100);
  assert.equal(admit(record, settings, 1_099), false);
  assert.equal(admit(record, settings, 1_100), true, 'the probe');
  assert.equal(record.state, 'half_open');
  assert.equal(admit(record, settings, 1_101), false, 'no second caller while the probe is out');
  recordOutcome(record, settings, true, 1_200);
  assert.equal(record.state, 'closed');
  assert.equal(admit(record, settings, 1_201), true);
  assert.equal(errorRate(record, settings, 1_201).requests, 0, 'a recovered target starts clean');
});

test('a failed probe opens the circuit for another cooldown; a lost probe is replaced after one', () => {
  const record = fresh();
  for (let i = 0; i < 3; i++) recordOutcome(record, settings, false, 0);
  assert.equal(admit(record, settings, 1_000), true);
  recordOutcome(record, settings, false, 1_050);
  assert.equal(record.state, 'open');
  assert.equal(admit(record, settings, 2_000), false);
  assert.equal(admit(record, settings, 2_050), true, 'probe');
  assert.equal(admit(record, settings, 2_500), false);
  assert.equal(admit(record, settings, 3_050), true, 'the first probe never reported back');
});

test('the sliding window forgets old failures', () => {
  const record = fresh();
  const loose = { ...settings, consecutiveFailures: 100 };
  for (let i = 0; i < 3; i++) recordOutcome(record, loose, false, 1_000);
  for (let i = 0; i < 3; i++) recordOutcome(record, loose, true, 1_000);
  assert.equal(errorRate(record, loose, 1_000).rate, 0.5);
  assert.ok(Math.abs(errorRate(record, loose, 15_000).requests - 3) < 0.01, 'half of the previous bucket still overlaps');
  assert.equal(errorRate(record, loose, 25_000).requests, 0);
  recordOutcome(record, loose, false, 25_000);
  assert.equal(record.state, 'closed', 'one failure in a fresh window is under min_requests');
});

test('a late success while open (a call already in flight) does not close the circuit', () => {
  const record = fresh();
  for (let i = 0; i < 3; i++) recordOutcome(record, settings, false, 0);
  assert.equal(recordOutcome(record, settings, true, 10), false);
  assert.equal(record.state, 'open');
  assert.equal(admit(record, settings, 500), false);
});
