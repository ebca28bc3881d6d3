import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { ChatRequest, ChatResponse, Message } from '../../ir/chat.js';
import type { StreamEvent } from '../../ir/stream.js';
import { GatewayError } from '../../errors/gateway-error.js';
import { readBodyText, sendUpstream } from '../../upstream/http.js';
import type { Provider, ProviderConfig } from '../types.js';
import type { FakeUpstream } from '../../../test/fakes/types.js';
import { FAKE_BEDROCK_CREDENTIALS, startFakeBedrock } from '../../../test/fakes/bedrock.js';
import { createBedrockProvider } from './index.js';
import { decodeBody } from '../../../test/helpers/upstream-body.js';

// The provider against the Bedrock fake over real HTTP: SigV4 verified by the fake, bodies
// validated like Bedrock, binary event-stream answers cut at random offsets.

const MODEL = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';
let fake: FakeUpstream;
let provider: Provider;

const configFor = (url: string, extra: Partial<ProviderConfig> = {}): ProviderConfig => ({
  name: 'aws',
  type: 'bedrock',
  baseUrl: url,
  headers: {},
  timeoutMs: 10_000,
  region: FAKE_BEDROCK_CREDENTIALS.region,
  accessKeyId: FAKE_BEDROCK_CREDENTIALS.accessKeyId,
  secretAccessKey: FAKE_BEDROCK_CREDENTIALS.secretAccessKey,
  ...extra,
});

before(async () => {
  fake = await startFakeBedrock();
  provider = createBedrockProvider(configFor(fake.url), {});
});
after(() => fake.close());

const user = (text: string): Message => ({ role: 'user', content: [{ type: 'text', text }] });
const chat = (messages: Message[], extra: Partial<ChatRequest> = {}): ChatRequest => ({ model: 'smart', messages, stream: false, ...extra });
const send = (upstream: Awaited<ReturnType<Provider['buildChatRequest']>>) =>
  sendUpstream(upstream, { signal: AbortSignal.timeout(10_000), headersTimeoutMs: 10_000, bodyTimeoutMs: 10_000, provider: 'aws' });

/** One non-streaming call: the IR answer, or the GatewayError parseError made of the failure. */
async function complete(request: ChatRequest, model = MODEL, using = provider): Promise<ChatResponse> {
  const response = await send(await using.buildChatRequest(request, model));
  const text = await readBodyText(response.body);
  if (response.status !== 200) throw using.parseError(response.status, response.headers, text);
  return using.parseChatResponse(JSON.parse(text), model);
}

/** One streaming call, decoded chunk by chunk as the body arrives. */
async function stream(request: ChatRequest, model = MODEL): Promise<StreamEvent[]> {
  const response = await send(await provider.buildChatRequest({ ...request, stream: true }, model));
  if (response.status !== 200) throw provider.parseError(response.status, response.headers, await readBodyText(response.body));
  assert.equal(response.headers['content-type'], 'application/vnd.amazon.eventstream');
  const { events, error } = await decodeBody(response.body, provider.createStreamDecoder(model));
  if (error) throw error;
  return events;
}

async function failure(promise: Promise<unknown>): Promise<GatewayError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  assert.fail('expected a GatewayError');
}

test('text: exact translated body on the encoded path, answer and usage back', async () => {
  fake.script = { text: 'Hello there', usage: { input: 20, output: 5, cached: 8 } };
  const response = await complete(chat([{ role: 'system', content: [{ type: 'text', text: 'Be brief.' }] }, user('Hi')], { maxTokens: 50, temperature: 0.5 }));
  const recorded = fake.requests.at(-1)!;
  assert.equal(recorded.url, '/model/us.anthropic.claude-sonnet-4-5-20250929-v1%3A0/converse');
  assert.deepEqual(recorded.json, {
    messages: [{ role: 'user', content: [{ text: 'Hi' }] }],
    system: [{ text: 'Be brief.' }],
    inferenceConfig: { maxTokens: 50, temperature: 0.5 },
  });
  assert.deepEqual(response.choices, [{ index: 0, finishReason: 'stop', content: [{ type: 'text', text: 'Hello there' }] }]);
  assert.deepEqual(response.usage, { inputTokens: 20, outputTokens: 5, cachedInputTokens: 8, cacheWriteInputTokens: 0 });
});

test('stream: binary frames decode to the exact event sequence', async () => {
  fake.script = { text: 'Hello, stream!', reasoning: 'Hmm.', usage: { input: 9, output: 4 } };
  const events = await stream(chat([user('Hi')]));
  assert.deepEqual(events, [
    { type: 'start', model: MODEL },
    { type: 'reasoning', choice: 0, text: 'Hmm.' },
    { type: 'reasoning', choice: 0, text: '', signature: 'ErcBCkgIAhABGAIiQFakeSignature==' },
    { type: 'text', choice: 0, text: 'Hell' },
    { type: 'text', choice: 0, text: 'o, s' },
    { type: 'text', choice: 0, text: 'trea' },
    { type: 'text', choice: 0, text: 'm!' },
    { type: 'finish', choice: 0, reason: 'stop' },
    { type: 'usage', usage: { inputTokens: 9, outputTokens: 4 } },
  ]);
  assert.equal(fake.requests.at(-1)!.url, '/model/us.anthropic.claude-sonnet-4-5-20250929-v1%3A0/converse-stream');
});

test('tools: streamed argument deltas, then the tool result round trip validates', async () => {
  const tools = [{ name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } }];
  const args = '{"city":"Paris","unit":"c"}';
  fake.script = { toolCalls: [{ id: 'tooluse_1', name: 'get_weather', arguments: args }], chunkChars: 5 };
  const events = await stream(chat([user('Weather?')], { tools, toolChoice: { type: 'required' } }));
  assert.deepEqual(events.slice(0, 2), [
    { type: 'start', model: MODEL },
    { type: 'tool_call_start', choice: 0, index: 0, id: 'tooluse_1', name: 'get_weather' },
  ]);
  const deltas = events.filter((event) => event.type === 'tool_call_delta');
  assert.equal(deltas.length, Math.ceil(args.length / 5));
  assert.equal(deltas.map((event) => (event.type === 'tool_call_delta' ? event.arguments : '')).join(''), args);
  assert.deepEqual(events.at(-2), { type: 'finish', choice: 0, reason: 'tool_calls' });
  assert.deepEqual(fake.requests.at(-1)!.json.toolConfig.toolChoice, { any: {} });

  fake.script = { text: 'It is 18C.' };
  const followUp = await complete(
    chat(
      [
        user('Weather?'),
        { role: 'assistant', content: [{ type: 'tool_call', id: 'tooluse_1', name: 'get_weather', arguments: args }] },
        { role: 'tool', content: [{ type: 'tool_result', toolCallId: 'tooluse_1', content: [{ type: 'text', text: '18C' }] }] },
      ],
      { tools },
    ),
  );
  assert.deepEqual(followUp.choices[0]!.content, [{ type: 'text', text: 'It is 18C.' }]);
  assert.deepEqual(fake.requests.at(-1)!.json.messages[2], { role: 'user', content: [{ toolResult: { toolUseId: 'tooluse_1', content: [{ text: '18C' }] } }] });
});

test('non-streaming tool calls parse back with their JSON arguments', async () => {
  fake.script = { toolCalls: [{ id: 'tooluse_9', name: 'lookup', arguments: '{"q":"x"}' }], usage: { input: 3, output: 2 } };
  const response = await complete(chat([user('find x')], { tools: [{ name: 'lookup', parameters: { type: 'object' } }] }));
  assert.deepEqual(response.choices, [{ index: 0, finishReason: 'tool_calls', content: [{ type: 'tool_call', id: 'tooluse_9', name: 'lookup', arguments: '{"q":"x"}' }] }]);
});

test('images are sent as bytes and accepted', async () => {
  fake.script = { text: 'A red pixel.' };
  const png = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==';
  const response = await complete(chat([{ role: 'user', content: [{ type: 'image', url: `data:image/png;base64,${png}` }, { type: 'text', text: 'What?' }] }]));
  assert.equal(response.choices[0]!.content[0]!.type, 'text');
  assert.deepEqual(fake.requests.at(-1)!.json.messages[0].content[0], { image: { format: 'png', source: { bytes: png } } });
});

test('JSON schema: the forced tool comes back as the answer text', async () => {
  fake.script = (request) => ({ toolCalls: [{ id: 't', name: request.json.toolConfig.toolChoice.tool.name, arguments: '{"answer":42}' }] });
  const response = await complete(chat([user('6*7?')], { responseFormat: { type: 'json_schema', name: 'r', schema: { type: 'object', properties: { answer: { type: 'number' } } } } }));
  assert.deepEqual(response.choices, [{ index: 0, finishReason: 'stop', content: [{ type: 'text', text: '{"answer":42}' }] }]);
});

test('an ARN model id travels encoded and verifies', async () => {
  fake.script = { text: 'ok' };
  const arn = 'arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-5-haiku-20241022-v1:0';
  const response = await complete(chat([user('Hi')]), arn);
  assert.equal(response.model, arn);
  assert.equal(fake.requests.at(-1)!.url, `/model/${encodeURIComponent(arn)}/converse`);
});

test('HTTP errors map with Bedrock exception names, retryability and retry-after', async () => {
  fake.script = { error: { status: 429, message: 'Too many requests, please wait before trying again.', headers: { 'retry-after': '2' } } };
  const throttled = await failure(complete(chat([user('Hi')])));
  assert.equal(throttled.code, 'upstream_rate_limited');
  assert.equal(throttled.retryable, true);
  assert.equal(throttled.retryAfterS, 2);
  assert.equal(throttled.message, 'aws: ThrottlingException: Too many requests, please wait before trying again.');

  fake.script = { error: { status: 400, message: 'Input is too long for requested model.' } };
  const tooLong = await failure(complete(chat([user('Hi')])));
  assert.equal(tooLong.code, 'context_length_exceeded');
  assert.equal(tooLong.retryable, false);

  fake.script = { error: { status: 503, message: 'Bedrock is unable to process your request.' } };
  assert.equal((await failure(stream(chat([user('Hi')])))).code, 'upstream_overloaded');
});

test('the fake validates like Bedrock: a conversation must start with a user message', async () => {
  fake.script = {};
  const error = await failure(complete(chat([{ role: 'assistant', content: [{ type: 'text', text: 'Hello' }] }, user('Hi')])));
  assert.equal(error.code, 'upstream_bad_request');
  assert.match(error.message, /ValidationException: A conversation must start with a user message/);
});

test('in-stream exceptions become error events after the content already sent', async () => {
  fake.script = { text: 'abcdefghijkl', failAfterChunks: 2 };
  const events = await stream(chat([user('Hi')]));
  assert.deepEqual(events.slice(0, 3), [
    { type: 'start', model: MODEL },
    { type: 'text', choice: 0, text: 'abcd' },
    { type: 'text', choice: 0, text: 'efgh' },
  ]);
  assert.equal(events.length, 4);
  const last = events[3]!;
  assert.equal(last.type === 'error' && last.error.code, 'upstream_error');
  assert.equal(last.type === 'error' && last.error.message, 'aws: ModelStreamErrorException: The model stream failed.');

  fake.script = { text: 'abcdefgh', failAfterChunks: 1, error: { status: 429, type: 'throttlingException', message: 'slow down' } };
  const throttled = (await stream(chat([user('Hi')]))).at(-1)!;
  assert.equal(throttled.type === 'error' && throttled.error.code, 'upstream_rate_limited');
  assert.equal(throttled.type === 'error' && throttled.error.retryable, true);
});

test('a wrong secret is refused by the fake and maps to upstream_auth_failed', async () => {
  fake.script = { text: 'never' };
  const wrong = createBedrockProvider(configFor(fake.url, { secretAccessKey: 'not-the-secret' }), {});
  const error = await failure(complete(chat([user('Hi')]), MODEL, wrong));
  assert.equal(error.code, 'upstream_auth_failed');
  assert.equal(error.upstreamStatus, 403);
  assert.match(error.message, /^aws: InvalidSignatureException: The request signature we calculated does not match/);
});

test('session tokens are sent and required when the credentials are temporary', async () => {
  const strict = await startFakeBedrock({ text: 'with token' }, { sessionToken: 'session-xyz' });
  try {
    const withToken = createBedrockProvider(configFor(strict.url, { sessionToken: 'session-xyz' }), {});
    assert.deepEqual((await complete(chat([user('Hi')]), MODEL, withToken)).choices[0]!.content, [{ type: 'text', text: 'with token' }]);
    const without = createBedrockProvider(configFor(strict.url), {});
    assert.equal((await failure(complete(chat([user('Hi')]), MODEL, without))).code, 'upstream_auth_failed');
  } finally {
    await strict.close();
  }
});

test('embeddings: Titan v2 through InvokeModel, one input per call', async () => {
  fake.script = {};
  const model = 'amazon.titan-embed-text-v2:0';
  const request = { model: 'emb', input: ['hello embedding world'], dimensions: 256 };
  const upstream = await provider.buildEmbeddingsRequest!(request, model);
  const response = await send(upstream);
  assert.equal(response.status, 200);
  const parsed = provider.parseEmbeddingsResponse!(JSON.parse(await readBodyText(response.body)), model, request);
  assert.equal(fake.requests.at(-1)!.url, '/model/amazon.titan-embed-text-v2%3A0/invoke');
  assert.deepEqual(fake.requests.at(-1)!.json, { inputText: 'hello embedding world', dimensions: 256 });
  assert.equal(parsed.data.length, 1);
  assert.equal(parsed.data[0]!.embedding.length, 256);
  assert.deepEqual(parsed.usage, { inputTokens: 3 });
  await assert.rejects(async () => provider.buildEmbeddingsRequest!({ model: 'emb', input: ['a', 'b'] }, model), (error: unknown) => error instanceof GatewayError && error.param === 'input');
  await assert.rejects(async () => provider.buildEmbeddingsRequest!({ model: 'emb', input: ['a'] }, 'cohere.embed-english-v3'), (error: unknown) => error instanceof GatewayError && error.param === 'model');
  await assert.rejects(async () => provider.buildEmbeddingsRequest!({ model: 'emb', input: ['a'], dimensions: 100 }, model), (error: unknown) => error instanceof GatewayError && error.param === 'dimensions');
});

test('fake failure modes: a cut connection fails the body read, a hang is recorded when aborted', async () => {
  fake.script = { text: 'abcdefghijkl', failAfterChunks: 1, failMode: 'disconnect' };
  await assert.rejects(stream(chat([user('Hi')])));

  fake.script = { hang: true };
  const abortedBefore = fake.aborted.length;
  const upstream = await provider.buildChatRequest(chat([user('Hi')]), MODEL);
  const aborted = await failure(sendUpstream(upstream, { signal: AbortSignal.timeout(150), headersTimeoutMs: 10_000, bodyTimeoutMs: 10_000, provider: 'aws' }));
  assert.equal(aborted.code, 'upstream_timeout');
  for (let i = 0; i < 50 && fake.aborted.length === abortedBefore; i++) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(fake.aborted.at(-1)?.url, '/model/us.anthropic.claude-sonnet-4-5-20250929-v1%3A0/converse');
});
