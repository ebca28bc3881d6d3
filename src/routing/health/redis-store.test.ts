import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, test } from 'node:test';
import type { TargetPlan } from '../../config/plan.js';
import { redisUrlForTests } from '../../../test/helpers/services.js';
import { DEFAULT_BREAKER, type BreakerSettings } from './breaker.js';
import { RedisHealthStore } from './redis-store.js';

const redis = redisUrlForTests();
const skip = 'skip' in redis ? redis.skip : false;
const settings: BreakerSettings = { ...DEFAULT_BREAKER, consecutiveFailures: 3, cooldownMs: 300 };
const target = { key: `prov-${randomUUID()}/model` } as TargetPlan;
const stores: RedisHealthStore[] = [];
function store(): RedisHealthStore {
  const created = new RedisHealthStore((redis as { url: string }).url, () => settings, { prefix: `switchyard-test:${process.pid}:` });
  stores.push(created);
  return created;
}
after(async () => {
  for (const created of stores) await created.close();
});
const ready = async (...all: RedisHealthStore[]) => {
  for (let i = 0; i < 100 && all.some((s) => s.backend().connection !== 'ready'); i++) await new Promise((r) => setTimeout(r, 10));
};

test('two instances share one breaker: failures seen by one open the circuit for both; one probe between them', { skip }, async () => {
  const one = store();
  const two = store();
  await ready(one, two);
  assert.equal(two.admit(target), true);
  for (let i = 0; i < 3; i++) {
    assert.equal(one.admit(target), true);
    one.record(target, false);
  }
  assert.equal(one.admit(target), false, 'open locally at once');
  await one.sync();
  await two.sync();
  assert.equal(two.admit(target), false, 'the other instance follows');
  assert.equal((await two.health(target)).state, 'open');

  await new Promise((resolve) => setTimeout(resolve, 320));
  const claims = await Promise.all([one.admit(target), two.admit(target)]);
  assert.deepEqual(claims.filter(Boolean).length, 1, `exactly one probe: ${JSON.stringify(claims)}`);
  const prober = claims[0] ? one : two;
  const other = claims[0] ? two : one;
  prober.record(target, true);
  await prober.sync();
  await other.sync();
  assert.equal(await other.admit(target), true, 'the probe closed it for everyone');
  assert.equal((await other.health(target)).state, 'closed');
});

test('a failed probe reopens the circuit for a full cooldown everywhere', { skip }, async () => {
  const one = store();
  const two = store();
  await ready(one, two);
  const failing = { key: `prov-${randomUUID()}/model` } as TargetPlan;
  one.admit(failing);
  for (let i = 0; i < 3; i++) one.record(failing, false);
  await one.sync();
  await new Promise((resolve) => setTimeout(resolve, 320));
  assert.equal(await one.admit(failing), true, 'probe');
  one.record(failing, false);
  await one.sync();
  await two.sync();
  const health = await two.health(failing);
  assert.equal(health.state, 'open');
  assert.ok(health.retryAt! - Date.now() > 200, 'cooldown restarted');
  assert.equal(await two.admit(failing), false);
});

test('concurrent writers lose no outcomes (compare-and-set)', { skip }, async () => {
  const one = store();
  const two = store();
  await ready(one, two);
  const busy = { key: `prov-${randomUUID()}/model` } as TargetPlan;
  for (let round = 0; round < 5; round++) {
    one.record(busy, true);
    two.record(busy, true);
    two.record(busy, false);
    await Promise.all([one.sync(), two.sync()]);
  }
  for (let i = 0; i < 5; i++) await Promise.all([one.sync(), two.sync()]);
  const health = await one.health(busy);
  assert.equal(health.requests, 15);
  assert.ok(Math.abs(health.errorRate - 1 / 3) < 0.001, String(health.errorRate));
});

test('Redis unreachable: the store keeps deciding on its own outcomes and never throws', async () => {
  const offline = new RedisHealthStore('redis://127.0.0.1:1', () => settings, { prefix: 'switchyard-test-offline:' });
  try {
    const lonely = { key: `prov-${randomUUID()}/model` } as TargetPlan;
    assert.equal(offline.admit(lonely), true);
    for (let i = 0; i < 3; i++) offline.record(lonely, false);
    assert.equal(offline.admit(lonely), false, 'opened locally');
    await offline.sync();
    assert.equal((await offline.health(lonely)).state, 'open');
    assert.notEqual(offline.backend().connection, 'ready');
    await new Promise((resolve) => setTimeout(resolve, 320));
    assert.equal(await offline.admit(lonely), true, 'after the cooldown this instance probes by itself');
  } finally {
    await offline.close();
  }
});

test('a foreign or corrupt value under a breaker key is replaced, and other keys keep syncing', { skip }, async () => {
  const { Redis } = await import('ioredis');
  const raw = new Redis((redis as { url: string }).url);
  const corrupt = { key: `prov-${randomUUID()}/model` } as TargetPlan;
  const healthy = { key: `prov-${randomUUID()}/model` } as TargetPlan;
  try {
    await raw.set(`switchyard-test:${process.pid}:${corrupt.key}`, 'not json at all');
    const one = store();
    await ready(one);
    one.admit(corrupt);
    one.admit(healthy);
    for (let i = 0; i < 3; i++) {
      one.record(corrupt, false);
      one.record(healthy, false);
    }
    await one.sync();
    const two = store();
    await ready(two);
    assert.equal((await two.health(corrupt)).state, 'open');
    assert.equal((await two.health(healthy)).state, 'open');
  } finally {
    raw.disconnect();
  }
});
