import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseMessagesResponse } from './parse-messages-response.js';

const created = (value: { created: number }) => ({ ...value, created: 0 });

test('a message with thinking, text, tools and cache usage becomes the IR response', () => {
  const response = parseMessagesResponse(
    {
      id: 'msg_1',
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-5-20250929',
      content: [
        { type: 'thinking', thinking: 'hmm', signature: 'sig' },
        { type: 'redacted_thinking', data: 'opaque' },
        { type: 'text', text: 'Checking.', citations: null },
        { type: 'server_tool_use', id: 's', name: 'web_search', input: {} },
        { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
      ],
      stop_reason: 'tool_use',
      stop_sequence: null,
      usage: { input_tokens: 10, cache_creation_input_tokens: 5, cache_read_input_tokens: 100, output_tokens: 20, service_tier: 'standard' },
      container: null,
    },
    'claude-sonnet-4-5',
  );
  assert.deepEqual(created(response), {
    id: 'msg_1',
    model: 'claude-sonnet-4-5-20250929',
    created: 0,
    choices: [
      {
        index: 0,
        finishReason: 'tool_calls',
        content: [
          { type: 'reasoning', text: 'hmm', signature: 'sig' },
          { type: 'reasoning', text: '', redacted: 'opaque' },
          { type: 'text', text: 'Checking.' },
          { type: 'tool_call', id: 'toolu_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
        ],
      },
    ],
    usage: { inputTokens: 115, outputTokens: 20, cachedInputTokens: 100, cacheWriteInputTokens: 5 },
  });
});

test('the JSON answer tool becomes text and the turn finishes with stop', () => {
  const response = parseMessagesResponse(
    {
      content: [{ type: 'tool_use', id: 't', name: 'switchyard_json_response', input: { answer: 42 } }],
      stop_reason: 'tool_use',
      usage: { input_tokens: 3, output_tokens: 4 },
    },
    'claude-x',
  );
  assert.deepEqual(created(response), {
    id: '',
    model: 'claude-x',
    created: 0,
    choices: [{ index: 0, finishReason: 'stop', content: [{ type: 'text', text: '{"answer":42}' }] }],
    usage: { inputTokens: 3, outputTokens: 4 },
  });
});

test('stop sequences are kept; a body without content is an invalid response', () => {
  const response = parseMessagesResponse({ content: [{ type: 'text', text: 'a' }], stop_reason: 'stop_sequence', stop_sequence: '##' }, 'm');
  assert.equal(response.choices[0]!.stopSequence, '##');
  assert.equal(response.choices[0]!.finishReason, 'stop');
  assert.throws(() => parseMessagesResponse({ type: 'message' }, 'm'), { code: 'upstream_invalid_response' });
  assert.throws(() => parseMessagesResponse(null, 'm'), { code: 'upstream_invalid_response' });
});
