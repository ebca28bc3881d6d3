import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readSettings } from './settings.js';

test('defaults keep a full run near three minutes', () => {
  const settings = readSettings({});
  assert.equal(settings.durationS, 3);
  assert.equal(settings.rounds, 3);
  assert.equal(settings.scenarios.length, 4);
  assert.deepEqual([...settings.targets], ['direct', 'floor', 'gateway']);
});

test('filters and numbers come from BENCH_* variables; direct is always kept', () => {
  const settings = readSettings({ BENCH_DURATION_S: '1.5', BENCH_TARGETS: 'gateway', BENCH_SCENARIOS: 'stream-1,json-64' });
  assert.equal(settings.durationS, 1.5);
  assert.deepEqual([...settings.targets], ['direct', 'gateway']);
  assert.deepEqual(settings.scenarios.map((s) => s.id), ['json-64', 'stream-1']);
});

test('the keys targets are opt-in; their Redis URL comes from SWITCHYARD_BENCH_REDIS_URL', () => {
  assert.equal(readSettings({}).redisUrl, 'redis://127.0.0.1:6379');
  const settings = readSettings({ BENCH_TARGETS: 'gateway,gateway-keys,gateway-keys-redis', SWITCHYARD_BENCH_REDIS_URL: 'redis://10.0.0.5:6380/2' });
  assert.deepEqual([...settings.targets], ['direct', 'gateway', 'gateway-keys', 'gateway-keys-redis']);
  assert.equal(settings.redisUrl, 'redis://10.0.0.5:6380/2');
});

test('bad values are refused with the variable named', () => {
  assert.throws(() => readSettings({ BENCH_ROUNDS: 'three' }), /BENCH_ROUNDS: expected a number, got "three"/);
  assert.throws(() => readSettings({ BENCH_TARGETS: 'flor' }), /BENCH_TARGETS: unknown flor \(known: direct, floor, gateway, gateway-bare, gateway-keys, gateway-keys-redis, gateway-cache, gateway-guardrails, gateway-baseline\)/);
});
