import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GatewayError } from '../../errors/gateway-error.js';
import type { StreamEvent } from '../../ir/stream.js';
import { anthropicMessagesDialect } from './index.js';

const options = { id: 'msg_gw1', model: 'smart', includeUsage: false, created: 1 };

function run(events: StreamEvent[], finish: 'end' | GatewayError = 'end'): string {
  const encoder = anthropicMessagesDialect.createStreamEncoder(options);
  let out = events.map((event) => encoder.encode(event)).join('');
  out += finish === 'end' ? encoder.end() : encoder.error(finish);
  return out;
}

const frame = (type: string, payload: Record<string, unknown>) => `event: ${type}\ndata: ${JSON.stringify({ type, ...payload })}\n\n`;
const delta = (index: number, payload: Record<string, unknown>) => frame('content_block_delta', { index, delta: payload });
const messageStart = (model: string, usage = { input_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 0 }) =>
  frame('message_start', {
    message: { id: 'msg_gw1', type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage },
  });

test('text then two tool calls with argument deltas: exact event sequence', () => {
  const wire = run([
    { type: 'start', id: 'chatcmpl-1', model: 'gpt-4.1' },
    { type: 'text', choice: 0, text: 'Let me ' },
    { type: 'text', choice: 0, text: 'check.' },
    { type: 'tool_call_start', choice: 0, index: 0, id: 'call_a', name: 'get_weather' },
    { type: 'tool_call_delta', choice: 0, index: 0, arguments: '{"city":' },
    { type: 'tool_call_delta', choice: 0, index: 0, arguments: ' "Par' },
    { type: 'tool_call_delta', choice: 0, index: 0, arguments: 'is"}' },
    { type: 'tool_call_start', choice: 0, index: 1, id: 'call_b', name: 'get_time' },
    { type: 'tool_call_delta', choice: 0, index: 1, arguments: '{"tz":"CET"}' },
    { type: 'finish', choice: 0, reason: 'tool_calls' },
    { type: 'usage', usage: { inputTokens: 50, outputTokens: 12, cachedInputTokens: 20 } },
  ]);
  const expected =
    messageStart('gpt-4.1') +
    frame('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }) +
    delta(0, { type: 'text_delta', text: 'Let me ' }) +
    delta(0, { type: 'text_delta', text: 'check.' }) +
    frame('content_block_stop', { index: 0 }) +
    frame('content_block_start', { index: 1, content_block: { type: 'tool_use', id: 'call_a', name: 'get_weather', input: {} } }) +
    delta(1, { type: 'input_json_delta', partial_json: '{"city":' }) +
    delta(1, { type: 'input_json_delta', partial_json: ' "Par' }) +
    delta(1, { type: 'input_json_delta', partial_json: 'is"}' }) +
    frame('content_block_stop', { index: 1 }) +
    frame('content_block_start', { index: 2, content_block: { type: 'tool_use', id: 'call_b', name: 'get_time', input: {} } }) +
    delta(2, { type: 'input_json_delta', partial_json: '{"tz":"CET"}' }) +
    frame('content_block_stop', { index: 2 }) +
    frame('message_delta', {
      delta: { stop_reason: 'tool_use', stop_sequence: null },
      usage: { input_tokens: 30, cache_creation_input_tokens: 0, cache_read_input_tokens: 20, output_tokens: 12 },
    }) +
    frame('message_stop', {});
  assert.equal(wire, expected);
});

test('thinking with signature, redacted thinking, then text', () => {
  const wire = run([
    { type: 'usage', usage: { inputTokens: 9, outputTokens: 0 } },
    { type: 'reasoning', choice: 0, text: 'Hmm' },
    { type: 'reasoning', choice: 0, text: '', signature: 'sig==' },
    { type: 'reasoning', choice: 0, text: '', redacted: 'blob' },
    { type: 'text', choice: 0, text: 'Done' },
    { type: 'finish', choice: 0, reason: 'stop', stopSequence: 'STOP' },
  ]);
  const expected =
    messageStart('smart', { input_tokens: 9, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 0 }) +
    frame('content_block_start', { index: 0, content_block: { type: 'thinking', thinking: '', signature: '' } }) +
    delta(0, { type: 'thinking_delta', thinking: 'Hmm' }) +
    delta(0, { type: 'signature_delta', signature: 'sig==' }) +
    frame('content_block_stop', { index: 0 }) +
    frame('content_block_start', { index: 1, content_block: { type: 'redacted_thinking', data: 'blob' } }) +
    frame('content_block_stop', { index: 1 }) +
    frame('content_block_start', { index: 2, content_block: { type: 'text', text: '' } }) +
    delta(2, { type: 'text_delta', text: 'Done' }) +
    frame('content_block_stop', { index: 2 }) +
    frame('message_delta', {
      delta: { stop_reason: 'stop_sequence', stop_sequence: 'STOP' },
      usage: { input_tokens: 9, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 0 },
    }) +
    frame('message_stop', {});
  assert.equal(wire, expected);
});

test('message_start goes out with the start event, before any content', () => {
  const encoder = anthropicMessagesDialect.createStreamEncoder(options);
  assert.equal(encoder.encode({ type: 'start', model: 'gpt-4.1' }), messageStart('gpt-4.1'));
  assert.equal(encoder.encode({ type: 'start', model: 'other' }), '');
});

test('an empty stream still gives a complete message; unknown usage reports output_tokens 0', () => {
  const wire = run([]);
  assert.equal(
    wire,
    messageStart('smart') +
      frame('message_delta', { delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 0 } }) +
      frame('message_stop', {}),
  );
});

test('a late delta for an earlier tool call keeps that call’s block index', () => {
  const wire = run([
    { type: 'tool_call_start', choice: 0, index: 0, id: 'a', name: 'f' },
    { type: 'tool_call_start', choice: 0, index: 1, id: 'b', name: 'g' },
    { type: 'tool_call_delta', choice: 0, index: 0, arguments: '{}' },
    { type: 'tool_call_delta', choice: 0, index: 1, arguments: '{"x":1}' },
  ]);
  assert.ok(wire.includes(delta(0, { type: 'input_json_delta', partial_json: '{}' })));
  assert.ok(wire.includes(delta(1, { type: 'input_json_delta', partial_json: '{"x":1}' })));
  assert.ok(wire.includes('"stop_reason":"tool_use"'), 'tool calls without a finish event still end with tool_use');
});

test('an error mid-stream ends with an Anthropic error event and nothing after it', () => {
  const encoder = anthropicMessagesDialect.createStreamEncoder(options);
  const text = encoder.encode({ type: 'text', choice: 0, text: 'Hi' });
  const failure = encoder.error(new GatewayError('upstream_overloaded', 'claude: Overloaded'));
  assert.equal(
    text + failure,
    messageStart('smart') +
      frame('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }) +
      delta(0, { type: 'text_delta', text: 'Hi' }) +
      frame('error', { error: { type: 'overloaded_error', message: 'claude: Overloaded' } }),
  );
  assert.equal(encoder.end(), '');
  assert.equal(encoder.encode({ type: 'text', choice: 0, text: 'more' }), '');
  const viaEvent = anthropicMessagesDialect.createStreamEncoder(options);
  assert.equal(
    viaEvent.encode({ type: 'error', error: new GatewayError('upstream_timeout', 'slow') }),
    frame('error', { error: { type: 'timeout_error', message: 'slow' } }),
  );
});

test('events for other choices are ignored', () => {
  const wire = run([
    { type: 'text', choice: 1, text: 'other' },
    { type: 'text', choice: 0, text: 'mine' },
  ]);
  assert.ok(!wire.includes('other'));
  assert.ok(wire.includes('mine'));
});
