import { assertDecodesAtEverySplit, decodeWhole as decodeWholeWith, plainEvents } from '../../../test/helpers/stream-decoding.js';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { createGeminiStreamDecoder } from './stream-decoder.js';

const fixture = (name: string): Buffer => readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url));

/** Plain data for comparison: GatewayErrors reduced to what matters. */
const simplify = plainEvents;

function decodeWhole(wire: Buffer, model = 'gemini-2.5-flash'): unknown[] {
  return decodeWholeWith(() => createGeminiStreamDecoder(model, 'gemini'), wire);
}

/** Replays the wire whole, split at every byte offset and byte by byte; all must decode alike. */
function assertSplitInvariant(wire: Buffer, expected: unknown[]): void {
  assertDecodesAtEverySplit(() => createGeminiStreamDecoder('gemini-2.5-flash', 'gemini'), wire, expected);
}

describe('Gemini stream decoder', () => {
  test('thoughts and text stream as deltas; usage once at the end', () => {
    const wire = fixture('text-reasoning.sse');
    const expected = [
      { type: 'start', id: 'resp-text-1', model: 'gemini-2.5-flash' },
      { type: 'reasoning', choice: 0, text: '**Counting** letters' },
      { type: 'reasoning', choice: 0, text: ' one by one.' },
      { type: 'text', choice: 0, text: 'There are 3 “r”s' },
      { type: 'text', choice: 0, text: ' in strawberry — ✓.' },
      { type: 'finish', choice: 0, reason: 'stop' },
      { type: 'usage', usage: { inputTokens: 12, outputTokens: 49, cachedInputTokens: 4, reasoningTokens: 40 } },
    ];
    assert.deepEqual(decodeWhole(wire), expected);
    assertSplitInvariant(wire, expected);
  });

  test('function calls arrive whole: signature, start, one delta; STOP after calls is tool_calls', () => {
    const wire = fixture('tool-calls.sse');
    const expected = [
      { type: 'start', id: 'resp-tool-1', model: 'gemini-3-pro-preview' },
      { type: 'reasoning', choice: 0, text: '', signature: 'gemini:EqUCCqICAb4+9vsh8Pd5==' },
      { type: 'tool_call_start', choice: 0, index: 0, id: 'call_jBPuF3ojKWpEAAYUqbnzpdHA', name: 'get_weather' },
      { type: 'tool_call_delta', choice: 0, index: 0, arguments: '{"city":"Zürich","days":2}' },
      { type: 'tool_call_start', choice: 0, index: 1, id: 'call_fF4kMcH_8sXXC9wAN3hKoKb7', name: 'get_time' },
      { type: 'tool_call_delta', choice: 0, index: 1, arguments: '{}' },
      { type: 'finish', choice: 0, reason: 'tool_calls' },
      { type: 'usage', usage: { inputTokens: 29, outputTokens: 60, reasoningTokens: 45 } },
    ];
    assert.deepEqual(decodeWhole(wire), expected);
    assertSplitInvariant(wire, expected);
  });

  test('ids Gemini gives are kept', () => {
    const wire = Buffer.from(
      'data: {"candidates":[{"content":{"parts":[{"functionCall":{"id":"fc-77","name":"f","args":{"a":1}}}],"role":"model"},"finishReason":"STOP","index":0}]}\r\n\r\n',
    );
    assert.deepEqual(decodeWhole(wire).slice(1, 3), [
      { type: 'tool_call_start', choice: 0, index: 0, id: 'fc-77', name: 'f' },
      { type: 'tool_call_delta', choice: 0, index: 0, arguments: '{"a":1}' },
    ]);
  });

  test('an error payload mid-stream ends it with the mapped error', () => {
    const wire = fixture('error-midstream.sse');
    const expected = [
      { type: 'start', id: 'resp-text-1', model: 'gemini-2.5-flash' },
      { type: 'text', choice: 0, text: 'Partial' },
      {
        type: 'error',
        code: 'upstream_overloaded',
        status: 503,
        retryable: true,
        message: 'gemini: The model is overloaded. Please try again later.',
      },
    ];
    assert.deepEqual(decodeWhole(wire), expected);
    assertSplitInvariant(wire, expected);
  });

  test('a blocked prompt is a content_filtered error', () => {
    const wire = fixture('prompt-blocked.sse');
    const expected = [
      { type: 'start', id: 'resp-blocked', model: 'gemini-2.5-flash' },
      { type: 'error', code: 'content_filtered', status: 400, retryable: false, message: 'gemini: prompt blocked (PROHIBITED_CONTENT)' },
    ];
    assert.deepEqual(decodeWhole(wire), expected);
    assertSplitInvariant(wire, expected);
  });

  test('several candidates finish each on their own', () => {
    const wire = fixture('two-candidates.sse');
    const expected = [
      { type: 'start', id: 'resp-text-1', model: 'gemini-2.5-flash' },
      { type: 'text', choice: 0, text: 'A' },
      { type: 'text', choice: 1, text: 'B' },
      { type: 'text', choice: 0, text: 'a' },
      { type: 'finish', choice: 0, reason: 'length' },
      { type: 'text', choice: 1, text: 'b' },
      { type: 'finish', choice: 1, reason: 'content_filter' },
      { type: 'usage', usage: { inputTokens: 12, outputTokens: 4 } },
    ];
    assert.deepEqual(decodeWhole(wire), expected);
    assertSplitInvariant(wire, expected);
  });

  test('a body that ends before any finish reason is reported as truncated', () => {
    const wire = fixture('text-reasoning.sse');
    const cut = wire.subarray(0, wire.indexOf('data:', 10));
    assert.deepEqual(decodeWhole(cut), [
      { type: 'start', id: 'resp-text-1', model: 'gemini-2.5-flash' },
      { type: 'reasoning', choice: 0, text: '**Counting** letters' },
      { type: 'error', code: 'upstream_error', status: 502, retryable: true, message: 'gemini: stream ended before a finish reason' },
    ]);
  });

  test('the JSON-array stream form (no alt=sse) is not SSE: an error body read whole still maps', () => {
    const decoder = createGeminiStreamDecoder('gemini-2.5-flash', 'gemini');
    const events = [
      ...decoder.push(Buffer.from('data: [{"error":{"code":429,"message":"Quota exceeded","status":"RESOURCE_EXHAUSTED"}}]\n\n')),
      ...decoder.end(),
    ];
    assert.deepEqual(simplify(events), [{ type: 'error', code: 'upstream_rate_limited', status: 429, retryable: true, message: 'gemini: Quota exceeded' }]);
  });

  test('garbage in a data line is an invalid-response error, and nothing follows it', () => {
    const decoder = createGeminiStreamDecoder('gemini-2.5-flash', 'gemini');
    const events = [...decoder.push(Buffer.from('data: {not json\r\n\r\ndata: {"candidates":[]}\r\n\r\n')), ...decoder.end()];
    assert.deepEqual(simplify(events), [
      { type: 'error', code: 'upstream_invalid_response', status: 502, retryable: false, message: 'gemini: stream event is not JSON' },
    ]);
  });

  test('unknown part kinds and fields are ignored', () => {
    const wire = Buffer.from(
      'data: {"candidates":[{"content":{"parts":[{"executableCode":{"code":"1+1"}},{"text":"2","futureField":true}],"role":"model"},"finishReason":"STOP","index":0,"safetyRatings":[]}],"newTopLevel":1}\r\n\r\n',
    );
    assert.deepEqual(decodeWhole(wire), [
      { type: 'start', model: 'gemini-2.5-flash' },
      { type: 'text', choice: 0, text: '2' },
      { type: 'finish', choice: 0, reason: 'stop' },
    ]);
  });
});
