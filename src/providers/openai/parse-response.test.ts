import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GatewayError } from '../../errors/gateway-error.js';
import { parseChatCompletion } from './parse-response.js';

test('a chat.completion with tool calls, reasoning and cached usage', () => {
  const body = {
    id: 'chatcmpl-1',
    object: 'chat.completion',
    created: 1700000000,
    model: 'gpt-4.1-2025-04-14',
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: 'Let me check.',
          reasoning_content: 'think',
          tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Bern"}' } }],
          refusal: null,
          annotations: [],
        },
        logprobs: null,
        finish_reason: 'tool_calls',
      },
      { index: 1, message: { role: 'assistant', content: null, refusal: 'I cannot help.' }, finish_reason: 'stop' },
    ],
    usage: {
      prompt_tokens: 100,
      completion_tokens: 20,
      total_tokens: 120,
      prompt_tokens_details: { cached_tokens: 80 },
      completion_tokens_details: { reasoning_tokens: 5 },
    },
    system_fingerprint: 'fp',
    unknown_field: { ignored: true },
  };
  assert.deepEqual(parseChatCompletion(body, 'gpt-4.1', 'oa'), {
    id: 'chatcmpl-1',
    model: 'gpt-4.1-2025-04-14',
    created: 1700000000,
    choices: [
      {
        index: 0,
        content: [
          { type: 'reasoning', text: 'think' },
          { type: 'text', text: 'Let me check.' },
          { type: 'tool_call', id: 'call_1', name: 'weather', arguments: '{"city":"Bern"}' },
        ],
        finishReason: 'tool_calls',
      },
      { index: 1, content: [{ type: 'text', text: 'I cannot help.' }], finishReason: 'stop' },
    ],
    usage: { inputTokens: 100, outputTokens: 20, cachedInputTokens: 80, reasoningTokens: 5 },
  });
});

test('lenient: missing id/model/created/usage, text-part content, DeepSeek cache hits, unknown finish', () => {
  const parsed = parseChatCompletion(
    { choices: [{ message: { content: [{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }] }, finish_reason: 'eos' }], usage: { prompt_tokens: 3, completion_tokens: 1, prompt_cache_hit_tokens: 2 } },
    'llama-3',
    'local',
  );
  assert.equal(parsed.id, '');
  assert.equal(parsed.model, 'llama-3');
  assert.equal(typeof parsed.created, 'number');
  assert.deepEqual(parsed.choices, [{ index: 0, content: [{ type: 'text', text: 'ab' }], finishReason: 'stop' }]);
  assert.deepEqual(parsed.usage, { inputTokens: 3, outputTokens: 1, cachedInputTokens: 2 });
});

test('a 200 answer carrying an error object is an error, not an empty answer', () => {
  assert.throws(
    () => parseChatCompletion({ error: { message: 'model overloaded', type: 'server_error' } }, 'm', 'local'),
    (error: unknown) => error instanceof GatewayError && error.code === 'upstream_error' && error.message === 'local: model overloaded',
  );
});

test('a body without choices is an invalid response', () => {
  assert.throws(
    () => parseChatCompletion({ id: 'x' }, 'm', 'local'),
    (error: unknown) => error instanceof GatewayError && error.code === 'upstream_invalid_response',
  );
});
