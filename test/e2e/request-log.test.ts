/**
 * The request log end to end, on every storage backend: one row per request whatever happened
 * (JSON, streamed, translated, failed over, cut off by the client, refused), with tokens, cost,
 * attempts and tags; read back through /admin/logs and /admin/usage.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import { startFakeOpenAI } from '../fakes/openai.js';
import { startFakeGemini } from '../fakes/gemini.js';
import { startFakeAnthropic } from '../fakes/anthropic.js';
import type { FakeUpstream } from '../fakes/types.js';
import { storageBackendsForTests, storageForTests } from '../helpers/services.js';
import { postJson as postJsonAs, startTestGateway, waitFor, type TestGateway } from './harness.js';

// With a master key set the gateway is not open: clients call with it too.
const postJson = (url: string, body: unknown, headers: Record<string, string> = {}) => postJsonAs(url, body, { authorization: 'Bearer admin-secret', ...headers });

const ADMIN = { authorization: 'Bearer admin-secret' };
/** gpt-4.1 in the shipped catalog: $2 input, $0.5 cached input, $8 output per million tokens. */
const GPT41 = { input: 2, cached: 0.5, output: 8 };

async function admin(gateway: TestGateway, path: string): Promise<{ status: number; json: any }> {
  const response = await fetch(`${gateway.url}${path}`, { headers: ADMIN });
  return { status: response.status, json: await response.json() };
}

/** The log row of a request, once the batch holding it was written. */
async function logged(gateway: TestGateway, id: string): Promise<any> {
  let row: any;
  await waitFor(async () => {
    const found = await admin(gateway, `/admin/logs/${id}`);
    row = found.json;
    return found.status === 200;
  }, 5000);
  return row;
}

const close = (a: number, b: number): boolean => Math.abs(a - b) < 1e-12;

for (const backend of storageBackendsForTests()) {
  describe(`request log on ${backend.name}`, { skip: backend.skip }, () => {
    let upstream: FakeUpstream;
    let spare: FakeUpstream;
    let gemini: FakeUpstream;
    let anthropic: FakeUpstream;
    let gateway: TestGateway;
    let cleanup: () => Promise<void>;

    before(async () => {
      upstream = await startFakeOpenAI({ usage: { input: 100, output: 20, cached: 40 } });
      spare = await startFakeOpenAI({ usage: { input: 7, output: 3 } });
      gemini = await startFakeGemini({});
      anthropic = await startFakeAnthropic({ text: 'cached answer', usage: { input: 1000, output: 100, cached: 600 } });
      const store = await storageForTests(backend.name);
      cleanup = store.cleanup;
      gateway = await startTestGateway(`
server: { master_key: admin-secret }
storage: "${store.storage}"
logging: { bodies: true }
keys: [{ name: client-app, key: sk-client-secret-123 }]
circuit_breaker: { consecutive_failures: 100 }
providers:
  up: { type: openai, base_url: "${upstream.url}", api_key: sk-up }
  spare: { type: openai, base_url: "${spare.url}", api_key: sk-spare }
  gem: { type: gemini, base_url: "${gemini.url}", api_key: g-key }
  claude: { type: anthropic, base_url: "${anthropic.url}", api_key: a-key }
models:
  smart: { targets: [{ provider: up, model: gpt-4.1 }] }
  custom: { targets: [{ provider: up, model: my-finetune, pricing: { input_per_mtok: 1, output_per_mtok: 2 } }] }
  failover: { retries: 0, targets: [{ provider: up, model: gpt-4.1 }, { provider: spare, model: gpt-4.1-mini }] }
  ab: { routing: weighted, targets: [{ provider: spare, model: gpt-4.1-mini }] }
  cut: { retries: 0, targets: [{ provider: up, model: gpt-4.1 }] }
  resumed: { retries: 0, resume_streams: true, targets: [{ provider: up, model: gpt-4.1 }, { provider: spare, model: gpt-4.1 }] }
`);
    });
    after(async () => {
      await gateway.stop();
      await upstream.close();
      await spare.close();
      await gemini.close();
      await anthropic.close();
      await cleanup();
    });

    test('a JSON answer: cost on the response and in the row, with tokens, tags, attempts and bodies', async () => {
      upstream.script = { text: 'priced answer', usage: { input: 100, output: 20, cached: 40 } };
      const reply = await postJson(
        `${gateway.url}/v1/chat/completions`,
        { model: 'smart', messages: [{ role: 'user', content: 'price me' }] },
        { 'x-switchyard-tags': 'team-a, exp-1,team-a', authorization: 'Bearer sk-client-secret-123' },
      );
      assert.equal(reply.status, 200, reply.text);
      const expected = (60 * GPT41.input + 40 * GPT41.cached + 20 * GPT41.output) / 1e6;
      assert.equal(Number(reply.headers.get('x-switchyard-cost-usd')), expected);
      const row = await logged(gateway, reply.headers.get('x-request-id')!);
      assert.equal(row.id, reply.headers.get('x-request-id'));
      assert.equal(row.model, 'smart');
      assert.equal(row.provider, 'up');
      assert.equal(row.upstream_model, 'gpt-4.1');
      assert.equal(row.status, 200);
      assert.deepEqual([row.input_tokens, row.output_tokens, row.cached_tokens, row.tokens_estimated], [100, 20, 40, false]);
      assert.ok(close(row.cost_usd, expected), `${row.cost_usd} vs ${expected}`);
      assert.equal(row.attempts, 1);
      assert.deepEqual(row.tags, ['team-a', 'exp-1']);
      assert.equal(row.stream, false);
      assert.ok(row.latency_ms >= 0 && row.ttft_ms >= 0);
      assert.ok(!Number.isNaN(Date.parse(row.created_at)));
      assert.equal(row.attempt_log.length, 1);
      assert.equal(row.attempt_log[0].provider, 'up');
      assert.match(row.request_body, /price me/);
      assert.match(row.response_body, /priced answer/);
      assert.doesNotMatch(JSON.stringify(row), /sk-client-secret-123|sk-up/, 'keys are never logged');
      // The row names the key by id and name; /admin/logs finds it by either.
      assert.deepEqual([row.key_id, row.key_name], ['config:client-app', 'client-app']);
      for (const key of ['client-app', 'config:client-app']) {
        const page = await admin(gateway, `/admin/logs?key=${encodeURIComponent(key)}`);
        assert.deepEqual(page.json.data.map((r: any) => r.id), [row.id], `key=${key}`);
      }
    });

    test('Anthropic usage (prompt-cache reads) through either API, streamed or not: tokens and catalog cost', async () => {
      // claude-sonnet-4-5 in the catalog: $3 input, $0.30 cache read, $15 output per million.
      const expected = (400 * 3 + 600 * 0.3 + 100 * 15) / 1e6;
      for (const [path, extra] of [['/v1/chat/completions', {}], ['/v1/messages', { max_tokens: 64 }]] as const) {
        for (const stream of [false, true]) {
          const reply = await postJson(`${gateway.url}${path}`, { model: 'claude/claude-sonnet-4-5', stream, messages: [{ role: 'user', content: 'cache me' }], ...extra });
          assert.equal(reply.status, 200, reply.text);
          const row = await logged(gateway, reply.headers.get('x-request-id')!);
          assert.deepEqual([row.input_tokens, row.cached_tokens, row.output_tokens, row.tokens_estimated], [1000, 600, 100, false], `${path} stream=${stream}`);
          assert.ok(close(row.cost_usd, expected), `${path} stream=${stream}: ${row.cost_usd} vs ${expected}`);
          if (!stream) assert.ok(close(Number(reply.headers.get('x-switchyard-cost-usd')), expected));
        }
      }
    });

    test('a stream whose client did not ask for usage is still metered from the upstream usage', async () => {
      upstream.script = { text: 'streamed words here', usage: { input: 50, output: 9 } };
      const reply = await postJson(`${gateway.url}/v1/chat/completions`, { model: 'custom', stream: true, messages: [{ role: 'user', content: 'x' }] });
      assert.equal(reply.status, 200);
      assert.doesNotMatch(reply.text, /"usage":\{/);
      assert.equal(reply.headers.get('x-switchyard-cost-usd'), null, 'no cost header on streams: it is known only at the end');
      const row = await logged(gateway, reply.headers.get('x-request-id')!);
      assert.deepEqual([row.input_tokens, row.output_tokens, row.tokens_estimated, row.stream], [50, 9, false, true]);
      assert.ok(close(row.cost_usd, (50 * 1 + 9 * 2) / 1e6), 'the config pricing overrides the catalog');
      assert.match(row.response_body, /streamed words here/, 'the streamed answer, as text');
    });

    test('a provider that reports no usage: tokens are estimated with the tokenizer, stream or not', async () => {
      upstream.script = { text: 'one two three four five six seven eight nine ten', omitUsage: true };
      for (const stream of [false, true]) {
        const reply = await postJson(`${gateway.url}/v1/chat/completions`, { model: 'smart', stream, messages: [{ role: 'user', content: 'count these words please' }] });
        assert.equal(reply.status, 200);
        const row = await logged(gateway, reply.headers.get('x-request-id')!);
        assert.equal(row.tokens_estimated, true);
        assert.ok(row.input_tokens >= 4 && row.input_tokens <= 12, `input ${row.input_tokens}`);
        assert.ok(row.output_tokens >= 10 && row.output_tokens <= 14, `output ${row.output_tokens}`);
        assert.ok(row.cost_usd > 0);
        if (!stream) assert.ok(Number(reply.headers.get('x-switchyard-cost-usd')) > 0);
      }
    });

    test('a client that leaves mid-stream leaves exactly one row, with the delivered tokens estimated', async () => {
      upstream.script = { text: "word ".repeat(2000), chunkDelayMs: 1, usage: { input: 5, output: 2000 } };
      // The taps ran once for it: its row is written by id (a second write would be invisible), so count them in metrics too.
      const smartRequests = async (): Promise<number> => {
        const text = await (await fetch(`${gateway.url}/metrics`, { headers: { authorization: 'Bearer admin-secret' } })).text();
        return text
          .split('\n')
          .filter((line) => line.startsWith('switchyard_requests_total{') && line.includes('model="smart"'))
          .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
      };
      const before = await smartRequests();
      const id = await new Promise<string>((resolve, reject) => {
        const request = http.request(`${gateway.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer admin-secret' } }, (response) => {
          let seen = 0;
          response.on('data', (chunk: Buffer) => {
            seen += chunk.length;
            if (seen > 30_000) {
              request.destroy();
              resolve(response.headers['x-request-id'] as string);
            }
          });
        });
        request.on('error', () => {});
        request.end(JSON.stringify({ model: 'smart', stream: true, messages: [{ role: 'user', content: 'go on and on' }] }));
        setTimeout(() => reject(new Error('no stream')), 5000);
      });
      const row = await logged(gateway, id);
      assert.equal(row.tokens_estimated, true, `the upstream was cut before its usage: ${JSON.stringify({ ...row, request_body: undefined, response_body: undefined })}`);
      assert.ok(row.output_tokens > 50 && row.output_tokens < 2000, `output ${row.output_tokens}`);
      assert.ok(row.input_tokens > 0);
      assert.ok(row.cost_usd > 0);
      const page = await admin(gateway, `/admin/logs?limit=1000&model=smart`);
      assert.equal(page.json.data.filter((r: any) => r.id === id).length, 1);
      assert.equal((await smartRequests()) - before, 1, 'counted once');
    });

    test('a resumed stream whose continuation is refused bills only what the cut stream delivered', async () => {
      const cut = { text: 'The quick brown fox jumps over the lazy dog', chunkChars: 4, failAfterChunks: 4, failMode: 'disconnect' as const };
      upstream.script = cut;
      const stream = { stream: true, messages: [{ role: 'user', content: 'tell me about the fox' }] };
      const control = await postJson(`${gateway.url}/v1/chat/completions`, { model: 'cut', ...stream });
      const controlRow = await logged(gateway, control.headers.get('x-request-id')!);
      upstream.script = cut;
      spare.script = { error: { status: 503, message: 'overloaded' } };
      const resumed = await postJson(`${gateway.url}/v1/chat/completions`, { model: 'resumed', ...stream });
      const row = await logged(gateway, resumed.headers.get('x-request-id')!);
      assert.equal(row.attempts, 2);
      assert.equal(row.attempt_log[1].status, 503);
      // The same delivered text, the prompt counted once: the refused continuation adds nothing.
      assert.deepEqual([row.input_tokens, row.output_tokens, row.tokens_estimated], [controlRow.input_tokens, controlRow.output_tokens, true]);
      assert.ok(controlRow.input_tokens > 0 && controlRow.output_tokens > 0);
      assert.ok(close(row.cost_usd, controlRow.cost_usd), `${row.cost_usd} vs ${controlRow.cost_usd}`);
    });

    test('a failed-over request is one row with every attempt and the spare target\'s usage', async () => {
      upstream.script = { error: { status: 503, message: 'overloaded' } };
      spare.script = { text: 'spare answer', usage: { input: 7, output: 3 } };
      const reply = await postJson(`${gateway.url}/v1/chat/completions`, { model: 'failover', messages: [{ role: 'user', content: 'x' }] });
      assert.equal(reply.status, 200);
      const row = await logged(gateway, reply.headers.get('x-request-id')!);
      assert.equal(row.provider, 'spare');
      assert.equal(row.attempts, 2);
      assert.deepEqual(
        row.attempt_log.map((a: any) => [a.provider, a.status, a.error_code]),
        [
          ['up', 503, 'upstream_overloaded'],
          ['spare', 200, null],
        ],
      );
      assert.deepEqual([row.input_tokens, row.output_tokens], [7, 3]);
    });

    test('refused and failed requests are logged with their status and no spend', async () => {
      const missing = await postJson(`${gateway.url}/v1/chat/completions`, { model: 'nope', messages: [{ role: 'user', content: 'x' }] });
      assert.equal(missing.status, 404);
      const row = await logged(gateway, missing.headers.get('x-request-id')!);
      assert.deepEqual([row.status, row.error_code, row.input_tokens, row.cost_usd, row.provider], [404, 'model_not_found', 0, 0, null]);
      upstream.script = { error: { status: 400, message: 'bad thing' } };
      const bad = await postJson(`${gateway.url}/v1/chat/completions`, { model: 'smart', messages: [{ role: 'user', content: 'x' }] });
      assert.equal(bad.status, 400);
      const badRow = await logged(gateway, bad.headers.get('x-request-id')!);
      assert.deepEqual([badRow.status, badRow.error_code, badRow.output_tokens, badRow.tokens_estimated], [400, 'upstream_bad_request', 0, false]);
    });

    test('embeddings and requests refused before parsing are logged too', async () => {
      const embedded = await postJson(`${gateway.url}/v1/embeddings`, { model: 'gem/gemini-embedding-001', input: ['count these five words', 'and these'] }, { 'x-switchyard-tags': 'emb' });
      assert.equal(embedded.status, 200, embedded.text);
      assert.ok(embedded.json.usage.prompt_tokens >= 6, 'Gemini reports no usage: estimated with the tokenizer');
      const row = await logged(gateway, embedded.headers.get('x-request-id')!);
      assert.deepEqual([row.api, row.provider, row.upstream_model, row.input_tokens, row.output_tokens, row.tags], ['embeddings', 'gem', 'gemini-embedding-001', embedded.json.usage.prompt_tokens, 0, ['emb']]);
      const garbled = await postJson(`${gateway.url}/v1/messages`, '{"model": ');
      assert.equal(garbled.status, 400);
      const refused = await logged(gateway, garbled.headers.get('x-request-id')!);
      assert.deepEqual([refused.api, refused.status, refused.error_code, refused.model], ['messages', 400, 'invalid_json', null]);
    });

    test('/admin/logs filters and pages; /admin/usage groups by model, tag and variant', async () => {
      spare.script = { text: 'ab', usage: { input: 2, output: 1 } };
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const reply = await postJson(`${gateway.url}/v1/chat/completions`, { model: 'ab', messages: [{ role: 'user', content: `n${i}` }] }, { 'x-switchyard-tags': 'paging' });
        assert.equal(reply.headers.get('x-switchyard-variant'), 'spare/gpt-4.1-mini');
        ids.push(reply.headers.get('x-request-id')!);
      }
      await logged(gateway, ids.at(-1)!);
      await waitFor(async () => (await admin(gateway, '/admin/logs?tag=paging&limit=100')).json.data.length === 5);
      const first = await admin(gateway, '/admin/logs?model=ab&limit=2');
      assert.equal(first.json.data.length, 2);
      assert.ok(first.json.next_cursor);
      const second = await admin(gateway, `/admin/logs?model=ab&limit=2&cursor=${first.json.next_cursor}`);
      const third = await admin(gateway, `/admin/logs?model=ab&limit=2&cursor=${second.json.next_cursor}`);
      assert.equal(third.json.next_cursor, null);
      const paged = [...first.json.data, ...second.json.data, ...third.json.data].map((r: any) => r.id);
      assert.deepEqual([...paged].sort(), [...ids].sort());
      for (const row of first.json.data) {
        for (const field of ['id', 'created_at', 'key_id', 'key_name', 'model', 'provider', 'upstream_model', 'status', 'latency_ms', 'ttft_ms', 'input_tokens', 'output_tokens', 'cached_tokens', 'cost_usd', 'cache', 'attempts', 'tags']) {
          assert.ok(field in row, `rows have ${field}`);
        }
      }
      const errors = await admin(gateway, '/admin/logs?status=error&limit=100');
      assert.ok(errors.json.data.length >= 2 && errors.json.data.every((r: any) => r.status >= 400));

      const byModel = await admin(gateway, '/admin/usage?group_by=model');
      assert.equal(byModel.status, 200);
      const ab = byModel.json.data.find((g: any) => g.group === 'ab');
      assert.deepEqual([ab.requests, ab.input_tokens, ab.output_tokens, ab.errors, ab.error_rate], [5, 10, 5, 0, 0]);
      assert.ok(ab.p50_latency_ms >= 0 && ab.p95_latency_ms >= ab.p50_latency_ms);
      const byTag = await admin(gateway, '/admin/usage?group_by=tag');
      assert.equal(byTag.json.data.find((g: any) => g.group === 'paging').requests, 5);
      assert.equal(byTag.json.data.find((g: any) => g.group === 'team-a').requests, 1);
      const byVariant = await admin(gateway, `/admin/usage?group_by=variant&from=${Date.now() - 60_000}&to=${new Date(Date.now() + 1000).toISOString()}&interval=hour`);
      const variant = byVariant.json.data.filter((g: any) => g.group === 'spare/gpt-4.1-mini');
      assert.equal(variant.reduce((sum: number, g: any) => sum + g.requests, 0), 5);
      assert.ok(variant.every((g: any) => typeof g.bucket === 'string'));
    });

    test('admin routes need the master key and name bad parameters', async () => {
      assert.equal((await fetch(`${gateway.url}/admin/logs`)).status, 401);
      const bad = await admin(gateway, '/admin/usage?group_by=colour');
      assert.equal(bad.status, 400);
      assert.match(bad.json.error.message, /group_by: must be one of key, model, provider/);
      assert.equal((await admin(gateway, '/admin/logs?limit=0')).status, 400);
      assert.match((await admin(gateway, '/admin/logs?from=yesterday')).json.error.message, /^from: /);
      for (const range of ['from=9000000000000000&to=9000000000000001', 'to=99999999999999999999999']) {
        const outOfRange = await admin(gateway, `/admin/usage?${range}`);
        assert.equal(outOfRange.status, 400, range);
        assert.match(outOfRange.json.error.message, /out of range/);
      }
      assert.match((await admin(gateway, '/admin/logs?cursor=garbage')).json.error.message, /^cursor: /);
      assert.equal((await admin(gateway, '/admin/logs/no-such-id')).status, 404);
      const malformed = await admin(gateway, '/admin/logs/%zz');
      assert.equal(malformed.status, 400);
      assert.match(malformed.json.error.message, /^id: /);
      const ready = await fetch(`${gateway.url}/health/ready`);
      const checks = ((await ready.json()) as any).checks;
      assert.equal(checks.storage.status, 'ok');
      assert.equal(checks.storage.log_queue.dropped, 0);
    });
  });
}
