import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { StreamEvent } from '../../ir/stream.js';
import { GatewayError } from '../../errors/gateway-error.js';
import { createOpenAIStreamEncoder } from './stream-encoder.js';

const options = { id: 'chatcmpl-gw', model: 'fast', created: 1700000000, includeUsage: false };

function encodeAll(events: StreamEvent[], includeUsage = false): string {
  const encoder = createOpenAIStreamEncoder({ ...options, includeUsage });
  return events.map((event) => encoder.encode(event)).join('') + encoder.end();
}

const head = (model: string) => `{"id":"chatcmpl-gw","object":"chat.completion.chunk","created":1700000000,"model":"${model}","choices":`;
/** One chunk's exact wire text; with include_usage every chunk but the last carries `"usage":null`. */
const line = (model: string, choices: string, usage = false) => `data: ${head(model)}${choices}${usage ? ',"usage":null' : ''}}\n\n`;

test('text stream: role chunk, content deltas, finish, [DONE]; upstream model replaces the placeholder', () => {
  const wire = encodeAll([
    { type: 'start', id: 'upstream-id', model: 'gpt-4.1-2025-04-14' },
    { type: 'text', choice: 0, text: 'Hel' },
    { type: 'text', choice: 0, text: '' },
    { type: 'text', choice: 0, text: 'lo "x"' },
    { type: 'finish', choice: 0, reason: 'stop' },
    { type: 'usage', usage: { inputTokens: 3, outputTokens: 2 } },
  ]);
  const m = 'gpt-4.1-2025-04-14';
  assert.equal(
    wire,
    line(m, '[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}]') +
      line(m, '[{"index":0,"delta":{"content":"Hel"},"logprobs":null,"finish_reason":null}]') +
      line(m, '[{"index":0,"delta":{"content":"lo \\"x\\""},"logprobs":null,"finish_reason":null}]') +
      line(m, '[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}]') +
      'data: [DONE]\n\n',
  );
});

test('tool-call stream with include_usage: role rides on the first call, usage chunk has choices []', () => {
  const wire = encodeAll(
    [
      { type: 'tool_call_start', choice: 0, index: 0, id: 'call_1', name: 'weather' },
      { type: 'tool_call_delta', choice: 0, index: 0, arguments: '{"city":' },
      { type: 'tool_call_delta', choice: 0, index: 0, arguments: '"Bern"}' },
      { type: 'tool_call_start', choice: 0, index: 1, id: 'call_2', name: 'time' },
      { type: 'tool_call_delta', choice: 0, index: 1, arguments: '{}' },
      { type: 'usage', usage: { inputTokens: 50, outputTokens: 20, cachedInputTokens: 40, reasoningTokens: 5 } },
      { type: 'finish', choice: 0, reason: 'tool_calls' },
    ],
    true,
  );
  assert.equal(
    wire,
    line('fast', '[{"index":0,"delta":{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"weather","arguments":""}}],"refusal":null},"logprobs":null,"finish_reason":null}]', true) +
      line('fast', '[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\\"city\\":"}}]},"logprobs":null,"finish_reason":null}]', true) +
      line('fast', '[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\\"Bern\\"}"}}]},"logprobs":null,"finish_reason":null}]', true) +
      line('fast', '[{"index":0,"delta":{"tool_calls":[{"index":1,"id":"call_2","type":"function","function":{"name":"time","arguments":""}}]},"logprobs":null,"finish_reason":null}]', true) +
      line('fast', '[{"index":0,"delta":{"tool_calls":[{"index":1,"function":{"arguments":"{}"}}]},"logprobs":null,"finish_reason":null}]', true) +
      line('fast', '[{"index":0,"delta":{},"logprobs":null,"finish_reason":"tool_calls"}]', true) +
      `data: ${head('fast')}[],"usage":{"prompt_tokens":50,"completion_tokens":20,"total_tokens":70,"prompt_tokens_details":{"cached_tokens":40},"completion_tokens_details":{"reasoning_tokens":5}}}\n\n` +
      'data: [DONE]\n\n',
  );
});

test('reasoning deltas, two choices each opened once, and no usage chunk without include_usage', () => {
  const wire = encodeAll([
    { type: 'reasoning', choice: 0, text: 'hmm' },
    { type: 'reasoning', choice: 0, text: '', signature: 'sig' },
    { type: 'text', choice: 1, text: 'B' },
    { type: 'text', choice: 0, text: 'A' },
    { type: 'finish', choice: 0, reason: 'length' },
    { type: 'finish', choice: 1, reason: 'content_filter' },
    { type: 'usage', usage: { inputTokens: 1, outputTokens: 1 } },
  ]);
  const chunks = wire.split('\n\n').filter(Boolean).map((event) => event.slice('data: '.length));
  assert.equal(chunks.pop(), '[DONE]');
  assert.deepEqual(
    chunks.map((chunk) => JSON.parse(chunk).choices[0]).map(({ index, delta, finish_reason }) => [index, delta, finish_reason]),
    [
      [0, { role: 'assistant', content: '', refusal: null }, null],
      [0, { reasoning_content: 'hmm' }, null],
      [1, { role: 'assistant', content: '', refusal: null }, null],
      [1, { content: 'B' }, null],
      [0, { content: 'A' }, null],
      [0, {}, 'length'],
      [1, {}, 'content_filter'],
    ],
  );
});

test('an error mid-stream sends OpenAI\'s error object, then nothing more (no [DONE])', () => {
  const encoder = createOpenAIStreamEncoder({ ...options, includeUsage: true });
  let wire = encoder.encode({ type: 'text', choice: 0, text: 'Hi' });
  wire += encoder.error(new GatewayError('upstream_timeout', 'openai: stream stalled'));
  wire += encoder.encode({ type: 'text', choice: 0, text: 'late' }) + encoder.end() + encoder.error(new GatewayError('internal_error', 'x'));
  const events = wire.split('\n\n').filter(Boolean);
  assert.equal(events.length, 3);
  assert.equal(events[2], 'data: {"error":{"message":"openai: stream stalled","type":"timeout_error","param":null,"code":"upstream_timeout"}}');
});

test('an error event from the decoder is encoded the same way', () => {
  const encoder = createOpenAIStreamEncoder(options);
  const error = new GatewayError('context_length_exceeded', 'too long');
  assert.equal(
    encoder.encode({ type: 'error', error }),
    'data: {"error":{"message":"too long","type":"invalid_request_error","param":null,"code":"context_length_exceeded"}}\n\n',
  );
  assert.equal(encoder.end(), '');
});
