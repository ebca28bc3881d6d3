import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from './logger.js';
import { UsageRollupJob } from './usage-rollup.js';
import { StorageHandle } from '../storage/handle.js';
import type { LogRecord } from '../storage/records.js';

const HOUR = 3_600_000;
const handle = new StorageHandle({ kind: 'memory' }, createLogger('silent'));
after(() => handle.close());

function row(id: string, created_at: number, latency_ms: number): LogRecord {
  return {
    id, created_at, api: 'chat.completions', key_id: null, model: 'm', provider: 'p', upstream_model: 'u', variant: null, status: 200,
    error_code: null, error_message: null, stream: false, latency_ms, ttft_ms: 1, input_tokens: 1, output_tokens: 1, cached_tokens: 0,
    reasoning_tokens: 0, tokens_estimated: false, cost_usd: 0.5, cache: null, attempts: 1, attempt_log: [], tags: [],
  };
}

test('the job rolls up every closed hour (a backlog in several steps), never the current one', async () => {
  await handle.start();
  const now = Date.UTC(2026, 10, 25, 12, 30);
  const currentHour = Date.UTC(2026, 10, 25, 12);
  // 14 closed hours (one hour per step) and the current hour.
  const rows = Array.from({ length: 15 }, (_, i) => row(`h-${i}`, currentHour - 14 * HOUR + i * HOUR + 60_000, 100 + i));
  await handle.get().writeRequests(rows);
  const job = new UsageRollupJob(handle, createLogger('silent'));
  assert.equal(await job.run(now), 14);
  assert.equal(await job.run(now), 0, 'nothing new');
  const [usage] = await handle.get().usage({ groupBy: 'model', from: currentHour - 14 * HOUR, to: now });
  assert.equal(usage!.requests, 15);
  assert.equal(usage!.cost_usd, 7.5);
  // The median request took 107 ms; rolled-up hours give it back from a histogram, within 3.2%.
  assert.ok(Math.abs(usage!.p50_latency_ms! - 107) <= 107 * 0.032, `p50 ${usage!.p50_latency_ms}`);
  await job.stop();
});
