import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GatewayError } from '../../errors/gateway-error.js';
import { JSON_RESPONSE_TOOL } from './convert-tools.js';
import { mapStopReason } from './map-stop-reason.js';
import { mapUsage } from './map-usage.js';
import { parseConverseResponse } from './parse-response.js';

const MODEL = 'anthropic.claude-3-5-haiku-20241022-v1:0';

test('text, reasoning and tool calls with usage (cache tokens added into input)', () => {
  const response = parseConverseResponse(
    {
      output: {
        message: {
          role: 'assistant',
          content: [
            { reasoningContent: { reasoningText: { text: 'Think.', signature: 'sig' } } },
            { reasoningContent: { redactedContent: 'cmVkYWN0ZWQ=' } },
            { text: 'Let me check.' },
            { toolUse: { toolUseId: 'tooluse_abc', name: 'get_weather', input: { city: 'Paris' } } },
            { citationsContent: { citations: [] } },
          ],
        },
      },
      stopReason: 'tool_use',
      usage: { inputTokens: 12, outputTokens: 30, totalTokens: 142, cacheReadInputTokens: 100, cacheWriteInputTokens: 0 },
      metrics: { latencyMs: 321 },
      unknownFutureField: true,
    },
    MODEL,
  );
  assert.match(response.id, /^bedrock-[0-9a-f-]{36}$/);
  assert.equal(response.model, MODEL);
  assert.equal(typeof response.created, 'number');
  assert.deepEqual(response.choices, [
    {
      index: 0,
      finishReason: 'tool_calls',
      content: [
        { type: 'reasoning', text: 'Think.', signature: 'sig' },
        { type: 'reasoning', text: '', redacted: 'cmVkYWN0ZWQ=' },
        { type: 'text', text: 'Let me check.' },
        { type: 'tool_call', id: 'tooluse_abc', name: 'get_weather', arguments: '{"city":"Paris"}' },
      ],
    },
  ]);
  assert.deepEqual(response.usage, { inputTokens: 112, outputTokens: 30, cachedInputTokens: 100, cacheWriteInputTokens: 0 });
});

test('the JSON-response tool call becomes the text answer with a normal stop', () => {
  const response = parseConverseResponse(
    {
      output: { message: { role: 'assistant', content: [{ toolUse: { toolUseId: 't', name: JSON_RESPONSE_TOOL, input: { answer: 42 } } }] } },
      stopReason: 'tool_use',
      usage: { inputTokens: 5, outputTokens: 6 },
    },
    MODEL,
  );
  assert.deepEqual(response.choices, [{ index: 0, finishReason: 'stop', content: [{ type: 'text', text: '{"answer":42}' }] }]);
});

test('stop sequence from additional model response fields', () => {
  const response = parseConverseResponse(
    { output: { message: { content: [{ text: 'a' }] } }, stopReason: 'stop_sequence', additionalModelResponseFields: { stop_sequence: 'END' } },
    MODEL,
  );
  assert.deepEqual(response.choices[0], { index: 0, finishReason: 'stop', stopSequence: 'END', content: [{ type: 'text', text: 'a' }] });
  assert.equal(response.usage, undefined);
});

test('a body that is not an object is an invalid upstream response', () => {
  assert.throws(() => parseConverseResponse('nope', MODEL), (error: unknown) => error instanceof GatewayError && error.code === 'upstream_invalid_response');
});

test('stop reasons map to IR finish reasons', () => {
  const table = {
    end_turn: 'stop',
    stop_sequence: 'stop',
    tool_use: 'tool_calls',
    max_tokens: 'length',
    model_context_window_exceeded: 'length',
    guardrail_intervened: 'content_filter',
    content_filtered: 'content_filter',
    malformed_tool_use: 'error',
    some_future_reason: 'stop',
  };
  for (const [stopReason, finish] of Object.entries(table)) assert.equal(mapStopReason(stopReason), finish, stopReason);
  assert.equal(mapStopReason(undefined), 'stop');
});

test('usage without cache fields stays plain; junk counts read as 0', () => {
  assert.deepEqual(mapUsage({ inputTokens: 3, outputTokens: 4, totalTokens: 7 }), { inputTokens: 3, outputTokens: 4 });
  assert.deepEqual(mapUsage({ inputTokens: 3, cacheWriteInputTokens: 10 }), { inputTokens: 13, outputTokens: 0, cacheWriteInputTokens: 10 });
  assert.equal(mapUsage(undefined), undefined);
});
