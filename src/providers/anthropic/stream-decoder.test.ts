import { assertDecodesAtEverySplit, decodeWhole as decodeWholeWith } from '../../../test/helpers/stream-decoding.js';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { createAnthropicStreamDecoder } from './stream-decoder.js';

const fixture = (name: string) => readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url));

/** Plain data for comparison: GatewayErrors become their code, status, retryable and message. */
const create = () => createAnthropicStreamDecoder('claude');
const decodeWhole = (wire: Uint8Array): unknown[] => decodeWholeWith(create, wire);
const assertEverySplit = (wire: Uint8Array, expected: unknown[]): void => assertDecodesAtEverySplit(create, wire, expected);

describe('anthropic stream decoder', () => {
  test('thinking, text with citations, two tool calls: exact events, at every split', () => {
    const wire = fixture('thinking-text-tools.sse');
    const expected = [
      { type: 'start', id: 'msg_01T1x1fJ34qAmk2tNTrN7Up6', model: 'claude-sonnet-4-5-20250929' },
      { type: 'reasoning', choice: 0, text: 'The user wants the weather in Paris ' },
      { type: 'reasoning', choice: 0, text: 'and the time in Zürich.' },
      { type: 'reasoning', choice: 0, text: '', signature: 'EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds' },
      { type: 'text', choice: 0, text: "I'll check both — " },
      { type: 'text', choice: 0, text: 'one moment ☀️.' },
      { type: 'tool_call_start', choice: 0, index: 0, id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6', name: 'get_weather' },
      { type: 'tool_call_delta', choice: 0, index: 0, arguments: '{"location": "Par' },
      { type: 'tool_call_delta', choice: 0, index: 0, arguments: 'is, France", "unit": "c' },
      { type: 'tool_call_delta', choice: 0, index: 0, arguments: 'elsius"}' },
      { type: 'tool_call_start', choice: 0, index: 1, id: 'toolu_01VH2q4sAhPzXGYBuGUyTw8b', name: 'get_time' },
      { type: 'tool_call_delta', choice: 0, index: 1, arguments: '{"timezone": "Europe/Zurich"}' },
      { type: 'finish', choice: 0, reason: 'tool_calls' },
      { type: 'usage', usage: { inputTokens: 2620, outputTokens: 189, cachedInputTokens: 2048, cacheWriteInputTokens: 100, reasoningTokens: 41 } },
    ];
    assert.deepEqual(decodeWhole(wire), expected);
    assertEverySplit(wire, expected);
  });

  test('redacted thinking and the JSON answer tool (streamed as text, finish stop), at every split', () => {
    const wire = fixture('json-tool-redacted.sse');
    const expected = [
      { type: 'start', id: 'msg_02', model: 'claude-3-5-haiku-20241022' },
      { type: 'reasoning', choice: 0, text: '', redacted: 'EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpPkNRj2YfWXGmKDxH4mPnZ5sQ7vB9URj2pLmN3kJGG' },
      { type: 'text', choice: 0, text: '{"answer": ' },
      { type: 'text', choice: 0, text: '42}' },
      { type: 'finish', choice: 0, reason: 'stop' },
      { type: 'usage', usage: { inputTokens: 25, outputTokens: 12 } },
    ];
    assert.deepEqual(decodeWhole(wire), expected);
    assertEverySplit(wire, expected);
  });

  const frame = (payload: Record<string, unknown>) => `event: ${String(payload.type)}\ndata: ${JSON.stringify(payload)}\n\n`;
  const start = frame({ type: 'message_start', message: { id: 'm', model: 'c', usage: { input_tokens: 7, output_tokens: 1 } } });

  test('stop reasons map to IR finish reasons', () => {
    const finishOf = (stopReason: string, stopSequence: string | null = null) =>
      decodeWhole(
        Buffer.from(
          start + frame({ type: 'message_delta', delta: { stop_reason: stopReason, stop_sequence: stopSequence }, usage: { output_tokens: 2 } }) + frame({ type: 'message_stop' }),
        ),
      )[1];
    assert.deepEqual(finishOf('end_turn'), { type: 'finish', choice: 0, reason: 'stop' });
    assert.deepEqual(finishOf('stop_sequence', '###'), { type: 'finish', choice: 0, reason: 'stop', stopSequence: '###' });
    assert.deepEqual(finishOf('max_tokens'), { type: 'finish', choice: 0, reason: 'length' });
    assert.deepEqual(finishOf('refusal'), { type: 'finish', choice: 0, reason: 'content_filter' });
    assert.deepEqual(finishOf('pause_turn'), { type: 'finish', choice: 0, reason: 'stop' });
    assert.deepEqual(finishOf('model_context_window_exceeded'), { type: 'finish', choice: 0, reason: 'length' });
  });

  test('an error event: usage so far, then the mapped error; nothing after', () => {
    const wire =
      start +
      frame({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }) +
      frame({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hel' } }) +
      frame({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }) +
      frame({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'lo' } });
    assert.deepEqual(decodeWhole(Buffer.from(wire)), [
      { type: 'start', id: 'm', model: 'c' },
      { type: 'text', choice: 0, text: 'Hel' },
      { type: 'usage', usage: { inputTokens: 7, outputTokens: 1 } },
      { type: 'error', code: 'upstream_overloaded', status: 503, retryable: true, message: 'claude: Overloaded' },
    ]);
  });

  test('a stream cut before message_stop ends with a retryable upstream_error', () => {
    const events = decodeWhole(Buffer.from(start + frame({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: 'Hi' } })));
    assert.deepEqual(events, [
      { type: 'start', id: 'm', model: 'c' },
      { type: 'text', choice: 0, text: 'Hi' },
      { type: 'usage', usage: { inputTokens: 7, outputTokens: 1 } },
      { type: 'error', code: 'upstream_error', status: 502, retryable: true, message: 'claude: stream ended before message_stop' },
    ]);
  });

  test('a tool_use whose input arrives whole in content_block_start, server tool blocks, unknown events', () => {
    const wire =
      start +
      frame({ type: 'content_block_start', index: 0, content_block: { type: 'server_tool_use', id: 's', name: 'web_search', input: {} } }) +
      frame({ type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '{"query":"x"}' } }) +
      frame({ type: 'content_block_stop', index: 0 }) +
      frame({ type: 'content_block_start', index: 1, content_block: { type: 'web_search_tool_result', tool_use_id: 's', content: [] } }) +
      frame({ type: 'content_block_stop', index: 1 }) +
      frame({ type: 'content_block_start', index: 2, content_block: { type: 'tool_use', id: 't', name: 'f', input: { a: 1 } } }) +
      frame({ type: 'content_block_stop', index: 2 }) +
      frame({ type: 'brand_new_event', anything: true }) +
      frame({ type: 'message_delta', delta: { stop_reason: 'tool_use' }, usage: { output_tokens: 4 } }) +
      frame({ type: 'message_stop' });
    assert.deepEqual(decodeWhole(Buffer.from(wire)), [
      { type: 'start', id: 'm', model: 'c' },
      { type: 'tool_call_start', choice: 0, index: 0, id: 't', name: 'f' },
      { type: 'tool_call_delta', choice: 0, index: 0, arguments: '{"a":1}' },
      { type: 'finish', choice: 0, reason: 'tool_calls' },
      { type: 'usage', usage: { inputTokens: 7, outputTokens: 4 } },
    ]);
  });

  test('data that is not JSON is an invalid upstream response', () => {
    const events = decodeWhole(Buffer.from(start + 'event: content_block_delta\ndata: {oops\n\n'));
    assert.deepEqual(events.at(-1), {
      type: 'error',
      code: 'upstream_invalid_response',
      status: 502,
      retryable: false,
      message: 'claude: stream event is not JSON',
    });
  });
});
