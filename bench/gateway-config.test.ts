import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validateConfigText } from '../src/config/validate.js';
import { BENCH_KEY, benchGatewayConfig } from './gateway-process.js';

test('every bench gateway config validates; only the keys variants configure keys, limits, prices and Redis', () => {
  const plain = validateConfigText(benchGatewayConfig(4100, 4200), {});
  assert.ok(plain.ok);
  assert.equal(plain.config.server.master_key, undefined);
  assert.deepEqual(plain.config.keys, []);
  assert.equal(plain.config.models['bench-model']!.limits, undefined);
  assert.equal(plain.config.models['bench-model']!.targets[0]!.pricing, undefined);

  const keys = validateConfigText(benchGatewayConfig(4100, 4200, { keys: {} }), {});
  assert.ok(keys.ok);
  assert.ok(keys.config.server.master_key);
  assert.equal(keys.config.redis, undefined);
  assert.equal(keys.config.keys.length, 1);
  assert.equal(keys.config.keys[0]!.key, BENCH_KEY);
  assert.deepEqual(keys.config.keys[0]!.limits, { rpm: 100_000_000, tpm: 1_000_000_000, concurrency: 100_000 });
  assert.deepEqual(keys.config.keys[0]!.budget, { usd: 1_000_000_000, period: 'month' });
  assert.deepEqual(keys.config.models['bench-model']!.limits, { rpm: 100_000_000 });
  assert.deepEqual(keys.config.models['bench-model']!.targets[0]!.pricing, { input_per_mtok: 1, output_per_mtok: 2 });

  const redis = validateConfigText(benchGatewayConfig(4100, 4200, { keys: { redisUrl: 'redis://127.0.0.1:6380/1' } }), {});
  assert.ok(redis.ok);
  assert.equal(redis.config.redis, 'redis://127.0.0.1:6380/1');

  const cached = validateConfigText(benchGatewayConfig(4100, 4200, { cache: true }), {});
  assert.ok(cached.ok);
  assert.equal(cached.config.cache?.mode, 'exact');
  const bare = validateConfigText(benchGatewayConfig(4100, 4200, { bare: true }), {});
  assert.ok(bare.ok);
  assert.equal(bare.config.storage, 'memory');
  assert.equal(bare.config.logging.requests, false);
});
