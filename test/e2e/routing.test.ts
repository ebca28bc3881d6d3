/**
 * Routing and resilience through the running gateway against fake OpenAI upstreams with injected
 * faults: retries, retry-after, deadlines, first-token timeouts, failure policies, strategies.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { startFakeOpenAI } from '../fakes/openai.js';
import type { FakeScript, FakeUpstream, RecordedRequest } from '../fakes/types.js';
import { postJson as postJsonAs, startTestGateway, waitFor, type TestGateway } from './harness.js';

// With a master key set the gateway is not open: clients call with it too.
const postJson = (url: string, body: unknown, headers: Record<string, string> = {}) => postJsonAs(url, body, { authorization: 'Bearer admin-secret', ...headers });
import { redisUrlForTests } from '../helpers/services.js';

const ask = (model: string, extra: Record<string, unknown> = {}) => ({ model, messages: [{ role: 'user', content: 'hi' }], ...extra });

/** A script that answers the n-th request (0-based) with `scripts[n]`, and the last one after that. */
function sequence(...scripts: FakeScript[]): (request: RecordedRequest) => FakeScript {
  let calls = 0;
  return () => scripts[Math.min(calls++, scripts.length - 1)]!;
}

describe('routing and resilience', () => {
  let a: FakeUpstream;
  let b: FakeUpstream;
  let gateway: TestGateway;

  before(async () => {
    a = await startFakeOpenAI();
    b = await startFakeOpenAI();
    // These tests fail targets on purpose, many times: keep the breakers out of the way here.
    gateway = await startTestGateway(`
circuit_breaker: { consecutive_failures: 1000, min_requests: 1000 }
providers:
  mock: { type: mock }
  a: { type: openai, base_url: "${a.url}", api_key: sk-a }
  b: { type: openai, base_url: "${b.url}", api_key: sk-b }
models:
  pair: { targets: [{ provider: a, model: gpt-a }, { provider: b, model: gpt-b }] }
  pair-no-retry: { retry_on: [], targets: [{ provider: a, model: gpt-a }, { provider: b, model: gpt-b }] }
  pair-no-fallover: { fallback_on: [], targets: [{ provider: a, model: gpt-a }, { provider: b, model: gpt-b }] }
  pair-retry-400: { retries: 2, retry_on: [400], targets: [{ provider: a, model: gpt-a }, { provider: b, model: gpt-b }] }
  deadline: { timeout_ms: 300, targets: [{ provider: a, model: gpt-a }, { provider: b, model: gpt-b }] }
  first-token: { first_token_timeout_ms: 200, targets: [{ provider: a, model: gpt-a }, { provider: b, model: gpt-b }] }
  only-a: { targets: [{ provider: a, model: gpt-a }], fallbacks: [only-b] }
  only-b: { targets: [{ provider: b, model: gpt-b }] }
  weighted: { routing: weighted, targets: [{ provider: a, model: gpt-a, weight: 3 }, { provider: b, model: gpt-b, weight: 1 }] }
  round-robin: { routing: round-robin, targets: [{ provider: a, model: gpt-a }, { provider: b, model: gpt-b }] }
  # Deployments of their own: latency measured by earlier tests (on a loaded machine) must not decide this one.
  fastest: { routing: least-latency, targets: [{ provider: a, model: gpt-a-latency }, { provider: b, model: gpt-b-latency }] }
  sticky-users: { routing: weighted, sticky: user, targets: [{ provider: a, model: gpt-a }, { provider: b, model: gpt-b }] }
  sticky-chat: { routing: round-robin, sticky: conversation, targets: [{ provider: a, model: gpt-a }, { provider: b, model: gpt-b }] }
  solo-a: { retries: 0, targets: [{ provider: a, model: gpt-a }] }
  hedged: { hedge_after_ms: 100, targets: [{ provider: a, model: gpt-a }, { provider: b, model: gpt-b }] }
  resumable: { resume_streams: true, targets: [{ provider: a, model: gpt-a }, { provider: b, model: gpt-b }] }
  long-context:
    targets:
      - { provider: a, model: gpt-a, context_window: 8000 }
      - { provider: b, model: gpt-b, context_window: 8000 }
      - { provider: mock, model: echo, context_window: 200000 }
  cheapest:
    routing: lowest-cost
    targets:
      - { provider: a, model: gpt-a, pricing: { input_per_mtok: 5, output_per_mtok: 15 } }
      - { provider: b, model: gpt-b, pricing: { input_per_mtok: 0.5, output_per_mtok: 1.5 } }
`);
  });
  beforeEach(() => {
    a.script = {};
    b.script = {};
    a.requests.length = 0;
    b.requests.length = 0;
    a.aborted.length = 0;
    b.aborted.length = 0;
  });
  after(async () => {
    await gateway.stop();
    await a.close();
    await b.close();
  });

  test('a 500 then a success: retried on the same target', async () => {
    a.script = sequence({ error: { status: 500, message: 'boom' } }, { text: 'second try' });
    const reply = await postJson(`${gateway.url}/v1/chat/completions`, ask('pair'));
    assert.equal(reply.status, 200, reply.text);
    assert.equal(reply.json.choices[0].message.content, 'second try');
    assert.equal(reply.headers.get('x-switchyard-attempts'), '2');
    assert.equal(reply.headers.get('x-switchyard-provider'), 'a');
    assert.equal(b.requests.length, 0);
  });

  test('a 429 with retry-after-ms is waited out, then retried', async () => {
    a.script = sequence({ error: { status: 429, message: 'slow down', headers: { 'retry-after-ms': '250' } } }, { text: 'ok' });
    const started = Date.now();
    const reply = await postJson(`${gateway.url}/v1/chat/completions`, ask('pair'));
    assert.equal(reply.status, 200, reply.text);
    assert.ok(Date.now() - started >= 240, `waited ${Date.now() - started} ms`);
    assert.equal(reply.headers.get('x-switchyard-provider'), 'a');
    assert.equal(reply.headers.get('x-switchyard-attempts'), '2');
  });

  test('a retry-after longer than the deadline is not waited for: the next target answers', async () => {
    a.script = { error: { status: 429, message: 'come back later', headers: { 'retry-after': '30' } } };
    b.script = { text: 'from b' };
    const started = Date.now();
    const reply = await postJson(`${gateway.url}/v1/chat/completions`, ask('deadline'));
    assert.equal(reply.status, 200, reply.text);
    assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms: the 30 s retry-after was not waited`);
    assert.equal(reply.headers.get('x-switchyard-provider'), 'b');
    assert.equal(reply.headers.get('x-switchyard-attempts'), '2');
  });

  test('timeout_ms bounds the whole request: a hanging upstream gets a 504 and is aborted', async () => {
    a.script = { hang: true };
    b.script = { hang: true };
    const started = Date.now();
    const reply = await postJson(`${gateway.url}/v1/chat/completions`, ask('deadline'));
    const took = Date.now() - started;
    assert.equal(reply.status, 504, reply.text);
    assert.equal(reply.json.error.type, 'timeout_error');
    assert.match(reply.json.error.message, /timeout_ms \(300 ms\)/);
    assert.ok(took >= 290 && took < 2000, `took ${took} ms`);
    await waitFor(() => a.aborted.length === 1);
  });

  test('first_token_timeout_ms: a stream whose first byte is late fails over to the next target', async () => {
    a.script = { firstChunkDelayMs: 3000 };
    b.script = { text: 'quick' };
    const reply = await postJson(`${gateway.url}/v1/chat/completions`, ask('first-token', { stream: true }));
    assert.equal(reply.status, 200, reply.text);
    assert.equal(reply.headers.get('x-switchyard-provider'), 'b');
    assert.equal(reply.headers.get('x-switchyard-attempts'), '2', 'the slow target is not retried at once');
    assert.match(reply.text, /"content":"quic"/);
    assert.match(reply.text, /data: \[DONE\]/);
    await waitFor(() => a.aborted.length === 1);
  });

  test('first_token_timeout_ms also covers a provider slow to send its headers', async () => {
    a.script = { delayMs: 3000 };
    const reply = await postJson(`${gateway.url}/v1/chat/completions`, ask('first-token', { stream: true }));
    assert.equal(reply.status, 200, reply.text);
    assert.equal(reply.headers.get('x-switchyard-provider'), 'b');
  });

  test('a stream whose connection drops after the headers but before any byte falls over', async () => {
    a.script = { firstChunkDelayMs: 30, failAfterChunks: 0, failMode: 'disconnect' };
    b.script = { text: 'steady' };
    const reply = await postJson(`${gateway.url}/v1/chat/completions`, ask('pair', { stream: true }));
    assert.equal(reply.status, 200);
    assert.equal(reply.headers.get('x-switchyard-provider'), 'b');
    assert.equal(reply.headers.get('x-switchyard-attempts'), '3', 'a twice (retryable), then b');
    assert.match(reply.text, /"content":"stea"/);
    assert.match(reply.text, /data: \[DONE\]/);
  });

  test('first_token_timeout_ms does not apply to non-streaming requests', async () => {
    a.script = { delayMs: 400, text: 'slow but whole' };
    const reply = await postJson(`${gateway.url}/v1/chat/completions`, ask('first-token'));
    assert.equal(reply.status, 200, reply.text);
    assert.equal(reply.headers.get('x-switchyard-provider'), 'a');
  });

  test('401 from one provider moves on to the next target, without a retry', async () => {
    a.script = { error: { status: 401, message: 'Incorrect API key provided' } };
    const reply = await postJson(`${gateway.url}/v1/chat/completions`, ask('pair'));
    assert.equal(reply.status, 200, reply.text);
    assert.equal(reply.headers.get('x-switchyard-provider'), 'b');
    assert.equal(reply.headers.get('x-switchyard-attempts'), '2');
  });

  test('a context-length 400 moves on; a plain 400 is the answer', async () => {
    a.script = { error: { status: 400, type: 'context_length_exceeded', message: "This model's maximum context length is 8192 tokens." } };
    const moved = await postJson(`${gateway.url}/v1/chat/completions`, ask('pair'));
    assert.equal(moved.status, 200, moved.text);
    assert.equal(moved.headers.get('x-switchyard-provider'), 'b');

    a.script = { error: { status: 400, message: 'Invalid value for temperature' } };
    const refused = await postJson(`${gateway.url}/v1/chat/completions`, ask('pair'));
    assert.equal(refused.status, 400);
    assert.match(refused.json.error.message, /temperature/);
    assert.equal(refused.headers.get('x-switchyard-attempts'), '1');
    assert.equal(b.requests.length, 1, 'only the context-length case reached b');
  });

  test('after a context-length failure, targets with a window no larger are skipped', async () => {
    a.script = { error: { status: 400, type: 'context_length_exceeded', message: "This model's maximum context length is 8000 tokens." } };
    const reply = await postJson(`${gateway.url}/v1/chat/completions`, ask('long-context'));
    assert.equal(reply.status, 200, reply.text);
    assert.equal(reply.headers.get('x-switchyard-provider'), 'mock');
    assert.equal(reply.headers.get('x-switchyard-attempts'), '2');
    assert.equal(b.requests.length, 0, 'b has the same 8000-token window');
  });

  test('retry_on: [] turns retries off; fallback_on: [] keeps the first target\'s failure', async () => {
    a.script = { error: { status: 503, message: 'busy' } };
    const noRetry = await postJson(`${gateway.url}/v1/chat/completions`, ask('pair-no-retry'));
    assert.equal(noRetry.status, 200);
    assert.equal(noRetry.headers.get('x-switchyard-attempts'), '2');
    assert.equal(a.requests.length, 1);

    const noFallover = await postJson(`${gateway.url}/v1/chat/completions`, ask('pair-no-fallover'));
    assert.equal(noFallover.status, 503);
    assert.equal(noFallover.headers.get('x-switchyard-attempts'), '2', 'retried once, then given up');
    assert.equal(noFallover.headers.get('x-switchyard-provider'), 'a');
  });

  test('retry_on lists statuses: a 400 retried twice with retries: 2', async () => {
    a.script = sequence({ error: { status: 400, message: 'flaky' } }, { error: { status: 400, message: 'flaky' } }, { text: 'third time' });
    const reply = await postJson(`${gateway.url}/v1/chat/completions`, ask('pair-retry-400'));
    assert.equal(reply.status, 200, reply.text);
    assert.equal(reply.headers.get('x-switchyard-attempts'), '3');
  });

  test('after every target failed, the fallback models are tried', async () => {
    a.script = { error: { status: 502, message: 'bad gateway' } };
    b.script = { text: 'fallback answer' };
    const reply = await postJson(`${gateway.url}/v1/chat/completions`, ask('only-a'));
    assert.equal(reply.status, 200);
    assert.equal(reply.headers.get('x-switchyard-provider'), 'b');
    assert.equal(reply.headers.get('x-switchyard-model'), 'gpt-b');
    assert.equal(reply.headers.get('x-switchyard-attempts'), '3');
  });

  test('every target down: the last upstream error in the client\'s shape, attempts counted', async () => {
    a.script = { error: { status: 503, message: 'a is down' } };
    b.script = { error: { status: 503, message: 'b is down' } };
    const reply = await postJson(`${gateway.url}/v1/messages`, { model: 'pair', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(reply.status, 503);
    assert.equal(reply.json.type, 'error');
    assert.match(reply.json.error.message, /b is down/);
    assert.equal(reply.headers.get('x-switchyard-attempts'), '4');
  });

  test('weighted 3:1 splits traffic within tolerance', async () => {
    // 400 draws: the share's standard deviation is ~0.022, so 0.65–0.85 is a ±4.6σ band.
    for (let i = 0; i < 400; i++) {
      const reply = await postJson(`${gateway.url}/v1/chat/completions`, ask('weighted'));
      assert.equal(reply.status, 200);
    }
    const shareA = a.requests.length / 400;
    assert.ok(shareA > 0.65 && shareA < 0.85, `a got ${shareA}`);
  });

  test('round-robin alternates', async () => {
    const providers: string[] = [];
    for (let i = 0; i < 6; i++) providers.push((await postJson(`${gateway.url}/v1/chat/completions`, ask('round-robin'))).headers.get('x-switchyard-provider')!);
    assert.deepEqual(new Set([providers[0], providers[1]]), new Set(['a', 'b']));
    for (let i = 2; i < 6; i++) assert.equal(providers[i], providers[i - 2]);
  });

  test('least-latency moves traffic to the faster target', async () => {
    a.script = { delayMs: 60 };
    b.script = {};
    for (let i = 0; i < 40; i++) await postJson(`${gateway.url}/v1/chat/completions`, ask('fastest'));
    assert.ok(b.requests.length >= 30, `b (fast) got ${b.requests.length} of 40 (a: ${a.requests.length})`);
    assert.ok(a.requests.length >= 1, 'the slow target was measured at least once');
  });

  test('sticky: user keeps each end user on one target (the variant), and users spread over both', async () => {
    const seen = new Map<string, Set<string>>();
    for (let user = 0; user < 30; user++) {
      for (let turn = 0; turn < 3; turn++) {
        const reply = await postJson(`${gateway.url}/v1/chat/completions`, ask('sticky-users', { user: `user-${user}` }));
        const provider = reply.headers.get('x-switchyard-provider')!;
        assert.equal(reply.headers.get('x-switchyard-variant'), provider === 'a' ? 'a/gpt-a' : 'b/gpt-b');
        (seen.get(`user-${user}`) ?? seen.set(`user-${user}`, new Set()).get(`user-${user}`)!).add(provider);
      }
    }
    for (const [user, providers] of seen) assert.equal(providers.size, 1, `${user} moved: ${[...providers]}`);
    const onA = [...seen.values()].filter((providers) => providers.has('a')).length;
    assert.ok(onA > 3 && onA < 27, `${onA} of 30 users on a`);
    // Anthropic clients name the user in metadata.user_id.
    const anthropic = async () =>
      (await postJson(`${gateway.url}/v1/messages`, { model: 'sticky-users', max_tokens: 5, metadata: { user_id: 'user-7' }, messages: [{ role: 'user', content: 'hi' }] })).headers.get('x-switchyard-provider');
    const first = await anthropic();
    for (let i = 0; i < 5; i++) assert.equal(await anthropic(), first);
  });

  test('sticky: conversation keeps a growing conversation on the target of its first turn', async () => {
    const providersOf = async (opening: string) => {
      const messages: Array<{ role: string; content: string }> = [{ role: 'system', content: 'be brief' }, { role: 'user', content: opening }];
      const providers = new Set<string>();
      for (let turn = 0; turn < 4; turn++) {
        const reply = await postJson(`${gateway.url}/v1/chat/completions`, { model: 'sticky-chat', messages });
        providers.add(reply.headers.get('x-switchyard-provider')!);
        messages.push({ role: 'assistant', content: reply.json.choices[0].message.content }, { role: 'user', content: `turn ${turn}` });
      }
      return providers;
    };
    const all = new Set<string>();
    for (let conversation = 0; conversation < 12; conversation++) {
      const providers = await providersOf(`conversation ${conversation}`);
      assert.equal(providers.size, 1);
      all.add([...providers][0]!);
    }
    assert.equal(all.size, 2, 'different conversations spread over both targets');
  });

  test('x-switchyard-fallbacks: the client names its own fallbacks; unknown names are a 400', async () => {
    a.script = { error: { status: 502, message: 'bad gateway' } };
    b.script = { text: 'from my fallback' };
    const plain = await postJson(`${gateway.url}/v1/chat/completions`, ask('solo-a'));
    assert.equal(plain.status, 502);
    const rescued = await postJson(`${gateway.url}/v1/chat/completions`, ask('solo-a'), { 'x-switchyard-fallbacks': 'only-b, b/gpt-b' });
    assert.equal(rescued.status, 200, rescued.text);
    assert.equal(rescued.headers.get('x-switchyard-provider'), 'b');
    const unknown = await postJson(`${gateway.url}/v1/chat/completions`, ask('solo-a'), { 'x-switchyard-fallbacks': 'only-b,nope' });
    assert.equal(unknown.status, 400);
    assert.match(unknown.json.error.message, /x-switchyard-fallbacks: unknown model "nope"/);
    assert.equal(unknown.json.error.param, 'x-switchyard-fallbacks');
  });

  test('hedging: a slow first target is raced by the next one after hedge_after_ms; the loser is aborted', async () => {
    a.script = { delayMs: 1500, text: 'slow a' };
    b.script = { text: 'quick b' };
    const started = Date.now();
    const reply = await postJson(`${gateway.url}/v1/chat/completions`, ask('hedged'));
    assert.equal(reply.status, 200, reply.text);
    assert.ok(Date.now() - started < 1400, `took ${Date.now() - started} ms: the 1500 ms target was not waited for`);
    assert.equal(reply.json.choices[0].message.content, 'quick b');
    assert.equal(reply.headers.get('x-switchyard-provider'), 'b');
    assert.equal(reply.headers.get('x-switchyard-attempts'), '2', 'both calls count');
    await waitFor(() => a.aborted.length === 1);
  });

  test('hedging streams: the race is won by the first byte, not the headers', async () => {
    a.script = { firstChunkDelayMs: 1500, text: 'slow a' };
    b.script = { text: 'quick b' };
    const reply = await postJson(`${gateway.url}/v1/chat/completions`, ask('hedged', { stream: true }));
    assert.equal(reply.status, 200, reply.text);
    assert.equal(reply.headers.get('x-switchyard-provider'), 'b');
    assert.match(reply.text, /"content":"quic"/);
    await waitFor(() => a.aborted.length === 1);
  });

  test('hedging: a first target that answers in time is not raced; when both are slow the first still wins', async () => {
    a.script = { text: 'prompt a' };
    const fast = await postJson(`${gateway.url}/v1/chat/completions`, ask('hedged'));
    assert.equal(fast.headers.get('x-switchyard-attempts'), '1');
    assert.equal(b.requests.length, 0);

    a.script = { delayMs: 250, text: 'a' };
    b.script = { delayMs: 600, text: 'b' };
    const both = await postJson(`${gateway.url}/v1/chat/completions`, ask('hedged'));
    assert.equal(both.headers.get('x-switchyard-provider'), 'a');
    assert.equal(both.headers.get('x-switchyard-attempts'), '2');
    await waitFor(() => b.aborted.length === 1);
  });

  test('resume_streams: a stream cut mid-way is continued by the next target in the same client stream', async () => {
    a.script = { text: 'The quick brown fox', chunkChars: 4, failAfterChunks: 3, failMode: 'disconnect' };
    b.script = { text: 'k brown fox jumps.', chunkChars: 4 };
    const reply = await postJson(`${gateway.url}/v1/chat/completions`, ask('resumable', { stream: true }));
    assert.equal(reply.status, 200);
    const chunks = reply.text
      .split('\n\n')
      .filter((frame) => frame.startsWith('data: {'))
      .map((frame) => JSON.parse(frame.slice(6)));
    const text = chunks.map((chunk) => chunk.choices[0]?.delta?.content ?? '').join('');
    assert.equal(text, 'The quick brown fox jumps.');
    assert.equal(new Set(chunks.map((chunk) => chunk.id)).size, 1, 'one message for the client');
    assert.equal(chunks.filter((chunk) => chunk.choices[0]?.delta?.role === 'assistant').length, 1);
    assert.equal(chunks.at(-1).choices[0].finish_reason, 'stop');
    assert.match(reply.text, /data: \[DONE\]\n\n$/);
    assert.doesNotMatch(reply.text, /"error"/);
    // The continuation request carried the partial answer and the instruction to go on.
    const messages = b.requests[0]!.json.messages;
    assert.deepEqual(messages.at(-2), { role: 'assistant', content: 'The quic' }, 'role chunk + 2 pieces before the cut');
    assert.match(messages.at(-1).content, /Continue it exactly where it stopped/);
    // Both targets are released once the spliced stream is over (least-busy counts in-flight calls).
    const rows = ((await (await fetch(`${gateway.url}/admin/providers`)).json()) as any).data;
    assert.deepEqual(rows.filter((row: any) => row.model === 'resumable').map((row: any) => row.in_flight), [0, 0]);
  });

  test('resume_streams through /v1/messages: one message_start, the text spliced, one message_stop', async () => {
    a.script = { text: 'The quick brown fox', chunkChars: 4, failAfterChunks: 3, failMode: 'disconnect' };
    b.script = { text: 'k brown fox jumps.', chunkChars: 4 };
    const reply = await postJson(`${gateway.url}/v1/messages`, { model: 'resumable', max_tokens: 50, stream: true, messages: [{ role: 'user', content: 'hi' }] });
    const events = [...reply.text.matchAll(/^event: (\w+)$/gm)].map((match) => match[1]);
    assert.equal(events.filter((event) => event === 'message_start').length, 1);
    assert.equal(events.at(-1), 'message_stop');
    assert.ok(!events.includes('error'), reply.text);
    const text = [...reply.text.matchAll(/"text":"([^"]*)"/g)].map((match) => match[1]).join('');
    assert.equal(text, 'The quick brown fox jumps.');
  });

  test('resume_streams: without a continuation the stream ends with an error event; off, no resume is tried', async () => {
    a.script = { text: 'The quick brown fox', chunkChars: 4, failAfterChunks: 2, failMode: 'disconnect' };
    b.script = { error: { status: 503, message: 'b is down too' } };
    const failed = await postJson(`${gateway.url}/v1/chat/completions`, ask('resumable', { stream: true }));
    assert.match(failed.text, /"error"/, failed.text);
    assert.doesNotMatch(failed.text, /\[DONE\]/);

    b.requests.length = 0;
    const plain = await postJson(`${gateway.url}/v1/chat/completions`, ask('pair', { stream: true }));
    assert.doesNotMatch(plain.text, /\[DONE\]/, 'a pass-through stream just ends where the upstream broke');
    assert.equal(b.requests.length, 0, 'no resume without resume_streams');
  });

  test('lowest-cost sends traffic to the cheaper target and falls back to the other', async () => {
    const reply = await postJson(`${gateway.url}/v1/chat/completions`, ask('cheapest'));
    assert.equal(reply.headers.get('x-switchyard-provider'), 'b');
    b.script = { error: { status: 500, message: 'down' } };
    const fallen = await postJson(`${gateway.url}/v1/chat/completions`, ask('cheapest'));
    assert.equal(fallen.headers.get('x-switchyard-provider'), 'a');
  });
});

describe('circuit breaker and /admin/providers', () => {
  let a: FakeUpstream;
  let b: FakeUpstream;
  let gateway: TestGateway;
  const admin = { authorization: 'Bearer admin-secret' };
  const providers = async (headers: Record<string, string> = admin) => {
    const response = await fetch(`${gateway.url}/admin/providers`, { headers });
    return { status: response.status, json: (await response.json()) as any };
  };

  before(async () => {
    a = await startFakeOpenAI();
    b = await startFakeOpenAI();
    gateway = await startTestGateway(`
server: { master_key: admin-secret }
circuit_breaker: { consecutive_failures: 3, cooldown_s: 0.4 }
providers:
  a: { type: openai, base_url: "${a.url}", api_key: sk-a }
  b: { type: openai, base_url: "${b.url}", api_key: sk-b }
models:
  pair: { retries: 0, targets: [{ provider: a, model: gpt-a }, { provider: b, model: gpt-b }] }
  solo: { retries: 0, targets: [{ provider: a, model: gpt-a }] }
`);
  });
  after(async () => {
    await gateway.stop();
    await a.close();
    await b.close();
  });

  test('/admin/providers needs the master key and lists every target', async () => {
    assert.equal((await providers({})).status, 401);
    assert.equal((await providers({ 'x-api-key': 'wrong' })).status, 401);
    const listed = await providers({ 'x-api-key': 'admin-secret' });
    assert.equal(listed.status, 200);
    assert.deepEqual(
      listed.json.data.map((row: any) => `${row.model}:${row.provider}:${row.upstream_model}:${row.state}`),
      ['pair:a:gpt-a:closed', 'pair:b:gpt-b:closed', 'solo:a:gpt-a:closed'],
    );
  });

  test('a dead target stops getting traffic after a few failures and comes back by itself', async () => {
    a.script = { error: { status: 503, message: 'a is down' } };
    for (let i = 0; i < 3; i++) {
      const reply = await postJson(`${gateway.url}/v1/chat/completions`, ask('pair'));
      assert.equal(reply.headers.get('x-switchyard-provider'), 'b');
      assert.equal(reply.headers.get('x-switchyard-attempts'), '2');
    }
    const seenByA = a.requests.length;
    const skipped = await postJson(`${gateway.url}/v1/chat/completions`, ask('pair'));
    assert.equal(skipped.status, 200);
    assert.equal(skipped.headers.get('x-switchyard-attempts'), '1', 'the open circuit is skipped without a call');
    assert.equal(a.requests.length, seenByA);

    const open = await providers();
    const rowA = open.json.data.find((row: any) => row.model === 'pair' && row.provider === 'a');
    assert.equal(rowA.state, 'open');
    assert.equal(rowA.error_rate, 1);
    assert.ok(rowA.retry_at);

    // A model whose only target is open answers 503 at once, with a retry-after.
    const solo = await postJson(`${gateway.url}/v1/chat/completions`, ask('solo'));
    assert.equal(solo.status, 503, solo.text);
    assert.match(solo.json.error.message, /circuit open/);
    assert.ok(Number(solo.headers.get('retry-after')) >= 1);

    // a recovers; after the cooldown one probe goes to it, succeeds, and traffic returns.
    a.script = { text: 'a is back' };
    await new Promise((resolve) => setTimeout(resolve, 450));
    const probe = await postJson(`${gateway.url}/v1/chat/completions`, ask('pair'));
    assert.equal(probe.headers.get('x-switchyard-provider'), 'a');
    const back = await postJson(`${gateway.url}/v1/chat/completions`, ask('pair'));
    assert.equal(back.headers.get('x-switchyard-provider'), 'a');
    const closed = await providers();
    assert.equal(closed.json.data.find((row: any) => row.model === 'pair' && row.provider === 'a').state, 'closed');
  });

  test('client errors do not count against a target', async () => {
    a.script = { error: { status: 400, message: 'Invalid value for temperature' } };
    for (let i = 0; i < 5; i++) assert.equal((await postJson(`${gateway.url}/v1/chat/completions`, ask('solo'))).status, 400);
    const row = (await providers()).json.data.find((r: any) => r.model === 'solo');
    assert.equal(row.state, 'closed');
  });
});

describe('two gateway instances share circuit breakers through Redis', () => {
  const redis = redisUrlForTests();
  const skip = 'skip' in redis ? redis.skip : false;
  // Names unique to this run: breaker records outlive a test run in Redis (24 h TTL).
  const flaky = `flaky${Date.now().toString(36)}`;
  let upstream: FakeUpstream;
  let first: TestGateway;
  let second: TestGateway;

  before(async () => {
    if (skip) return;
    upstream = await startFakeOpenAI();
    const yaml = `
redis: ${(redis as { url: string }).url}
circuit_breaker: { consecutive_failures: 3, cooldown_s: 30 }
providers:
  ${flaky}: { type: openai, base_url: "${upstream.url}", api_key: sk-x }
  mock: { type: mock }
models:
  shared: { retries: 0, targets: [{ provider: ${flaky}, model: gpt-x }, { provider: mock, model: echo }] }
`;
    first = await startTestGateway(yaml);
    second = await startTestGateway(yaml);
  });
  after(async () => {
    if (skip) return;
    await first.stop();
    await second.stop();
    await upstream.close();
  });

  test('failures seen by one instance stop traffic from the other', { skip }, async () => {
    upstream.script = { error: { status: 500, message: 'broken' } };
    for (let i = 0; i < 3; i++) {
      const reply = await postJson(`${first.url}/v1/chat/completions`, ask('shared'));
      assert.equal(reply.headers.get('x-switchyard-provider'), 'mock');
    }
    // The second instance learns within a sync interval (100 ms).
    await waitFor(async () => {
      const response = await fetch(`${second.url}/admin/providers`);
      const rows = ((await response.json()) as any).data;
      return rows.find((row: any) => row.provider === flaky).state === 'open';
    }, 2000);
    const before = upstream.requests.length;
    const reply = await postJson(`${second.url}/v1/chat/completions`, ask('shared'));
    assert.equal(reply.status, 200);
    assert.equal(reply.headers.get('x-switchyard-provider'), 'mock');
    assert.equal(reply.headers.get('x-switchyard-attempts'), '1');
    assert.equal(upstream.requests.length, before, 'the second instance never called the broken upstream');
    const ready = (await (await fetch(`${second.url}/health/ready`)).json()) as any;
    assert.equal(ready.checks.redis.status, 'ok');
  });
});
