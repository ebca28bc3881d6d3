import { assertDecodesAtEverySplit, decodeWhole as decodeWholeWith } from '../../../test/helpers/stream-decoding.js';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { StreamEvent } from '../../ir/stream.js';
import { createOpenAIStreamDecoder } from './stream-decoder.js';

const fixture = (name: string): Buffer => readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url));

/** Events with errors flattened to comparable data. */
function plain(events: StreamEvent[]): unknown[] {
  return events.map((event) =>
    event.type === 'error' ? { type: 'error', code: event.error.code, message: event.error.message, status: event.error.status } : event,
  );
}

const create = () => createOpenAIStreamDecoder('up');
function decodeWhole(wire: Uint8Array | string): unknown[] {
  return decodeWholeWith(create, Buffer.from(wire), plain);
}

/** Asserts the decoder gives `expected` whether the body arrives whole, split at any byte, or byte by byte. */
function assertEverySplit(wire: Buffer, expected: unknown[]): void {
  assertDecodesAtEverySplit(create, wire, expected, plain);
}

test('OpenAI parallel tool calls with usage decode identically at every split', () => {
  assertEverySplit(fixture('openai-tool-calls.chunks.txt'), [
    { type: 'start', id: 'chatcmpl-BwKq3x', model: 'gpt-4.1-2025-04-14' },
    { type: 'tool_call_start', choice: 0, index: 0, id: 'call_Jx1', name: 'get_weather' },
    { type: 'tool_call_delta', choice: 0, index: 0, arguments: '{"ci' },
    { type: 'tool_call_delta', choice: 0, index: 0, arguments: 'ty": "Zürich"}' },
    { type: 'tool_call_start', choice: 0, index: 1, id: 'call_Jx2', name: 'get_time' },
    { type: 'tool_call_delta', choice: 0, index: 1, arguments: '{"tz": "CET"}' },
    { type: 'finish', choice: 0, reason: 'tool_calls' },
    { type: 'usage', usage: { inputTokens: 82, outputTokens: 41, cachedInputTokens: 64 } },
  ]);
});

test('Azure stream with filter-results opener, two choices and CRLF framing', () => {
  assertEverySplit(fixture('azure-two-choices.chunks.txt'), [
    { type: 'start', id: 'chatcmpl-AzR1', model: 'gpt-4o-2024-11-20' },
    { type: 'text', choice: 0, text: 'Grüezi' },
    { type: 'text', choice: 1, text: 'Hallo 👋' },
    { type: 'finish', choice: 0, reason: 'stop' },
    { type: 'finish', choice: 1, reason: 'content_filter' },
    { type: 'usage', usage: { inputTokens: 12, outputTokens: 6 } },
  ]);
});

test('DeepSeek reasoning_content deltas, usage on the finish chunk', () => {
  assertEverySplit(fixture('deepseek-reasoning.chunks.txt'), [
    { type: 'start', id: '5f0e2a1c-7b', model: 'deepseek-reasoner' },
    { type: 'reasoning', choice: 0, text: '9.11 vs 9.9: ' },
    { type: 'reasoning', choice: 0, text: 'compare tenths.' },
    { type: 'text', choice: 0, text: '9.9 is larger.' },
    { type: 'finish', choice: 0, reason: 'stop' },
    { type: 'usage', usage: { inputTokens: 15, outputTokens: 30, reasoningTokens: 22 } },
  ]);
});

const line = (value: unknown): string => `data: ${JSON.stringify(value)}\n\n`;
const delta = (value: Record<string, unknown>, finish: string | null = null, index = 0): string =>
  line({ id: 'c1', model: 'm', choices: [{ index, delta: value, finish_reason: finish }] });

test('OpenRouter `reasoning` deltas count as reasoning', () => {
  assert.deepEqual(decodeWhole(delta({ reasoning: 'hmm' }) + delta({}, 'stop') + 'data: [DONE]\n\n'), [
    { type: 'start', id: 'c1', model: 'm' },
    { type: 'reasoning', choice: 0, text: 'hmm' },
    { type: 'finish', choice: 0, reason: 'stop' },
  ]);
});

test('an in-stream error object becomes an error event and ends decoding', () => {
  const error = { error: { message: 'The server had an error', type: 'server_error', param: null, code: null } };
  const events = decodeWhole(delta({ content: 'Hi' }) + line(error) + delta({ content: 'ignored' }));
  assert.deepEqual(events, [
    { type: 'start', id: 'c1', model: 'm' },
    { type: 'text', choice: 0, text: 'Hi' },
    { type: 'error', code: 'upstream_error', message: 'up: The server had an error', status: 502 },
  ]);
});

test('an in-stream context-length error keeps its code', () => {
  const error = { error: { message: 'too long', type: 'invalid_request_error', param: 'messages', code: 'context_length_exceeded' } };
  assert.deepEqual(decodeWhole(line(error)), [
    { type: 'error', code: 'context_length_exceeded', message: 'up: too long', status: 400 },
  ]);
});

test('a stream cut before any finish and [DONE] ends with an error event', () => {
  assert.deepEqual(decodeWhole(delta({ content: 'Hel' })), [
    { type: 'start', id: 'c1', model: 'm' },
    { type: 'text', choice: 0, text: 'Hel' },
    { type: 'error', code: 'upstream_error', message: 'up: stream ended before the answer was complete', status: 502 },
  ]);
});

test('a finished stream without [DONE] is complete and still reports usage', () => {
  const usage = line({ id: 'c1', choices: [], usage: { prompt_tokens: 3, completion_tokens: 2 } });
  assert.deepEqual(decodeWhole(delta({ content: 'ok' }, 'length') + usage), [
    { type: 'start', id: 'c1', model: 'm' },
    { type: 'text', choice: 0, text: 'ok' },
    { type: 'finish', choice: 0, reason: 'length' },
    { type: 'usage', usage: { inputTokens: 3, outputTokens: 2 } },
  ]);
});

test('empty data lines and comments are keep-alives', () => {
  assert.deepEqual(decodeWhole('data:\n\n: OPENROUTER PROCESSING\n\n' + delta({ content: 'x' }, 'stop') + 'data: [DONE]\n\n'), [
    { type: 'start', id: 'c1', model: 'm' },
    { type: 'text', choice: 0, text: 'x' },
    { type: 'finish', choice: 0, reason: 'stop' },
  ]);
});

test('a non-JSON data line is an invalid-response error', () => {
  assert.deepEqual(decodeWhole('data: {oops\n\n'), [
    { type: 'error', code: 'upstream_invalid_response', message: 'up: stream event is not JSON: {oops', status: 502 },
  ]);
});

test('tool calls whose name arrives after arguments, and servers that number every call 0', () => {
  const wire =
    delta({ tool_calls: [{ index: 0, id: 'a', function: { arguments: '{"x"' } }] }) +
    delta({ tool_calls: [{ index: 0, function: { name: 'f', arguments: ':1}' } }] }) +
    delta({ tool_calls: [{ index: 0, id: 'b', function: { name: 'g', arguments: '{}' } }] }) +
    delta({ tool_calls: [{ function: { name: 'h', arguments: '' } }] }, 'tool_calls') +
    'data: [DONE]\n\n';
  assert.deepEqual(decodeWhole(wire), [
    { type: 'start', id: 'c1', model: 'm' },
    { type: 'tool_call_start', choice: 0, index: 0, id: 'a', name: 'f' },
    { type: 'tool_call_delta', choice: 0, index: 0, arguments: '{"x":1}' },
    { type: 'tool_call_start', choice: 0, index: 1, id: 'b', name: 'g' },
    { type: 'tool_call_delta', choice: 0, index: 1, arguments: '{}' },
    // No index and no id: the position in the array (0) names the call at index 0 ("b"), continuing it.
    { type: 'finish', choice: 0, reason: 'tool_calls' },
  ]);
});

test('a call that never gets a name still starts before its finish', () => {
  const wire = delta({ tool_calls: [{ index: 0, id: 'a', function: { arguments: '{}' } }] }) + delta({}, 'tool_calls');
  assert.deepEqual(decodeWhole(wire).slice(1), [
    { type: 'tool_call_start', choice: 0, index: 0, id: 'a', name: '' },
    { type: 'tool_call_delta', choice: 0, index: 0, arguments: '{}' },
    { type: 'finish', choice: 0, reason: 'tool_calls' },
  ]);
});

test('Groq x_groq.usage is read when no standard usage is sent', () => {
  const wire = delta({ content: 'a' }, 'stop') + line({ id: 'c1', choices: [], x_groq: { usage: { prompt_tokens: 1, completion_tokens: 1 } } }) + 'data: [DONE]\n\n';
  assert.deepEqual(decodeWhole(wire).at(-1), { type: 'usage', usage: { inputTokens: 1, outputTokens: 1 } });
});
