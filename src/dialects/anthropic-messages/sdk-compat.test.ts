/**
 * The official @anthropic-ai/sdk must parse what this dialect writes: a tiny node:http server
 * parses requests with the dialect and answers with its encoders, streaming and not.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { GatewayError } from '../../errors/gateway-error.js';
import type { ChatResponse } from '../../ir/chat.js';
import type { StreamEvent } from '../../ir/stream.js';
import { anthropicMessagesDialect } from './index.js';

const ARGS_A = '{"city":"Paris","unit":"c"}';
const ARGS_B = '{"q":"time in Paris"}';

const answer: ChatResponse = {
  id: 'msg_sdk',
  model: 'upstream-model',
  created: 1,
  choices: [
    {
      index: 0,
      finishReason: 'tool_calls',
      content: [
        { type: 'reasoning', text: 'thinking...', signature: 'sig' },
        { type: 'text', text: 'Checking both.' },
        { type: 'tool_call', id: 'toolu_a', name: 'get_weather', arguments: ARGS_A },
        { type: 'tool_call', id: 'toolu_b', name: 'search', arguments: ARGS_B },
      ],
    },
  ],
  usage: { inputTokens: 40, outputTokens: 15, cachedInputTokens: 10 },
};

function streamEvents(): StreamEvent[] {
  const events: StreamEvent[] = [
    { type: 'start', model: 'upstream-model' },
    { type: 'reasoning', choice: 0, text: 'thinking' },
    { type: 'reasoning', choice: 0, text: '...' },
    { type: 'reasoning', choice: 0, text: '', signature: 'sig' },
    { type: 'text', choice: 0, text: 'Checking ' },
    { type: 'text', choice: 0, text: 'both.' },
    { type: 'tool_call_start', choice: 0, index: 0, id: 'toolu_a', name: 'get_weather' },
  ];
  for (let i = 0; i < ARGS_A.length; i += 3) events.push({ type: 'tool_call_delta', choice: 0, index: 0, arguments: ARGS_A.slice(i, i + 3) });
  events.push({ type: 'tool_call_start', choice: 0, index: 1, id: 'toolu_b', name: 'search' });
  for (let i = 0; i < ARGS_B.length; i += 5) events.push({ type: 'tool_call_delta', choice: 0, index: 1, arguments: ARGS_B.slice(i, i + 5) });
  events.push({ type: 'finish', choice: 0, reason: 'tool_calls' }, { type: 'usage', usage: answer.usage! });
  return events;
}

let server: http.Server;
let client: Anthropic;

before(async () => {
  server = http.createServer((request, response) => {
    let raw = '';
    request.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
    request.on('end', () => {
      try {
        const parsed = anthropicMessagesDialect.parseChatRequest(JSON.parse(raw));
        const lastText = JSON.stringify(parsed.messages.at(-1));
        if (!parsed.stream) {
          if (lastText.includes('fail')) throw new GatewayError('upstream_rate_limited', 'slow down');
          response.writeHead(200, { 'content-type': 'application/json' });
          response.end(JSON.stringify(anthropicMessagesDialect.encodeChatResponse(answer)));
          return;
        }
        const encoder = anthropicMessagesDialect.createStreamEncoder({ id: 'msg_stream', model: parsed.model, includeUsage: false, created: 1 });
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        if (lastText.includes('fail')) {
          response.write(encoder.encode({ type: 'text', choice: 0, text: 'partial' }));
          response.end(encoder.error(new GatewayError('upstream_overloaded', 'claude: Overloaded')));
          return;
        }
        for (const event of streamEvents()) response.write(encoder.encode(event));
        response.end(encoder.end());
      } catch (error) {
        const failure = error instanceof GatewayError ? error : new GatewayError('internal_error', String(error));
        response.writeHead(failure.status, { 'content-type': 'application/json' });
        response.end(JSON.stringify(anthropicMessagesDialect.encodeError(failure)));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  client = new Anthropic({ apiKey: 'test', baseURL: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, maxRetries: 0 });
});

after(() => new Promise<void>((resolve) => server.close(() => resolve())));

const params = {
  model: 'smart',
  max_tokens: 256,
  messages: [{ role: 'user' as const, content: 'Weather and time in Paris?' }],
  tools: [
    { name: 'get_weather', input_schema: { type: 'object' as const, properties: { city: { type: 'string' } } } },
    { name: 'search', input_schema: { type: 'object' as const } },
  ],
};

const expectedContent = [
  { type: 'thinking', thinking: 'thinking...', signature: 'sig' },
  { type: 'text', text: 'Checking both.' },
  { type: 'tool_use', id: 'toolu_a', name: 'get_weather', input: JSON.parse(ARGS_A) },
  { type: 'tool_use', id: 'toolu_b', name: 'search', input: JSON.parse(ARGS_B) },
];

test('messages.create parses the encoded message', async () => {
  const message = await client.messages.create(params);
  assert.deepEqual(message.content, expectedContent);
  assert.equal(message.stop_reason, 'tool_use');
  assert.equal(message.model, 'upstream-model');
  assert.deepEqual(message.usage, { input_tokens: 30, cache_creation_input_tokens: 0, cache_read_input_tokens: 10, output_tokens: 15 });
});

test('messages.stream().finalMessage() rebuilds the same message from the encoded stream', async () => {
  const stream = client.messages.stream(params);
  let text = '';
  const jsonSnapshots: unknown[] = [];
  stream.on('text', (delta) => (text += delta));
  stream.on('inputJson', (_delta, snapshot) => jsonSnapshots.push(snapshot));
  const message = await stream.finalMessage();
  assert.equal(text, 'Checking both.');
  assert.deepEqual(JSON.parse(JSON.stringify(message.content)), expectedContent);
  assert.equal(message.id, 'msg_stream');
  assert.equal(message.model, 'upstream-model');
  assert.equal(message.stop_reason, 'tool_use');
  assert.equal(message.usage.output_tokens, 15);
  assert.equal(message.usage.input_tokens, 30);
  assert.equal(message.usage.cache_read_input_tokens, 10);
  assert.ok(jsonSnapshots.length > 0);
});

test('create with stream: true yields the raw event sequence', async () => {
  const stream = await client.messages.create({ ...params, stream: true });
  const types: string[] = [];
  for await (const event of stream) types.push(event.type === 'content_block_start' ? `start:${event.content_block.type}` : event.type);
  const compact = types.filter((type, index) => type !== 'content_block_delta' || types[index - 1] !== 'content_block_delta');
  assert.deepEqual(compact, [
    'message_start',
    'start:thinking', 'content_block_delta', 'content_block_stop',
    'start:text', 'content_block_delta', 'content_block_stop',
    'start:tool_use', 'content_block_delta', 'content_block_stop',
    'start:tool_use', 'content_block_delta', 'content_block_stop',
    'message_delta',
    'message_stop',
  ]);
});

test('error bodies and mid-stream error events surface as APIError with the Anthropic type', async () => {
  await assert.rejects(
    client.messages.create({ ...params, messages: [{ role: 'user', content: 'fail' }] }),
    (error: unknown) => error instanceof Anthropic.RateLimitError && error.status === 429 && /slow down/.test(error.message),
  );
  await assert.rejects(
    client.messages.stream({ ...params, messages: [{ role: 'user', content: 'fail' }] }).finalMessage(),
    (error: unknown) => error instanceof Anthropic.APIError && (error.error as { error?: { type?: string } })?.error?.type === 'overloaded_error',
  );
  await assert.rejects(
    client.messages.create({ ...params, max_tokens: undefined as unknown as number }),
    (error: unknown) => error instanceof Anthropic.BadRequestError && /max_tokens/.test(error.message),
  );
});
