import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from './logger.js';
import { RetentionPruner } from './retention.js';
import { StorageHandle } from '../storage/handle.js';
import type { LogRecord } from '../storage/records.js';

const DAY = 24 * 3_600_000;
const handle = new StorageHandle({ kind: 'memory' }, createLogger('silent'));
after(() => handle.close());

function row(id: string, created_at: number): LogRecord {
  return {
    id, created_at, api: 'chat.completions', key_id: null, model: 'm', provider: 'p', upstream_model: 'u', variant: null, status: 200,
    error_code: null, error_message: null, stream: false, latency_ms: 1, ttft_ms: 1, input_tokens: 1, output_tokens: 1, cached_tokens: 0,
    reasoning_tokens: 0, tokens_estimated: false, cost_usd: 0, cache: null, attempts: 1, attempt_log: [], tags: ['t'],
  };
}

test('rows older than retention_days are pruned (in batches), newer ones kept; a reload of the setting applies at the next run', async () => {
  await handle.start();
  const now = Date.UTC(2026, 10, 25);
  const rows = [...Array.from({ length: 12_000 }, (_, i) => row(`old-${i}`, now - 40 * DAY + i)), row('recent', now - 2 * DAY), row('mid', now - 10 * DAY)];
  await handle.get().writeRequests(rows);
  let days = 30;
  const pruner = new RetentionPruner(handle, createLogger('silent'), { retentionDays: () => days });
  assert.equal(await pruner.run(now), 12_000, 'more than one 5,000-row batch');
  assert.ok(await handle.get().getRequest('mid'));
  days = 7;
  assert.equal(await pruner.run(now), 1);
  assert.equal(await handle.get().getRequest('mid'), undefined);
  assert.ok(await handle.get().getRequest('recent'));
  await pruner.stop();
});
