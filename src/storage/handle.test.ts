import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../telemetry/logger.js';
import { StorageHandle } from './handle.js';
import { GatewayError } from '../errors/gateway-error.js';

const waitFor = async (condition: () => boolean, ms = 5000): Promise<void> => {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

test('SQLite runs in a worker: errors keep their code across the thread, and a lost worker is replaced with the data intact', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-handle-'));
  const handle = new StorageHandle({ kind: 'sqlite', path: join(dir, 'log.db') }, createLogger('silent'));
  try {
    await handle.start();
    assert.equal(handle.status, 'ok');
    const storage = handle.get();
    await storage.writeRequests([
      {
        id: 'kept', created_at: Date.now(), api: 'chat.completions', key_id: null, model: 'm', provider: 'p', upstream_model: 'u', variant: null,
        status: 200, error_code: null, error_message: null, stream: false, latency_ms: 1, ttft_ms: null, input_tokens: 3, output_tokens: 4,
        cached_tokens: 0, reasoning_tokens: 0, tokens_estimated: false, cost_usd: 0.5, cache: null, attempts: 1, attempt_log: [], tags: [],
      },
    ]);
    await assert.rejects(storage.listRequests({ limit: 1, cursor: '!!' }), (error: unknown) => error instanceof GatewayError && error.code === 'invalid_request' && error.param === 'cursor');

    await storage.close(); // the worker goes away, as if it had crashed
    assert.throws(() => handle.get(), /not available/);
    await waitFor(() => handle.status === 'ok');
    assert.notEqual(handle.get(), storage);
    assert.equal((await handle.get().getRequest('kept'))?.output_tokens, 4);
  } finally {
    await handle.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
