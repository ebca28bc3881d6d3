/** The anthropic provider against the fake Anthropic API over real HTTP (sendUpstream + parser/decoder). */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ChatRequest } from '../../ir/chat.js';
import type { StreamEvent } from '../../ir/stream.js';
import type { Provider, UpstreamRequest } from '../types.js';
import { readBodyText, sendUpstream, type UpstreamResponse } from '../../upstream/http.js';
import { startFakeAnthropic } from '../../../test/fakes/anthropic.js';
import type { FakeUpstream } from '../../../test/fakes/types.js';
import { anthropicProviderType } from './index.js';
import { JSON_RESPONSE_TOOL } from './json-response-tool.js';
import { decodeBody } from '../../../test/helpers/upstream-body.js';

let fake: FakeUpstream;
let provider: Provider;

before(async () => {
  fake = await startFakeAnthropic();
  provider = anthropicProviderType.create({ name: 'claude', type: 'anthropic', baseUrl: fake.url, apiKey: 'sk-ant-test', headers: { 'x-team': 'a' }, timeoutMs: 5000 });
});
after(() => fake.close());

const send = async (upstream: UpstreamRequest | Promise<UpstreamRequest>): Promise<UpstreamResponse> =>
  sendUpstream(await upstream, { signal: AbortSignal.timeout(5000), headersTimeoutMs: 5000, bodyTimeoutMs: 5000, provider: 'claude' });

async function complete(request: ChatRequest) {
  const response = await send(provider.buildChatRequest(request, 'claude-sonnet-4-5'));
  const text = await readBodyText(response.body);
  if (response.status !== 200) throw provider.parseError(response.status, response.headers, text);
  return provider.parseChatResponse(JSON.parse(text), 'claude-sonnet-4-5');
}

async function stream(request: ChatRequest): Promise<StreamEvent[]> {
  const response = await send(provider.buildChatRequest({ ...request, stream: true }, 'claude-sonnet-4-5'));
  if (response.status !== 200) throw provider.parseError(response.status, response.headers, await readBodyText(response.body));
  assert.match(String(response.headers['content-type']), /^text\/event-stream/);
  const { events, error } = await decodeBody(response.body, provider.createStreamDecoder('claude-sonnet-4-5'));
  if (error) throw error;
  return events;
}

const ask = (text: string, extra: Partial<ChatRequest> = {}): ChatRequest => ({
  model: 'smart',
  stream: false,
  messages: [
    { role: 'system', content: [{ type: 'text', text: 'Be brief.' }] },
    { role: 'user', content: [{ type: 'text', text }] },
  ],
  ...extra,
});

const tools = [{ name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } }];

describe('anthropic provider ↔ fake Anthropic over HTTP', () => {
  test('a plain completion: headers, exact body, parsed answer with usage', async () => {
    fake.script = { text: 'Hello there', usage: { input: 30, output: 4, cached: 10 } };
    const response = await complete(ask('Hi', { temperature: 0.3 }));
    const seen = fake.requests.at(-1)!;
    assert.equal(seen.url, '/v1/messages');
    assert.equal(seen.headers['x-api-key'], 'sk-ant-test');
    assert.equal(seen.headers['anthropic-version'], '2023-06-01');
    assert.equal(seen.headers['x-team'], 'a');
    assert.deepEqual(seen.json, {
      model: 'claude-sonnet-4-5',
      max_tokens: 4096,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
      system: [{ type: 'text', text: 'Be brief.' }],
      temperature: 0.3,
    });
    assert.deepEqual(response.choices, [{ index: 0, content: [{ type: 'text', text: 'Hello there' }], finishReason: 'stop' }]);
    assert.deepEqual(response.usage, { inputTokens: 30, outputTokens: 4, cachedInputTokens: 10 });
    assert.equal(response.model, 'claude-sonnet-4-5');
  });

  test('streaming thinking, text and two tool calls', async () => {
    fake.script = {
      reasoning: 'Need the weather.',
      text: 'Checking.',
      toolCalls: [
        { id: 'toolu_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
        { id: 'toolu_2', name: 'get_weather', arguments: '{"city":"Zürich"}' },
      ],
      usage: { input: 50, output: 25 },
    };
    const events = await stream(ask('Weather in Paris and Zürich?', { tools }));
    assert.equal(fake.requests.at(-1)!.json.stream, true);
    const reasoning = events.flatMap((event) => (event.type === 'reasoning' ? [event.text] : [])).join('');
    const signature = events.find((event) => event.type === 'reasoning' && event.signature !== undefined);
    const text = events.flatMap((event) => (event.type === 'text' ? [event.text] : [])).join('');
    const args = [0, 1].map((index) => events.flatMap((event) => (event.type === 'tool_call_delta' && event.index === index ? [event.arguments] : [])).join(''));
    assert.equal(reasoning, 'Need the weather.');
    assert.ok(signature);
    assert.equal(text, 'Checking.');
    assert.deepEqual(args, ['{"city":"Paris"}', '{"city":"Zürich"}']);
    const first = events[0]!;
    assert.ok(first.type === 'start' && first.id?.startsWith('msg_'), JSON.stringify(first));
    assert.deepEqual(
      events.filter((event) => !['start', 'reasoning', 'text', 'tool_call_delta'].includes(event.type)),
      [
        { type: 'tool_call_start', choice: 0, index: 0, id: 'toolu_1', name: 'get_weather' },
        { type: 'tool_call_start', choice: 0, index: 1, id: 'toolu_2', name: 'get_weather' },
        { type: 'finish', choice: 0, reason: 'tool_calls' },
        { type: 'usage', usage: { inputTokens: 50, outputTokens: 25 } },
      ],
    );
  });

  test('a conversation with tool calls and results passes the fake’s pairing checks', async () => {
    fake.script = { text: 'It is sunny.' };
    const response = await complete({
      model: 'smart',
      stream: false,
      tools,
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Weather?' }] },
        {
          role: 'assistant',
          content: [
            { type: 'text', text: '' },
            { type: 'tool_call', id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
            { type: 'tool_call', id: 'call_2', name: 'get_weather', arguments: '{"city":"Rome"}' },
          ],
        },
        { role: 'tool', content: [{ type: 'tool_result', toolCallId: 'call_1', content: [{ type: 'text', text: 'sunny' }] }] },
        { role: 'tool', content: [{ type: 'tool_result', toolCallId: 'call_2', content: [{ type: 'text', text: 'rain' }] }] },
        { role: 'user', content: [{ type: 'text', text: 'And so?' }] },
      ],
    });
    assert.deepEqual(response.choices[0]!.content, [{ type: 'text', text: 'It is sunny.' }]);
    assert.equal(fake.requests.at(-1)!.json.messages.length, 3);
  });

  test('JSON schema through the forced tool, streaming and not', async () => {
    fake.script = (request) => ({ toolCalls: [{ id: 'toolu_j', name: request.json.tool_choice.name, arguments: '{"answer":42}' }] });
    const format = { type: 'json_schema' as const, name: 'result', schema: { type: 'object', properties: { answer: { type: 'number' } } } };
    const response = await complete(ask('Answer?', { responseFormat: format }));
    assert.equal(fake.requests.at(-1)!.json.tool_choice.name, JSON_RESPONSE_TOOL);
    assert.deepEqual(response.choices[0], { index: 0, content: [{ type: 'text', text: '{"answer":42}' }], finishReason: 'stop' });
    const events = await stream(ask('Answer?', { responseFormat: format }));
    assert.equal(events.flatMap((event) => (event.type === 'text' ? [event.text] : [])).join(''), '{"answer":42}');
    assert.ok(!events.some((event) => event.type === 'tool_call_start'));
    assert.deepEqual(events.find((event) => event.type === 'finish'), { type: 'finish', choice: 0, reason: 'stop' });
  });

  test('upstream errors map through parseError: 529 overloaded with retry-after, 400 context length', async () => {
    fake.script = { error: { status: 529, message: 'Overloaded', headers: { 'retry-after': '3' } } };
    await assert.rejects(complete(ask('Hi')), { code: 'upstream_overloaded', retryable: true, retryAfterS: 3, message: 'claude: Overloaded' });
    fake.script = { error: { status: 400, message: 'prompt is too long: 300000 tokens > 200000 maximum' } };
    await assert.rejects(stream(ask('Hi')), { code: 'context_length_exceeded', status: 400 });
  });

  test('the fake rejects what Anthropic rejects, and the mapping keeps its message', async () => {
    fake.script = {};
    await assert.rejects(complete(ask('Hi', { reasoning: { budgetTokens: 5000 }, maxTokens: 2000 })), {
      code: 'upstream_bad_request',
      message: 'claude: `max_tokens` must be greater than `thinking.budget_tokens`',
    });
    const keyless = anthropicProviderType.create({ name: 'claude', type: 'anthropic', baseUrl: fake.url, headers: {}, timeoutMs: 5000 });
    const response = await send(keyless.buildChatRequest(ask('Hi'), 'm'));
    const failure = keyless.parseError(response.status, response.headers, await readBodyText(response.body));
    assert.deepEqual([response.status, failure.code, failure.message], [401, 'upstream_auth_failed', 'claude: x-api-key header is required']);
  });

  test('mid-stream failures: an error event, or a cut connection', async () => {
    fake.script = { text: 'abcdefghijklmnop', failAfterChunks: 2 };
    const events = await stream(ask('Hi'));
    assert.deepEqual(events.filter((event) => event.type === 'text').length, 2);
    const last = events.at(-1)!;
    assert.ok(last.type === 'error' && last.error.code === 'upstream_overloaded', JSON.stringify(last));
    fake.script = { text: 'abcdefghijklmnop', failAfterChunks: 2, failMode: 'disconnect' };
    await assert.rejects(stream(ask('Hi')));
  });

  test('count_tokens: request without generation fields, parsed count', async () => {
    fake.script = { usage: { input: 123, output: 0 } };
    const upstream = await provider.buildCountTokensRequest!(ask('Count me', { maxTokens: 50, temperature: 0.1, tools, stream: true }), 'claude-sonnet-4-5');
    const response = await send(upstream);
    assert.equal(response.status, 200);
    assert.equal(provider.parseCountTokensResponse!(JSON.parse(await readBodyText(response.body))), 123);
    const seen = fake.requests.at(-1)!;
    assert.equal(seen.url, '/v1/messages/count_tokens');
    assert.deepEqual(Object.keys(seen.json).sort(), ['messages', 'model', 'system', 'tools']);
    assert.throws(() => provider.parseCountTokensResponse!({}), { code: 'upstream_invalid_response' });
  });

  test('pass-through forwards the client body with its anthropic-version and anthropic-beta headers', async () => {
    fake.script = { text: 'passed' };
    const body = JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 10, messages: [{ role: 'user', content: 'Hi' }] });
    const upstream = await provider.buildPassthroughRequest!(body, false, 'claude-sonnet-4-5', {
      'anthropic-version': '2023-01-01',
      'anthropic-beta': ['context-1m-2025-08-07', 'interleaved-thinking-2025-05-14'],
      authorization: 'Bearer client-key-must-not-leak',
    });
    const response = await send(upstream);
    const answer = JSON.parse(await readBodyText(response.body));
    assert.deepEqual(answer.content, [{ type: 'text', text: 'passed' }]);
    const seen = fake.requests.at(-1)!;
    assert.equal(seen.body, body);
    assert.equal(seen.headers['anthropic-version'], '2023-01-01');
    assert.equal(seen.headers['anthropic-beta'], 'context-1m-2025-08-07,interleaved-thinking-2025-05-14');
    assert.equal(seen.headers['x-api-key'], 'sk-ant-test');
    assert.equal(seen.headers.authorization, undefined);
  });
});
