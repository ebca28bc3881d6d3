import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';
import type { ChatRequest, ChatResponse } from '../../ir/chat.js';
import type { StreamEvent } from '../../ir/stream.js';
import { GatewayError, toGatewayError } from '../../errors/gateway-error.js';
import { openaiChatDialect as dialect } from './index.js';

/**
 * The official OpenAI SDK against a tiny server built from this dialect alone: requests go through
 * parseChatRequest, answers come from encodeChatResponse / the stream encoder / encodeError. If the
 * SDK accepts our bytes (and its stream helper rebuilds the same message), real clients will.
 */

const weatherCall = { id: 'call_w1', name: 'get_weather', arguments: '{"city":"Bern","unit":"c"}' };
let lastRequest: ChatRequest | undefined;

function answerFor(request: ChatRequest): { events: StreamEvent[]; response: ChatResponse } {
  const usage = { inputTokens: 42, outputTokens: 7, cachedInputTokens: 2 };
  if (request.tools?.length) {
    const events: StreamEvent[] = [
      { type: 'start', model: 'gpt-4.1-2025-04-14' },
      { type: 'text', choice: 0, text: 'Let me check.' },
      { type: 'tool_call_start', choice: 0, index: 0, id: weatherCall.id, name: weatherCall.name },
      { type: 'tool_call_delta', choice: 0, index: 0, arguments: weatherCall.arguments.slice(0, 9) },
      { type: 'tool_call_delta', choice: 0, index: 0, arguments: weatherCall.arguments.slice(9) },
      { type: 'finish', choice: 0, reason: 'tool_calls' },
      { type: 'usage', usage },
    ];
    const response: ChatResponse = {
      id: 'chatcmpl-sdk', model: 'gpt-4.1-2025-04-14', created: 1700000000, usage,
      choices: [{ index: 0, finishReason: 'tool_calls', content: [{ type: 'text', text: 'Let me check.' }, { type: 'tool_call', ...weatherCall }] }],
    };
    return { events, response };
  }
  const choices = Array.from({ length: request.n ?? 1 }, (_, index) => index);
  const events: StreamEvent[] = [{ type: 'start', model: 'gpt-4.1-2025-04-14' }];
  for (const piece of ['Hel', 'lo ', 'wörld 👋']) for (const choice of choices) events.push({ type: 'text', choice, text: piece });
  if (request.messages.at(-1)?.content.some((part) => part.type === 'text' && part.text === 'fail')) {
    events.push({ type: 'error', error: new GatewayError('upstream_overloaded', 'claude: Overloaded') });
  }
  for (const choice of choices) events.push({ type: 'finish', choice, reason: 'stop' });
  events.push({ type: 'usage', usage });
  const response: ChatResponse = {
    id: 'chatcmpl-sdk', model: 'gpt-4.1-2025-04-14', created: 1700000000, usage,
    choices: choices.map((index) => ({ index, finishReason: 'stop', content: [{ type: 'text', text: 'Hello wörld 👋' }] })),
  };
  return { events, response };
}

function handle(path: string, body: unknown, response: http.ServerResponse): void {
  try {
    if (path === '/v1/embeddings') {
      const request = dialect.parseEmbeddingsRequest(body);
      const data = request.input.map((text, index) => ({ index, embedding: [0.5, -0.25, text.length] }));
      const encoded = dialect.encodeEmbeddingsResponse({ model: request.model, data, usage: { inputTokens: 3 } }, request.encodingFormat);
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(encoded));
      return;
    }
    const request = (lastRequest = dialect.parseChatRequest(body));
    const { events, response: answer } = answerFor(request);
    if (!request.stream) {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(dialect.encodeChatResponse(answer)));
      return;
    }
    const encoder = dialect.createStreamEncoder({ id: 'chatcmpl-sdk', model: request.model, created: 1700000000, includeUsage: request.streamUsage === true });
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    for (const event of events) {
      response.write(encoder.encode(event));
      if (event.type === 'error') return void response.end();
    }
    response.end(encoder.end());
  } catch (error) {
    const gatewayError = toGatewayError(error);
    response.writeHead(gatewayError.status, { 'content-type': 'application/json' }).end(JSON.stringify(dialect.encodeError(gatewayError)));
  }
}

let server: http.Server;
let client: OpenAI;

before(async () => {
  server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => handle(request.url ?? '', JSON.parse(Buffer.concat(chunks).toString('utf8')), response));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  client = new OpenAI({ baseURL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, apiKey: 'sk-gw', maxRetries: 0 });
});

after(() => new Promise<void>((resolve) => server.close(() => resolve())));

const tools: OpenAI.ChatCompletionTool[] = [
  { type: 'function', function: { name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } },
];

test('SDK: non-streaming answer with a tool call and usage', async () => {
  const completion = await client.chat.completions.create({ model: 'fast', messages: [{ role: 'user', content: 'Weather in Bern?' }], tools });
  assert.equal(lastRequest?.tools?.[0]?.name, 'get_weather');
  assert.equal(completion.object, 'chat.completion');
  assert.equal(completion.choices[0]?.finish_reason, 'tool_calls');
  assert.equal(completion.choices[0]?.message.content, 'Let me check.');
  assert.deepEqual(completion.choices[0]?.message.tool_calls, [{ id: 'call_w1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Bern","unit":"c"}' } }]);
  assert.deepEqual(completion.usage, {
    prompt_tokens: 42, completion_tokens: 7, total_tokens: 49,
    prompt_tokens_details: { cached_tokens: 2 }, completion_tokens_details: { reasoning_tokens: 0 },
  });
});

test('SDK: streamed text with include_usage, iterated chunk by chunk', async () => {
  const stream = await client.chat.completions.create({ model: 'fast', messages: [{ role: 'user', content: 'hi' }], stream: true, stream_options: { include_usage: true } });
  let text = '';
  let finish: string | null | undefined;
  let usage: OpenAI.CompletionUsage | null | undefined;
  let models = new Set<string>();
  for await (const chunk of stream) {
    models.add(chunk.model);
    text += chunk.choices[0]?.delta.content ?? '';
    finish = chunk.choices[0]?.finish_reason ?? finish;
    usage = chunk.usage ?? usage;
  }
  assert.equal(text, 'Hello wörld 👋');
  assert.equal(finish, 'stop');
  assert.equal(usage?.total_tokens, 49);
  assert.deepEqual([...models], ['gpt-4.1-2025-04-14']);
});

test('SDK: the stream helper rebuilds a tool call from our deltas', async () => {
  const stream = client.chat.completions.stream({ model: 'fast', messages: [{ role: 'user', content: 'Weather?' }], tools, stream: true });
  const final = await stream.finalChatCompletion();
  assert.equal(final.choices[0]?.message.content, 'Let me check.');
  assert.equal(final.choices[0]?.finish_reason, 'tool_calls');
  assert.deepEqual(final.choices[0]?.message.tool_calls?.map((call) => call.type === 'function' && [call.id, call.function.name, call.function.arguments]), [
    ['call_w1', 'get_weather', '{"city":"Bern","unit":"c"}'],
  ]);
  assert.equal(lastRequest?.streamUsage, undefined, 'no usage asked, none sent');
});

test('SDK: the stream helper rebuilds n=2 choices', async () => {
  const final = await client.chat.completions.stream({ model: 'fast', messages: [{ role: 'user', content: 'hi' }], n: 2, stream: true }).finalChatCompletion();
  assert.deepEqual(final.choices.map((choice) => [choice.index, choice.message.content, choice.finish_reason]), [
    [0, 'Hello wörld 👋', 'stop'],
    [1, 'Hello wörld 👋', 'stop'],
  ]);
});

test('SDK: a mid-stream error event makes the SDK throw an APIError with our message', async () => {
  const stream = await client.chat.completions.create({ model: 'fast', messages: [{ role: 'user', content: 'fail' }], stream: true });
  let text = '';
  await assert.rejects(
    async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    },
    (error: unknown) => error instanceof OpenAI.APIError && error.message === 'claude: Overloaded' && error.code === 'upstream_overloaded',
  );
  assert.equal(text, 'Hello wörld 👋');
});

test('SDK: a 400 from parsing reaches the client as BadRequestError naming the field', async () => {
  await assert.rejects(
    client.chat.completions.create({ model: 'fast', messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: { data: 'AAAA', format: 'wav' } }] }] }),
    (error: unknown) => {
      assert.ok(error instanceof OpenAI.BadRequestError);
      assert.deepEqual([error.status, error.code, error.param, error.type], [400, 'unsupported_feature', 'messages[0].content[0].type', 'invalid_request_error']);
      assert.equal(error.message, '400 messages[0].content[0].type: "input_audio" content parts are not supported');
      return true;
    },
  );
});

test('SDK: embeddings in the SDK\'s default base64 encoding decode to our floats', async () => {
  const result = await client.embeddings.create({ model: 'embed', input: ['abc', 'de'] });
  assert.deepEqual(result.data.map((item) => [item.index, item.embedding]), [
    [0, [0.5, -0.25, 3]],
    [1, [0.5, -0.25, 2]],
  ]);
  const floats = await client.embeddings.create({ model: 'embed', input: 'x', encoding_format: 'float' });
  assert.deepEqual(floats.data[0]?.embedding, [0.5, -0.25, 1]);
  assert.equal(floats.usage.prompt_tokens, 3);
});
