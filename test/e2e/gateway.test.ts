import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { startFakeOpenAI } from '../fakes/openai.js';
import { startFakeAnthropic } from '../fakes/anthropic.js';
import type { FakeUpstream } from '../fakes/types.js';
import { postJson, startTestGateway, waitFor, type TestGateway } from './harness.js';

const configFor = (fake: FakeUpstream, extra = '') => `
server: { max_body_bytes: 2048 }
providers:
  mock: { type: mock }
  up: { type: openai, base_url: "${fake.url}", api_key: sk-test }
models:
  chat: { targets: [{ provider: up, model: gpt-4.1-mini }] }
${extra}`;

describe('gateway over HTTP', () => {
  let fake: FakeUpstream;
  let gateway: TestGateway;
  before(async () => {
    fake = await startFakeOpenAI();
    gateway = await startTestGateway(configFor(fake));
  });
  after(async () => {
    await gateway.stop();
    await fake.close();
  });

  test('mock/echo answers in OpenAI format with the gateway headers', async () => {
    const reply = await postJson(`${gateway.url}/v1/chat/completions`, { model: 'mock/echo', messages: [{ role: 'user', content: 'ping pong' }] });
    assert.equal(reply.status, 200);
    assert.equal(reply.json.choices[0].message.content, 'ping pong');
    assert.match(reply.headers.get('x-request-id')!, /^[0-9a-f-]{36}$/);
    assert.equal(reply.headers.get('x-switchyard-provider'), 'mock');
    assert.equal(reply.headers.get('x-switchyard-model'), 'echo');
    assert.equal(reply.headers.get('x-switchyard-attempts'), '1');
  });

  test('mock/lorem streams in Anthropic format through /v1/messages', async () => {
    const reply = await postJson(`${gateway.url}/v1/messages`, {
      model: 'mock/lorem',
      max_tokens: 5,
      stream: true,
      messages: [{ role: 'user', content: 'go' }],
    });
    assert.equal(reply.status, 200);
    assert.match(reply.headers.get('content-type')!, /text\/event-stream/);
    const events = [...reply.text.matchAll(/^event: (\w+)$/gm)].map((m) => m[1]);
    assert.equal(events[0], 'message_start');
    assert.equal(events.at(-1), 'message_stop');
    const text = [...reply.text.matchAll(/"text":"([^"]*)"/g)].map((m) => m[1]).join('');
    assert.equal(text, 'lorem ipsum dolor sit amet');
  });

  test('bad input: each case a clear 4xx naming the problem, and the process keeps serving', async () => {
    const url = `${gateway.url}/v1/chat/completions`;
    const invalidJson = await postJson(url, '{"model": "chat", messages: ]');
    assert.equal(invalidJson.status, 400);
    assert.equal(invalidJson.json.error.code, 'invalid_json');

    const wrongType = await postJson(url, { model: 'chat', messages: 'hello' });
    assert.equal(wrongType.status, 400);
    assert.match(wrongType.json.error.message, /messages/);
    assert.equal(wrongType.json.error.type, 'invalid_request_error');

    const empty = await postJson(url, { model: 'chat', messages: [] });
    assert.equal(empty.status, 400);
    assert.match(empty.json.error.message, /messages/);

    const unknown = await postJson(url, { model: 'nope', messages: [{ role: 'user', content: 'x' }] });
    assert.equal(unknown.status, 404);
    assert.equal(unknown.json.error.code, 'model_not_found');

    const huge = await postJson(url, { model: 'chat', messages: [{ role: 'user', content: 'x'.repeat(5000) }] });
    assert.equal(huge.status, 413);
    assert.equal(huge.json.error.code, 'request_too_large');
    assert.equal(huge.headers.get('connection'), 'close', 'the unread rest of the body does not stay on a kept-alive socket');

    const anthropicShape = await postJson(`${gateway.url}/v1/messages`, { model: 'chat', messages: [{ role: 'user', content: 'x' }] });
    assert.equal(anthropicShape.status, 400);
    assert.equal(anthropicShape.json.type, 'error');
    assert.match(anthropicShape.json.error.message, /max_tokens/);

    const wrongPath = await postJson(`${gateway.url}/v1/nothing`, {});
    assert.equal(wrongPath.status, 404);

    const still = await postJson(url, { model: 'mock/echo', messages: [{ role: 'user', content: 'alive' }] });
    assert.equal(still.json.choices[0].message.content, 'alive');
  });

  test('a client disconnect mid-stream aborts the upstream request', async () => {
    fake.script = { text: 'a long answer '.repeat(200), chunkDelayMs: 10, chunkChars: 8 };
    const aborted = fake.aborted.length;
    await new Promise<void>((resolve, reject) => {
      const request = httpRequest(`${gateway.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' } }, (response) => {
        response.once('data', () => {
          request.destroy();
          resolve();
        });
      });
      request.on('error', () => {});
      request.end(JSON.stringify({ model: 'chat', stream: true, messages: [{ role: 'user', content: 'talk' }] }));
      setTimeout(() => reject(new Error('no first chunk')), 3000);
    });
    await waitFor(() => fake.aborted.length > aborted);
  });

  test('an upstream failure mid-stream ends the client stream with a well-formed error event', async () => {
    fake.script = { text: 'partial answer that breaks', failAfterChunks: 2, failMode: 'disconnect' };
    const reply = await postJson(`${gateway.url}/v1/messages`, { model: 'chat', max_tokens: 50, stream: true, messages: [{ role: 'user', content: 'x' }] });
    assert.equal(reply.status, 200);
    assert.match(reply.text, /event: error\ndata: \{"type":"error","error":\{"type":"[a-z_]+","message":"[^"]+"\}\}/);
    assert.doesNotMatch(reply.text, /message_stop/);
  });

  test('an upstream 500 is a 502 in the client API shape, naming the provider', async () => {
    fake.script = { error: { status: 500, message: 'upstream exploded' } };
    const reply = await postJson(`${gateway.url}/v1/chat/completions`, { model: 'chat', messages: [{ role: 'user', content: 'x' }] });
    assert.equal(reply.status, 502);
    assert.match(reply.json.error.message, /upstream exploded/);
    assert.equal(reply.headers.get('x-switchyard-provider'), 'up');
  });
});

describe('config reload and shutdown', () => {
  test('a changed file is picked up, a bad one refused, and in-flight streams finish on their plan', async () => {
    const fake = await startFakeOpenAI();
    const gateway = await startTestGateway(configFor(fake));
    try {
      fake.script = { text: 'slow answer '.repeat(20), chunkDelayMs: 15, chunkChars: 6 };
      const inFlight = postJson(`${gateway.url}/v1/chat/completions`, { model: 'chat', stream: true, messages: [{ role: 'user', content: 'x' }] });
      await waitFor(() => fake.requests.length === 1);

      writeFileSync(gateway.configPath, configFor(fake, '  renamed: { targets: [{ provider: mock, model: echo }] }'));
      assert.ok(gateway.holder.reload(gateway.configPath, 'test'));
      const renamed = await postJson(`${gateway.url}/v1/chat/completions`, { model: 'renamed', messages: [{ role: 'user', content: 'new plan' }] });
      assert.equal(renamed.json.choices[0].message.content, 'new plan');

      writeFileSync(gateway.configPath, 'providers: { x: { type: opnai } }');
      assert.equal(gateway.holder.reload(gateway.configPath, 'test'), false);
      const kept = await postJson(`${gateway.url}/v1/chat/completions`, { model: 'renamed', messages: [{ role: 'user', content: 'kept' }] });
      assert.equal(kept.json.choices[0].message.content, 'kept');

      const streamed = await inFlight;
      assert.match(streamed.text, /data: \[DONE\]/);
    } finally {
      await gateway.stop();
      await fake.close();
    }
  });

  test('drain lets an in-flight stream finish and refuses new connections', async () => {
    const fake = await startFakeOpenAI();
    const gateway = await startTestGateway(configFor(fake));
    fake.script = { text: 'draining '.repeat(20), chunkDelayMs: 10, chunkChars: 9 };
    const inFlight = postJson(`${gateway.url}/v1/chat/completions`, { model: 'chat', stream: true, messages: [{ role: 'user', content: 'x' }] });
    await waitFor(() => fake.requests.length === 1);
    const stopped = gateway.stop();
    const streamed = await inFlight;
    await stopped;
    assert.match(streamed.text, /data: \[DONE\]/);
    await assert.rejects(fetch(`${gateway.url}/health`));
    await fake.close();
  });
});

describe('switchyard check', () => {
  test('prints every problem with its path and exits 1; a good file exits 0', () => {
    const path = `${process.env.TMPDIR ?? '/tmp'}/switchyard-check-${process.pid}.yaml`;
    writeFileSync(path, 'providers:\n  openai: { type: openai }\nmodels:\n  smart: { targets: [{ provider: opnai, model: x }] }\n');
    const bad = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'check', path], { encoding: 'utf8' });
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /^models\.smart\.targets\[0\]\.provider: unknown provider "opnai" \(did you mean "openai"\?\)$/m);
    writeFileSync(path, 'providers:\n  openai: { type: openai }\nmodels:\n  smart: { targets: [{ provider: openai, model: x }] }\n');
    const good = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'check', path], { encoding: 'utf8' });
    assert.equal(good.status, 0, good.stderr);
  });
});

describe('other endpoints', () => {
  let openai: FakeUpstream;
  let anthropic: FakeUpstream;
  let gateway: TestGateway;
  before(async () => {
    openai = await startFakeOpenAI();
    anthropic = await startFakeAnthropic();
    gateway = await startTestGateway(`
providers:
  mock: { type: mock }
  up: { type: openai, base_url: "${openai.url}", api_key: sk-test, timeout_ms: 300 }
  claude: { type: anthropic, base_url: "${anthropic.url}", api_key: ant-test }
models:
  chat: { targets: [{ provider: up, model: gpt-4.1-mini }] }
  sonnet: { targets: [{ provider: claude, model: claude-sonnet-4-5 }] }
  embed: { targets: [{ provider: up, model: text-embedding-3-small }] }
  two-step: { targets: [{ provider: up, model: gpt-4.1-mini }, { provider: mock, model: echo }] }
`);
  });
  after(async () => {
    await gateway.stop();
    await openai.close();
    await anthropic.close();
  });

  test('a provider that does not answer within timeout_ms is a 504', async () => {
    openai.script = { hang: true };
    const reply = await postJson(`${gateway.url}/v1/chat/completions`, { model: 'chat', messages: [{ role: 'user', content: 'x' }] });
    assert.equal(reply.status, 504);
    assert.equal(reply.json.error.code, 'upstream_timeout');
  });

  test('a retryable failure is retried once on the same target, then moves on, and says so in the headers', async () => {
    openai.script = { error: { status: 503, message: 'busy' } };
    const reply = await postJson(`${gateway.url}/v1/chat/completions`, { model: 'two-step', messages: [{ role: 'user', content: 'second target' }] });
    assert.equal(reply.status, 200);
    assert.equal(reply.json.choices[0].message.content, 'second target');
    assert.equal(reply.headers.get('x-switchyard-attempts'), '3', 'openai twice (default retries: 1), then mock');
    assert.equal(reply.headers.get('x-switchyard-provider'), 'mock');
  });

  test('embeddings through an OpenAI provider and the mock, floats and base64', async () => {
    openai.script = { embeddingDimensions: 4 };
    const reply = await postJson(`${gateway.url}/v1/embeddings`, { model: 'embed', input: ['a', 'b'] });
    assert.equal(reply.status, 200, reply.text);
    assert.equal(reply.json.data.length, 2);
    assert.equal(reply.json.data[1].index, 1);
    assert.equal(reply.json.data[0].embedding.length, 4);
    assert.equal(reply.headers.get('x-switchyard-provider'), 'up');
    const mock = await postJson(`${gateway.url}/v1/embeddings`, { model: 'mock/echo', input: 'same text', encoding_format: 'base64' });
    assert.equal(mock.status, 200, mock.text);
    assert.equal(typeof mock.json.data[0].embedding, 'string');
    assert.equal(Buffer.from(mock.json.data[0].embedding, 'base64').length, 16 * 4);
    const bad = await postJson(`${gateway.url}/v1/embeddings`, { model: 'embed' });
    assert.equal(bad.status, 400);
    assert.match(bad.json.error.message, /input/);
  });

  test('count_tokens asks Anthropic, and estimates for other providers', async () => {
    const body = { model: 'sonnet', messages: [{ role: 'user', content: 'How many tokens is this sentence?' }] };
    const counted = await postJson(`${gateway.url}/v1/messages/count_tokens`, body);
    assert.equal(counted.status, 200, counted.text);
    assert.equal(typeof counted.json.input_tokens, 'number');
    assert.equal(counted.headers.get('x-switchyard-token-count'), 'provider');
    assert.equal(anthropic.requests.at(-1)!.url, '/v1/messages/count_tokens');
    const estimated = await postJson(`${gateway.url}/v1/messages/count_tokens`, { ...body, model: 'chat' });
    assert.equal(estimated.status, 200);
    assert.equal(estimated.headers.get('x-switchyard-token-count'), 'estimated');
    assert.ok(estimated.json.input_tokens > 5 && estimated.json.input_tokens < 20, String(estimated.json.input_tokens));
  });

  test('/v1/models lists configured and mock models in OpenAI and Anthropic shapes', async () => {
    const openaiList = (await (await fetch(`${gateway.url}/v1/models`)).json()) as any;
    assert.equal(openaiList.object, 'list');
    assert.deepEqual(
      openaiList.data.map((m: { id: string }) => m.id),
      ['chat', 'sonnet', 'embed', 'two-step', 'mock/echo', 'mock/lorem'],
    );
    const anthropicList = (await (await fetch(`${gateway.url}/v1/models`, { headers: { "anthropic-version": "2023-06-01" } })).json()) as any;
    assert.equal(anthropicList.data[0].type, 'model');
    assert.equal(anthropicList.has_more, false);
  });

  test('/health and /health/ready answer without a key and name each check', async () => {
    const live = await fetch(`${gateway.url}/health`);
    assert.equal(live.status, 200);
    const ready = (await (await fetch(`${gateway.url}/health/ready`)).json()) as any;
    assert.equal(ready.status, 'ok');
    assert.deepEqual(Object.keys(ready.checks).sort(), ['config', 'keys', 'providers', 'redis', 'storage']);
  });
});
