import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GatewayError } from '../../errors/gateway-error.js';
import { encodeChatResponse } from './encode-response.js';
import { encodeError } from './encode-error.js';

test('an answer with text, reasoning, tool calls and full usage', () => {
  const encoded = encodeChatResponse({
    id: 'chatcmpl-gw1',
    model: 'claude-sonnet-4-5',
    created: 1700000000,
    choices: [
      {
        index: 0,
        content: [
          { type: 'reasoning', text: 'Think ', signature: 's' },
          { type: 'reasoning', text: 'more.' },
          { type: 'text', text: 'Checking ' },
          { type: 'text', text: 'now.' },
          { type: 'tool_call', id: 'toolu_1', name: 'weather', arguments: '{"city":"Bern"}' },
        ],
        finishReason: 'tool_calls',
      },
    ],
    usage: { inputTokens: 100, outputTokens: 30, cachedInputTokens: 60, cacheWriteInputTokens: 10, reasoningTokens: 12 },
  });
  assert.deepEqual(encoded, {
    id: 'chatcmpl-gw1',
    object: 'chat.completion',
    created: 1700000000,
    model: 'claude-sonnet-4-5',
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: 'Checking now.',
          reasoning_content: 'Think more.',
          tool_calls: [{ id: 'toolu_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Bern"}' } }],
          refusal: null,
        },
        finish_reason: 'tool_calls',
        logprobs: null,
      },
    ],
    usage: {
      prompt_tokens: 100,
      completion_tokens: 30,
      total_tokens: 130,
      prompt_tokens_details: { cached_tokens: 60 },
      completion_tokens_details: { reasoning_tokens: 12 },
    },
  });
});

test('content is null only for tool-call-only answers, "" for empty ones; error finish becomes stop', () => {
  const encoded = encodeChatResponse({
    id: 'x',
    model: 'm',
    created: 1,
    choices: [
      { index: 0, content: [{ type: 'tool_call', id: 'c', name: 'f', arguments: '{}' }], finishReason: 'tool_calls' },
      { index: 1, content: [], finishReason: 'error' },
    ],
  });
  assert.equal(encoded.choices[0]?.message.content, null);
  assert.deepEqual(encoded.choices[1], { index: 1, message: { role: 'assistant', content: '', refusal: null }, finish_reason: 'stop', logprobs: null });
  assert.equal('usage' in encoded, false);
});

test('errors use OpenAI\'s shape with the gateway code', () => {
  assert.deepEqual(encodeError(new GatewayError('invalid_request', 'messages: must not be empty', { param: 'messages' })), {
    error: { message: 'messages: must not be empty', type: 'invalid_request_error', param: 'messages', code: 'invalid_request' },
  });
  assert.deepEqual(encodeError(new GatewayError('upstream_rate_limited', 'openai: slow down')), {
    error: { message: 'openai: slow down', type: 'rate_limit_error', param: null, code: 'upstream_rate_limited' },
  });
});
