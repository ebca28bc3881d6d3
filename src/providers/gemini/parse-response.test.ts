import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Message } from '../../ir/chat.js';
import type { StreamEvent } from '../../ir/stream.js';
import { GatewayError } from '../../errors/gateway-error.js';
import { toChatResponse } from './parse-response.js';
import { toGenerateContentRequest } from './build-request.js';
import { createGeminiStreamDecoder } from './stream-decoder.js';
import { synthesizeToolCallId } from './tool-call-ids.js';

const toolAnswer = {
  candidates: [
    {
      content: {
        parts: [
          { text: 'Let me check both.' },
          { functionCall: { name: 'get_weather', args: { city: 'Paris' } }, thoughtSignature: 'c2lnbmVk' },
          { functionCall: { name: 'get_weather', args: { city: 'Rome' } } },
        ],
        role: 'model',
      },
      finishReason: 'STOP',
      index: 0,
    },
  ],
  usageMetadata: { promptTokenCount: 40, candidatesTokenCount: 20, totalTokenCount: 60 },
  modelVersion: 'gemini-3-flash-preview',
  responseId: 'resp-1',
};

describe('non-streaming responses', () => {
  test('text, thoughts, usage and the model version', () => {
    const response = toChatResponse(
      {
        candidates: [
          {
            content: {
              parts: [
                { text: 'Thinking', thought: true },
                { text: ' harder.', thought: true },
                { text: 'The answer' },
                { text: ' is 4.' },
                { text: '', thoughtSignature: 'dGV4dA==' },
              ],
              role: 'model',
            },
            finishReason: 'MAX_TOKENS',
            index: 0,
            safetyRatings: [],
          },
        ],
        usageMetadata: { promptTokenCount: 10, candidatesTokenCount: 5, thoughtsTokenCount: 7, cachedContentTokenCount: 3, toolUsePromptTokenCount: 2 },
        modelVersion: 'gemini-2.5-pro',
        responseId: 'abc',
      },
      'gemini-2.5-pro',
      'gemini',
    );
    assert.equal(typeof response.created, 'number');
    assert.deepEqual({ ...response, created: 0 }, {
      id: 'abc',
      model: 'gemini-2.5-pro',
      created: 0,
      choices: [
        {
          index: 0,
          content: [
            { type: 'reasoning', text: 'Thinking harder.' },
            { type: 'text', text: 'The answer is 4.' },
          ],
          finishReason: 'length',
        },
      ],
      usage: { inputTokens: 12, outputTokens: 12, cachedInputTokens: 3, reasoningTokens: 7 },
    });
  });

  test('function calls get deterministic ids and their signature as a reasoning part before them', () => {
    const first = toChatResponse(structuredClone(toolAnswer), 'gemini-3-flash-preview', 'gemini');
    const second = toChatResponse(structuredClone(toolAnswer), 'gemini-3-flash-preview', 'gemini');
    const idA = synthesizeToolCallId({ promptTokens: 40, choice: 0, index: 0, name: 'get_weather', arguments: '{"city":"Paris"}' });
    const idB = synthesizeToolCallId({ promptTokens: 40, choice: 0, index: 1, name: 'get_weather', arguments: '{"city":"Rome"}' });
    assert.notEqual(idA, idB);
    assert.match(idA, /^call_[A-Za-z0-9_-]{24}$/);
    assert.deepEqual(first.choices, [
      {
        index: 0,
        content: [
          { type: 'text', text: 'Let me check both.' },
          { type: 'reasoning', text: '', signature: 'gemini:c2lnbmVk' },
          { type: 'tool_call', id: idA, name: 'get_weather', arguments: '{"city":"Paris"}' },
          { type: 'tool_call', id: idB, name: 'get_weather', arguments: '{"city":"Rome"}' },
        ],
        finishReason: 'tool_calls',
      },
    ]);
    assert.deepEqual(second.choices, first.choices, 'the same answer gets the same ids');
  });

  test('the same answer streamed gets the same ids as parsed whole', () => {
    const parsed = toChatResponse(structuredClone(toolAnswer), 'gemini-3-flash-preview', 'gemini');
    const decoder = createGeminiStreamDecoder('gemini-3-flash-preview', 'gemini');
    const events: StreamEvent[] = [...decoder.push(Buffer.from(`data: ${JSON.stringify(toolAnswer)}\r\n\r\n`)), ...decoder.end()];
    const streamedIds = events.flatMap((event) => (event.type === 'tool_call_start' ? [event.id] : []));
    const parsedIds = parsed.choices[0]!.content.flatMap((part) => (part.type === 'tool_call' ? [part.id] : []));
    assert.deepEqual(streamedIds, parsedIds);
  });

  test('a repeated call in a later turn (longer prompt) gets a new id', () => {
    const later = structuredClone(toolAnswer);
    later.usageMetadata.promptTokenCount = 90;
    const a = toChatResponse(structuredClone(toolAnswer), 'm', 'gemini').choices[0]!.content[2];
    const b = toChatResponse(later, 'm', 'gemini').choices[0]!.content[2];
    assert.equal(a?.type, 'tool_call');
    assert.notDeepEqual(a, b);
  });

  test('multi-turn round trip: synthesised ids map back to names, signature back onto its call', () => {
    const answer = toChatResponse(structuredClone(toolAnswer), 'gemini-3-flash-preview', 'gemini');
    const calls = answer.choices[0]!.content.filter((part) => part.type === 'tool_call');
    const conversation: Message[] = [
      { role: 'user', content: [{ type: 'text', text: 'Weather in Paris and Rome?' }] },
      { role: 'assistant', content: answer.choices[0]!.content },
      {
        role: 'tool',
        content: calls.map((call, index) => ({ type: 'tool_result' as const, toolCallId: call.id, content: [{ type: 'text' as const, text: `result ${index}` }] })),
      },
    ];
    const next = toGenerateContentRequest({ model: 'x', messages: conversation, stream: false }, 'gemini-3-flash-preview');
    assert.deepEqual(next.contents.slice(1), [
      {
        role: 'model',
        parts: [
          { text: 'Let me check both.' },
          { functionCall: { id: calls[0]!.id, name: 'get_weather', args: { city: 'Paris' } }, thoughtSignature: 'c2lnbmVk' },
          { functionCall: { id: calls[1]!.id, name: 'get_weather', args: { city: 'Rome' } } },
        ],
      },
      {
        role: 'user',
        parts: [
          { functionResponse: { id: calls[0]!.id, name: 'get_weather', response: { output: 'result 0' } } },
          { functionResponse: { id: calls[1]!.id, name: 'get_weather', response: { output: 'result 1' } } },
        ],
      },
    ]);
  });

  test('several candidates become several choices; safety stops are content_filter', () => {
    const response = toChatResponse(
      {
        candidates: [
          { content: { parts: [{ text: 'one' }], role: 'model' }, finishReason: 'STOP', index: 0 },
          { finishReason: 'SAFETY', index: 1 },
          { content: { parts: [{ functionCall: { name: 'f' } }] }, finishReason: 'MALFORMED_FUNCTION_CALL', index: 2 },
        ],
      },
      'gemini-2.5-flash',
      'gemini',
    );
    assert.equal(response.usage, undefined);
    assert.equal(response.model, 'gemini-2.5-flash');
    assert.match(response.id, /^gemini-/);
    assert.deepEqual(
      response.choices.map((choice) => [choice.index, choice.finishReason, choice.content.length]),
      [
        [0, 'stop', 1],
        [1, 'content_filter', 0],
        [2, 'error', 1],
      ],
    );
  });

  test('a blocked prompt throws content_filtered; no candidates at all is an invalid response', () => {
    assert.throws(
      () => toChatResponse({ promptFeedback: { blockReason: 'SAFETY', blockReasonMessage: 'unsafe' } }, 'm', 'gemini'),
      (error: unknown) => error instanceof GatewayError && error.code === 'content_filtered' && error.message === 'gemini: prompt blocked (SAFETY): unsafe',
    );
    assert.throws(
      () => toChatResponse({}, 'm', 'gemini'),
      (error: unknown) => error instanceof GatewayError && error.code === 'upstream_invalid_response',
    );
    assert.throws(
      () => toChatResponse('nope', 'm', 'gemini'),
      (error: unknown) => error instanceof GatewayError && error.code === 'upstream_invalid_response',
    );
  });
});
