import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import type { ChatRequest } from '../../ir/chat.js';
import type { GatewayError } from '../../errors/gateway-error.js';
import type { Provider, ProviderConfig, UpstreamRequest } from '../types.js';
import { closeUpstreamAgent, readBodyText, sendUpstream, transportError } from '../../upstream/http.js';
import { startFakeOpenAI } from '../../../test/fakes/openai.js';
import { startFakeAzure } from '../../../test/fakes/azure.js';
import type { FakeUpstream } from '../../../test/fakes/types.js';
import { openaiFamilyTypes } from './index.js';
import { decodeBody } from '../../../test/helpers/upstream-body.js';

after(() => closeUpstreamAgent());

function providerFor(type: string, fake: FakeUpstream, extra: Partial<ProviderConfig> = {}): Provider {
  const entry = openaiFamilyTypes.find((candidate) => candidate.type === type);
  assert.ok(entry);
  return entry.create({ name: type, type, baseUrl: fake.url, apiKey: 'sk-test', headers: { 'x-extra': 'yes' }, timeoutMs: 5000, ...extra });
}

const send = (provider: Provider, upstream: UpstreamRequest) =>
  sendUpstream(upstream, { signal: AbortSignal.timeout(5000), headersTimeoutMs: 5000, bodyTimeoutMs: 5000, provider: provider.config.name });

/** Runs a chat call the way the pipeline does: JSON answer or decoded stream events, or the parsed error. */
async function chat(provider: Provider, request: ChatRequest, upstreamModel: string) {
  const response = await send(provider, await provider.buildChatRequest(request, upstreamModel));
  if (response.status >= 400) return { error: provider.parseError(response.status, response.headers, await readBodyText(response.body)) };
  if (!request.stream) return { response: provider.parseChatResponse(JSON.parse(await readBodyText(response.body)), upstreamModel) };
  const { events, error } = await decodeBody(response.body, provider.createStreamDecoder(upstreamModel));
  if (error) return { events, readError: transportError(error, provider.config.name) };
  return { events, contentType: response.headers['content-type'] };
}

const ask = (extra: Partial<ChatRequest> = {}): ChatRequest => ({
  model: 'fast',
  messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
  stream: false,
  ...extra,
});

const toolScript = { toolCalls: [{ id: 'call_1', name: 'weather', arguments: '{"city":"Bern"}' }], usage: { input: 30, output: 9, cached: 10 } };

test('openai: non-streaming answer over HTTP with auth, config headers and exact path', async () => {
  const fake = await startFakeOpenAI({ text: 'Hello there', usage: { input: 5, output: 2 } });
  try {
    const result = await chat(providerFor('openai', fake), ask({ maxTokens: 20 }), 'gpt-4.1');
    assert.deepEqual(result.response?.choices, [{ index: 0, content: [{ type: 'text', text: 'Hello there' }], finishReason: 'stop' }]);
    assert.deepEqual(result.response?.usage, { inputTokens: 5, outputTokens: 2 });
    assert.equal(result.response?.model, 'gpt-4.1');
    const [recorded] = fake.requests;
    assert.equal(recorded?.url, '/v1/chat/completions');
    assert.equal(recorded?.headers.authorization, 'Bearer sk-test');
    assert.equal(recorded?.headers['x-extra'], 'yes');
    assert.deepEqual(recorded?.json, { model: 'gpt-4.1', messages: [{ role: 'user', content: 'Hi' }], max_completion_tokens: 20 });
  } finally {
    await fake.close();
  }
});

test('openai: streamed tool call with usage decodes to exact events', async () => {
  const fake = await startFakeOpenAI({ ...toolScript, chunkChars: 5 });
  try {
    const result = await chat(providerFor('openai', fake), ask({ stream: true, tools: [{ name: 'weather', parameters: { type: 'object' } }] }), 'gpt-4.1');
    assert.match(String(result.contentType), /^text\/event-stream/);
    assert.deepEqual(result.events?.filter((event) => event.type !== 'start'), [
      { type: 'tool_call_start', choice: 0, index: 0, id: 'call_1', name: 'weather' },
      { type: 'tool_call_delta', choice: 0, index: 0, arguments: '{"cit' },
      { type: 'tool_call_delta', choice: 0, index: 0, arguments: 'y":"B' },
      { type: 'tool_call_delta', choice: 0, index: 0, arguments: 'ern"}' },
      { type: 'finish', choice: 0, reason: 'tool_calls' },
      { type: 'usage', usage: { inputTokens: 30, outputTokens: 9, cachedInputTokens: 10 } },
    ]);
    assert.deepEqual(fake.requests[0]?.json.stream_options, { include_usage: true });
  } finally {
    await fake.close();
  }
});

test('openai: a tool round trip translated from the IR passes the fake\'s conversation checks', async () => {
  const fake = await startFakeOpenAI({ text: 'It is sunny.' });
  try {
    const request = ask({
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Weather?' }] },
        { role: 'assistant', content: [{ type: 'tool_call', id: 'toolu_1', name: 'weather', arguments: '{}' }] },
        { role: 'tool', content: [{ type: 'tool_result', toolCallId: 'toolu_1', content: [{ type: 'text', text: 'sunny' }] }] },
      ],
    });
    const result = await chat(providerFor('openai', fake), request, 'gpt-4.1');
    assert.equal(result.error, undefined);
    assert.deepEqual(result.response?.choices[0]?.content, [{ type: 'text', text: 'It is sunny.' }]);
  } finally {
    await fake.close();
  }
});

test('the fake rejects what OpenAI rejects, and the provider maps it', async () => {
  const fake = await startFakeOpenAI();
  try {
    const orphan = ask({ messages: [{ role: 'tool', content: [{ type: 'tool_result', toolCallId: 'x', content: [] }] }] });
    const error = (await chat(providerFor('openai', fake), orphan, 'gpt-4.1')).error as GatewayError;
    assert.equal(error.code, 'upstream_bad_request');
    assert.match(error.message, /^openai: Invalid parameter: messages with role 'tool' must be a response/);
    const keyless = (await chat(providerFor('openai', fake, { apiKey: undefined }), ask(), 'gpt-4.1')).error as GatewayError;
    assert.deepEqual([keyless.code, keyless.upstreamStatus], ['upstream_auth_failed', 401]);
  } finally {
    await fake.close();
  }
});

test('openai: scripted errors (context length, 429 with retry-after) map to gateway codes', async () => {
  const fake = await startFakeOpenAI({ error: { status: 400, message: 'maximum context length is 8192 tokens', type: 'context_length_exceeded' } });
  try {
    const provider = providerFor('openai', fake);
    assert.equal((await chat(provider, ask(), 'gpt-4.1')).error?.code, 'context_length_exceeded');
    fake.script = { error: { status: 429, message: 'Rate limit reached', headers: { 'retry-after': '3' } } };
    const limited = (await chat(provider, ask(), 'gpt-4.1')).error;
    assert.deepEqual([limited?.code, limited?.retryable, limited?.retryAfterS], ['upstream_rate_limited', true, 3]);
  } finally {
    await fake.close();
  }
});

test('openai: a mid-stream error event decodes to an error event; a cut connection fails the body read', async () => {
  const fake = await startFakeOpenAI({ text: 'abcdefghijkl', failAfterChunks: 2 });
  try {
    const provider = providerFor('openai', fake);
    const viaEvent = await chat(provider, ask({ stream: true }), 'gpt-4.1');
    assert.deepEqual(viaEvent.events?.slice(1).map((event) => (event.type === 'error' ? event.error.code : event)), [
      { type: 'text', choice: 0, text: 'abcd' },
      'upstream_error',
    ]);
    fake.script = { text: 'abcdefghijkl', failAfterChunks: 2, failMode: 'disconnect' };
    const viaCut = await chat(provider, ask({ stream: true }), 'gpt-4.1');
    assert.deepEqual(viaCut.events?.slice(1), [{ type: 'text', choice: 0, text: 'abcd' }]);
    assert.deepEqual([viaCut.readError?.code, viaCut.readError?.message], ['upstream_unreachable', 'openai: connection failed: other side closed']);
  } finally {
    await fake.close();
  }
});

test('openai: passthrough sends the client body untouched with auth and headers', async () => {
  const fake = await startFakeOpenAI({ text: 'pong' });
  try {
    const provider = providerFor('openai', fake);
    const body = '{"model":"gpt-4.1","messages":[{"role":"user","content":"ping"}],"logprobs":true}';
    assert.ok(provider.buildPassthroughRequest);
    const upstream = await provider.buildPassthroughRequest(body, false, 'gpt-4.1', { authorization: 'Bearer client-key' });
    const response = await send(provider, upstream);
    assert.equal(response.status, 200);
    assert.equal(fake.requests[0]?.body, body);
    assert.equal(fake.requests[0]?.headers.authorization, 'Bearer sk-test');
    assert.equal(JSON.parse(await readBodyText(response.body)).choices[0].message.content, 'pong');
  } finally {
    await fake.close();
  }
});

test('openai: embeddings request and response over HTTP', async () => {
  const fake = await startFakeOpenAI({ embeddingDimensions: 4 });
  try {
    const provider = providerFor('openai', fake);
    assert.ok(provider.buildEmbeddingsRequest && provider.parseEmbeddingsResponse);
    const request = { model: 'embed', input: ['a b', 'c'], dimensions: 3, encodingFormat: 'base64' as const };
    const upstream = await provider.buildEmbeddingsRequest(request, 'text-embedding-3-small');
    const response = await send(provider, upstream);
    const parsed = provider.parseEmbeddingsResponse(JSON.parse(await readBodyText(response.body)), 'text-embedding-3-small', request);
    assert.deepEqual(fake.requests[0]?.json, { model: 'text-embedding-3-small', input: ['a b', 'c'], dimensions: 3 });
    assert.equal(fake.requests[0]?.url, '/v1/embeddings');
    assert.equal(parsed.data.length, 2);
    assert.equal(parsed.data[0]?.embedding.length, 3);
    assert.deepEqual(parsed.usage, { inputTokens: 3 });
  } finally {
    await fake.close();
  }
});

test('azure: deployment path, api-version, api-key header; stream with filter opener and two choices', async () => {
  const fake = await startFakeAzure({ text: 'Hi there', chunkChars: 4 });
  try {
    const provider = providerFor('azure', fake, { apiVersion: '2024-10-21' });
    const result = await chat(provider, ask({ stream: true, n: 2 }), 'my-gpt4o');
    const [recorded] = fake.requests;
    assert.equal(recorded?.url, '/openai/deployments/my-gpt4o/chat/completions?api-version=2024-10-21');
    assert.equal(recorded?.headers['api-key'], 'sk-test');
    assert.equal(recorded?.headers.authorization, undefined);
    assert.deepEqual(result.events, [
      { type: 'start', id: result.events?.[0]?.type === 'start' ? result.events[0].id : '', model: 'my-gpt4o' },
      { type: 'text', choice: 0, text: 'Hi t' },
      { type: 'text', choice: 1, text: 'Hi t' },
      { type: 'text', choice: 0, text: 'here' },
      { type: 'text', choice: 1, text: 'here' },
      { type: 'finish', choice: 0, reason: 'stop' },
      { type: 'finish', choice: 1, reason: 'stop' },
      { type: 'usage', usage: { inputTokens: 10, outputTokens: 2 } },
    ]);
  } finally {
    await fake.close();
  }
});

test('azure: non-streaming, embeddings, and Azure-shaped auth errors', async () => {
  const fake = await startFakeAzure({ text: 'ok' });
  try {
    const provider = providerFor('azure', fake, { apiVersion: '2024-10-21' });
    const result = await chat(provider, ask(), 'dep-1');
    assert.deepEqual(result.response?.choices[0]?.content, [{ type: 'text', text: 'ok' }]);
    assert.ok(provider.buildEmbeddingsRequest);
    const embeddings = await send(provider, await provider.buildEmbeddingsRequest({ model: 'e', input: ['x'] }, 'embed-dep'));
    assert.equal(embeddings.status, 200);
    assert.equal(fake.requests[1]?.url, '/openai/deployments/embed-dep/embeddings?api-version=2024-10-21');
    await readBodyText(embeddings.body);
    const denied = (await chat(providerFor('azure', fake, { apiVersion: '2024-10-21', apiKey: undefined }), ask(), 'dep-1')).error;
    assert.equal(denied?.code, 'upstream_auth_failed');
    assert.match(String(denied?.message), /^azure: Access denied due to invalid subscription key/);
  } finally {
    await fake.close();
  }
});

test('a hanging upstream: the client abort reaches the fake and surfaces as a timeout', async () => {
  const fake = await startFakeOpenAI({ hang: true });
  try {
    const provider = providerFor('openai', fake);
    const signal = AbortSignal.timeout(100);
    const failure = await sendUpstream(await provider.buildChatRequest(ask({ stream: true }), 'gpt-4.1'), {
      signal, headersTimeoutMs: 5000, bodyTimeoutMs: 5000, provider: 'openai',
    }).catch((error: unknown) => error as GatewayError);
    assert.equal((failure as GatewayError).code, 'upstream_timeout');
    for (let wait = 0; wait < 50 && fake.aborted.length === 0; wait++) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(fake.aborted.length, 1);
  } finally {
    await fake.close();
  }
});
