import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GatewayError } from '../../errors/gateway-error.js';
import type { ChatResponse } from '../../ir/chat.js';
import { anthropicMessagesDialect, encodeCountTokensResponse } from './index.js';

const response = (overrides: Partial<ChatResponse['choices'][number]>, usage?: ChatResponse['usage']): ChatResponse => ({
  id: 'msg_1',
  model: 'gpt-4.1',
  created: 1,
  choices: [{ index: 0, content: [], finishReason: 'stop', ...overrides }],
  ...(usage && { usage }),
});

test('encodes text, thinking, redacted thinking and tool_use blocks with cache-aware usage', () => {
  const encoded = anthropicMessagesDialect.encodeChatResponse(
    response(
      {
        content: [
          { type: 'reasoning', text: 'let me think', signature: 'sig' },
          { type: 'reasoning', text: '', redacted: 'opaque' },
          { type: 'text', text: 'Checking.' },
          { type: 'text', text: '' },
          { type: 'tool_call', id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
          { type: 'tool_call', id: 'call_2', name: 'now', arguments: '' },
        ],
        finishReason: 'tool_calls',
      },
      { inputTokens: 100, outputTokens: 20, cachedInputTokens: 30, cacheWriteInputTokens: 10 },
    ),
  );
  assert.deepEqual(encoded, {
    id: 'msg_1',
    type: 'message',
    role: 'assistant',
    model: 'gpt-4.1',
    content: [
      { type: 'thinking', thinking: 'let me think', signature: 'sig' },
      { type: 'redacted_thinking', data: 'opaque' },
      { type: 'text', text: 'Checking.' },
      { type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Paris' } },
      { type: 'tool_use', id: 'call_2', name: 'now', input: {} },
    ],
    stop_reason: 'tool_use',
    stop_sequence: null,
    usage: { input_tokens: 60, cache_creation_input_tokens: 10, cache_read_input_tokens: 30, output_tokens: 20 },
  });
});

test('tool arguments that are not a JSON object are kept under _raw_arguments', () => {
  const encoded = anthropicMessagesDialect.encodeChatResponse(
    response({ content: [{ type: 'tool_call', id: 'c', name: 'f', arguments: '{"city": "Par' }], finishReason: 'tool_calls' }),
  ) as { content: unknown[] };
  assert.deepEqual(encoded.content, [{ type: 'tool_use', id: 'c', name: 'f', input: { _raw_arguments: '{"city": "Par' } }]);
  const array = anthropicMessagesDialect.encodeChatResponse(
    response({ content: [{ type: 'tool_call', id: 'c', name: 'f', arguments: '[1]' }] }),
  ) as { content: unknown[] };
  assert.deepEqual(array.content, [{ type: 'tool_use', id: 'c', name: 'f', input: { _raw_arguments: '[1]' } }]);
});

test('stop reasons and stop sequences', () => {
  const stopOf = (choice: Partial<ChatResponse['choices'][number]>) => {
    const encoded = anthropicMessagesDialect.encodeChatResponse(response(choice)) as { stop_reason: string; stop_sequence: string | null };
    return [encoded.stop_reason, encoded.stop_sequence];
  };
  assert.deepEqual(stopOf({ finishReason: 'stop' }), ['end_turn', null]);
  assert.deepEqual(stopOf({ finishReason: 'stop', stopSequence: 'END' }), ['stop_sequence', 'END']);
  assert.deepEqual(stopOf({ finishReason: 'length' }), ['max_tokens', null]);
  assert.deepEqual(stopOf({ finishReason: 'tool_calls' }), ['tool_use', null]);
  assert.deepEqual(stopOf({ finishReason: 'content_filter' }), ['refusal', null]);
  assert.deepEqual(stopOf({ finishReason: 'error' }), ['end_turn', null]);
});

test('missing usage encodes as zeros', () => {
  const encoded = anthropicMessagesDialect.encodeChatResponse(response({ content: [{ type: 'text', text: 'x' }] })) as { usage: unknown };
  assert.deepEqual(encoded.usage, { input_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 0 });
});

test('errors and token counts', () => {
  const overloaded = new GatewayError('upstream_overloaded', 'claude: Overloaded');
  assert.deepEqual(anthropicMessagesDialect.encodeError(overloaded), { type: 'error', error: { type: 'overloaded_error', message: 'claude: Overloaded' } });
  const invalid = new GatewayError('invalid_request', 'max_tokens: field required', { param: 'max_tokens' });
  assert.deepEqual(anthropicMessagesDialect.encodeError(invalid), {
    type: 'error',
    error: { type: 'invalid_request_error', message: 'max_tokens: field required' },
  });
  assert.deepEqual(encodeCountTokensResponse(42), { input_tokens: 42 });
});
