/**
 * Every way a chat request can go (pass-through or translated, streamed or not) ends with the
 * upstream's usage on the request context, where the taps (accounting) read it.
 */
import assert from 'node:assert/strict';
import { KeyRegistry } from '../../src/keys/registry.js';
import { after, before, test } from 'node:test';
import { createGateway, type Gateway } from '../../src/server/gateway.js';
import { validateConfigText } from '../../src/config/validate.js';
import { compilePlan } from '../../src/config/plan.js';
import { createLogger } from '../../src/telemetry/logger.js';
import type { RequestContext } from '../../src/pipeline/context.js';
import { startFakeOpenAI } from '../fakes/openai.js';
import { startFakeAnthropic } from '../fakes/anthropic.js';
import type { FakeUpstream } from '../fakes/types.js';
import { postJson } from './harness.js';
import { TargetStatsBook } from '../../src/routing/target-stats.js';
import { MemoryHealthStore } from '../../src/routing/health/store.js';
import { GatewayMetrics } from '../../src/telemetry/metrics.js';

const USAGE = { input: 21, output: 8 };
const finished: RequestContext[] = [];
let openai: FakeUpstream;
let anthropic: FakeUpstream;
let gateway: Gateway;

before(async () => {
  openai = await startFakeOpenAI({ text: 'counted answer', usage: USAGE });
  anthropic = await startFakeAnthropic({ text: 'counted answer', usage: USAGE });
  const validated = validateConfigText(`
providers:
  oa: { type: openai, base_url: "${openai.url}", api_key: k }
  an: { type: anthropic, base_url: "${anthropic.url}", api_key: k }
models:
  via-openai: { targets: [{ provider: oa, model: gpt-4.1-mini }] }
  via-anthropic: { targets: [{ provider: an, model: claude-sonnet-4-5 }] }
`);
  assert.ok(validated.ok);
  const compiled = compilePlan(validated.config, 'test');
  assert.ok(compiled.ok);
  const plan = compiled.plan;
  const keys = new KeyRegistry(createLogger('silent'));
  keys.setPlan(plan);
  gateway = createGateway({
    plan: () => plan,
    logger: createLogger('silent'),
    policies: [],
    taps: [{ name: 'record', record: (ctx) => finished.push(ctx) }],
    targetStats: new TargetStatsBook(),
    health: new MemoryHealthStore(() => plan.breaker),
    metrics: new GatewayMetrics(),
    keys,
  });
  await gateway.listen(0, '127.0.0.1');
});

after(async () => {
  await gateway.drain(1000);
  await openai.close();
  await anthropic.close();
});

const cases: Array<[string, string, string, Record<string, unknown>]> = [
  ['OpenAI client → OpenAI (pass-through)', '/v1/chat/completions', 'via-openai', {}],
  ['OpenAI client → Anthropic (translated)', '/v1/chat/completions', 'via-anthropic', {}],
  ['Anthropic client → Anthropic (pass-through)', '/v1/messages', 'via-anthropic', { max_tokens: 50 }],
  ['Anthropic client → OpenAI (translated)', '/v1/messages', 'via-openai', { max_tokens: 50 }],
];

for (const [name, path, model, extra] of cases) {
  for (const stream of [false, true]) {
    test(`${name}, ${stream ? 'streamed' : 'not streamed'}: usage reaches the taps`, async () => {
      const before = finished.length;
      const reply = await postJson(`${gateway.url()}${path}`, { model, stream, messages: [{ role: 'user', content: 'count me' }], ...extra });
      assert.equal(reply.status, 200, reply.text);
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal(finished.length, before + 1);
      const ctx = finished.at(-1)!;
      assert.equal(ctx.usage?.inputTokens, USAGE.input);
      assert.equal(ctx.usage?.outputTokens, USAGE.output);
      assert.ok(ctx.firstByteAt !== undefined && ctx.firstByteAt >= ctx.startedAt);
      assert.equal(ctx.error, undefined);
      if (stream && path === '/v1/chat/completions') {
        // Asked upstream on the client's behalf, never shown to a client that did not ask.
        assert.doesNotMatch(reply.text, /"usage":\{/);
        assert.match(reply.text, /data: \[DONE\]/);
      }
      if (stream && name.includes('OpenAI (pass-through)')) {
        assert.deepEqual(openai.requests.at(-1)!.json.stream_options, { include_usage: true });
      }
    });
  }
}

test('a client that disconnects mid-stream still leaves a finished context for the taps', async () => {
  openai.script = { text: 'long '.repeat(400), chunkDelayMs: 5, usage: USAGE };
  const before = finished.length;
  const controller = new AbortController();
  const response = await fetch(`${gateway.url()}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'via-openai', stream: true, messages: [{ role: 'user', content: 'x' }] }),
    signal: controller.signal,
  });
  const reader = response.body!.getReader();
  await reader.read();
  controller.abort();
  const deadline = Date.now() + 3000;
  while (finished.length === before && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(finished.length, before + 1);
  // The fake notices the closed socket on its own schedule, just after the gateway let go.
  while (openai.aborted.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.ok(openai.aborted.length > 0, 'the upstream saw the abort');
});
