/** GET /metrics scraped and parsed after real traffic through the gateway. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startFakeOpenAI } from '../fakes/openai.js';
import type { FakeUpstream } from '../fakes/types.js';
import { postJson as postJsonAs, startTestGateway, type TestGateway } from './harness.js';

// With a master key set the gateway is not open: clients call with it too.
const postJson = (url: string, body: unknown, headers: Record<string, string> = {}) => postJsonAs(url, body, { authorization: 'Bearer admin-secret', ...headers });

/** `name{a="x",b="y"} value` lines → map from `name{a="x",b="y"}` (labels sorted) to value. */
function parseMetrics(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-z_:]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    assert.ok(match, `not a sample line: ${line}`);
    const labels = (match[2] ?? '').match(/[a-z_]+="[^"]*"/g)?.sort().join(',') ?? '';
    samples.set(labels ? `${match[1]}{${labels}}` : match[1]!, Number(match[3]));
  }
  return samples;
}

let upstream: FakeUpstream;
let gateway: TestGateway;
before(async () => {
  upstream = await startFakeOpenAI({ usage: { input: 10, output: 5 } });
  gateway = await startTestGateway(`
server: { master_key: admin-secret }
telemetry: { metrics_auth: true }
circuit_breaker: { consecutive_failures: 100 }
providers:
  up: { type: openai, base_url: "${upstream.url}", api_key: sk-x }
  mock: { type: mock }
models:
  priced: { targets: [{ provider: up, model: gpt-x, pricing: { input_per_mtok: 2, output_per_mtok: 8 } }] }
  flaky: { targets: [{ provider: up, model: gpt-x }, { provider: mock, model: echo }] }
`);
});
after(async () => {
  await gateway.stop();
  await upstream.close();
});

test('/metrics counts requests, tokens, cost, latency, time to first token and upstream errors', async () => {
  const ask = (model: string, extra = {}) => postJson(`${gateway.url}/v1/chat/completions`, { model, messages: [{ role: 'user', content: 'hi' }], ...extra });
  assert.equal((await ask('priced')).status, 200);
  assert.equal((await ask('priced', { stream: true })).status, 200);
  assert.equal((await ask('no-such-model')).status, 404);
  upstream.script = { error: { status: 503, message: 'busy' } };
  assert.equal((await ask('flaky')).status, 200);

  const denied = await fetch(`${gateway.url}/metrics`);
  assert.equal(denied.status, 401, 'metrics_auth: true needs the master key');
  await denied.text();
  const response = await fetch(`${gateway.url}/metrics`, { headers: { authorization: 'Bearer admin-secret' } });
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type')!, /^text\/plain; version=0\.0\.4/);
  const samples = parseMetrics(await response.text());

  assert.equal(samples.get('switchyard_requests_total{model="priced",provider="up",status="200"}'), 2);
  assert.equal(samples.get('switchyard_requests_total{model="unrouted",provider="none",status="404"}'), 1);
  assert.equal(samples.get('switchyard_requests_total{model="flaky",provider="mock",status="200"}'), 1);
  assert.equal(samples.get('switchyard_tokens_total{direction="input"}')! >= 20, true);
  assert.equal(samples.get('switchyard_tokens_total{direction="output"}')! >= 10, true);
  // Two priced requests of 10 input and 5 output tokens at $2 / $8 per million.
  assert.ok(Math.abs(samples.get('switchyard_cost_usd_total')! - 2 * (10 * 2 + 5 * 8) / 1e6) < 1e-12);
  assert.equal(samples.get('switchyard_upstream_errors_total{provider="up",reason="upstream_overloaded"}'), 2);
  assert.equal(samples.get('switchyard_request_duration_seconds_count{model="priced",provider="up"}'), 2);
  assert.equal(samples.get('switchyard_time_to_first_token_seconds_count{model="priced",provider="up"}'), 2);
  assert.equal(samples.get('switchyard_request_duration_seconds_bucket{le="+Inf",model="priced",provider="up"}'), 2);
  assert.ok(samples.has('switchyard_ratelimited_total'));
});
