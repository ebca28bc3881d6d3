import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { StreamEvent } from '../../ir/stream.js';
import { encodeEventStreamMessage } from '../../protocol/aws-eventstream.js';
import { JSON_RESPONSE_TOOL } from './convert-tools.js';
import { createConverseStreamDecoder } from './stream-decoder.js';

const MODEL = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';

/**
 * Turns a fixture (one `{"<eventType>": payload}` per line, `!exception:<type>` for exception
 * frames) into the binary body bedrock-runtime sends.
 */
function wireFrom(lines: string[]): Buffer {
  return Buffer.concat(
    lines.map((line) => {
      const [[key, payload]] = Object.entries(JSON.parse(line) as Record<string, unknown>) as [[string, unknown]];
      const body = JSON.stringify(payload);
      if (key.startsWith('!exception:')) {
        return encodeEventStreamMessage({ ':exception-type': key.slice(11), ':content-type': 'application/json', ':message-type': 'exception' }, body);
      }
      return encodeEventStreamMessage({ ':event-type': key, ':content-type': 'application/json', ':message-type': 'event' }, body);
    }),
  );
}

const fixture = (name: string) =>
  wireFrom(readFileSync(new URL(`./__fixtures__/${name}.jsonl`, import.meta.url), 'utf8').split('\n').filter((line) => line.trim() !== ''));

/** Error events compared by code, status and message rather than identity. */
function comparable(events: StreamEvent[]): unknown[] {
  return events.map((event) =>
    event.type === 'error' ? { type: 'error', code: event.error.code, upstreamStatus: event.error.upstreamStatus, message: event.error.message } : event,
  );
}

function decodeAll(wire: Buffer, cuts: number[] = []): unknown[] {
  const decoder = createConverseStreamDecoder('aws', MODEL);
  const events: StreamEvent[] = [];
  let from = 0;
  for (const cut of [...cuts, wire.length]) {
    events.push(...decoder.push(wire.subarray(from, cut)));
    from = cut;
  }
  events.push(...decoder.end());
  return comparable(events);
}

test('reasoning, text and two tool calls decode to the exact event sequence', () => {
  assert.deepEqual(decodeAll(fixture('converse-stream-reasoning-text-tools')), [
    { type: 'start', model: MODEL },
    { type: 'reasoning', choice: 0, text: 'The user wants ' },
    { type: 'reasoning', choice: 0, text: 'the weather.' },
    { type: 'reasoning', choice: 0, text: '', signature: 'EqQBCkYIBxgCKkB1c2lnbmF0dXJl' },
    { type: 'text', choice: 0, text: 'Let me check ' },
    { type: 'text', choice: 0, text: '— ☀️ soon.' },
    { type: 'tool_call_start', choice: 0, index: 0, id: 'tooluse_kZJMlvQmRJ6eAyJE5GIl7Q', name: 'get_weather' },
    { type: 'tool_call_delta', choice: 0, index: 0, arguments: '{"city": "Pa' },
    { type: 'tool_call_delta', choice: 0, index: 0, arguments: 'ris"}' },
    { type: 'tool_call_start', choice: 0, index: 1, id: 'tooluse_2', name: 'get_time' },
    { type: 'tool_call_delta', choice: 0, index: 1, arguments: '{}' },
    { type: 'finish', choice: 0, reason: 'tool_calls' },
    { type: 'usage', usage: { inputTokens: 2420, outputTokens: 96, cachedInputTokens: 2000, cacheWriteInputTokens: 0 } },
  ]);
});

test('the same events whatever byte offset the body is split at', () => {
  for (const name of ['converse-stream-reasoning-text-tools', 'converse-stream-throttled']) {
    const wire = fixture(name);
    const expected = decodeAll(wire);
    for (let cut = 0; cut <= wire.length; cut++) assert.deepEqual(decodeAll(wire, [cut]), expected, `${name} split at byte ${cut}`);
    const everyByte = Array.from({ length: wire.length }, (_, i) => i);
    assert.deepEqual(decodeAll(wire, everyByte), expected, `${name} one byte at a time`);
  }
});

test('an exception frame ends the stream with the mapped error and nothing after it', () => {
  assert.deepEqual(decodeAll(fixture('converse-stream-throttled')), [
    { type: 'start', model: MODEL },
    { type: 'text', choice: 0, text: 'Once upon' },
    { type: 'error', code: 'upstream_rate_limited', upstreamStatus: 429, message: 'aws: ThrottlingException: Too many tokens, please wait before trying again.' },
  ]);
});

test('a corrupted frame becomes an invalid-response error after the good events before it', () => {
  const wire = fixture('converse-stream-reasoning-text-tools');
  const corrupt = Buffer.from(wire);
  corrupt[200]! ^= 0xff; // inside the second or third frame
  const events = decodeAll(corrupt) as Array<{ type: string; code?: string }>;
  const last = events[events.length - 1]!;
  assert.equal(last.type, 'error');
  assert.equal(last.code, 'upstream_invalid_response');
  assert.equal(events.filter((event) => event.type === 'error').length, 1);
  assert.deepEqual(events[0], { type: 'start', model: MODEL });
});

test('a stream cut before messageStop, or inside a frame, reports the truncation', () => {
  const lines = ['{"messageStart":{"role":"assistant"}}', '{"contentBlockDelta":{"contentBlockIndex":0,"delta":{"text":"Hi"}}}'];
  assert.deepEqual(decodeAll(wireFrom(lines)), [
    { type: 'start', model: MODEL },
    { type: 'text', choice: 0, text: 'Hi' },
    { type: 'error', code: 'upstream_error', upstreamStatus: 502, message: 'aws: stream ended before messageStop' },
  ]);
  const whole = wireFrom([...lines, '{"messageStop":{"stopReason":"end_turn"}}']);
  const cut = decodeAll(whole.subarray(0, whole.length - 3)) as Array<{ type: string; code?: string; message?: string }>;
  assert.equal(cut[cut.length - 1]!.code, 'upstream_invalid_response');
  assert.match(cut[cut.length - 1]!.message!, /ended inside a frame/);
});

test('the JSON-response tool streams as text and finishes as a normal stop', () => {
  const wire = wireFrom([
    '{"messageStart":{"role":"assistant"}}',
    `{"contentBlockStart":{"contentBlockIndex":0,"start":{"toolUse":{"toolUseId":"t1","name":"${JSON_RESPONSE_TOOL}"}}}}`,
    '{"contentBlockDelta":{"contentBlockIndex":0,"delta":{"toolUse":{"input":"{\\"answer\\""}}}}',
    '{"contentBlockDelta":{"contentBlockIndex":0,"delta":{"toolUse":{"input":":42}"}}}}',
    '{"contentBlockStop":{"contentBlockIndex":0}}',
    '{"messageStop":{"stopReason":"tool_use"}}',
    '{"metadata":{"usage":{"inputTokens":5,"outputTokens":3}}}',
  ]);
  assert.deepEqual(decodeAll(wire), [
    { type: 'start', model: MODEL },
    { type: 'text', choice: 0, text: '{"answer"' },
    { type: 'text', choice: 0, text: ':42}' },
    { type: 'finish', choice: 0, reason: 'stop' },
    { type: 'usage', usage: { inputTokens: 5, outputTokens: 3 } },
  ]);
});

test('stop sequences, guardrails, unknown events and redacted reasoning', () => {
  const wire = wireFrom([
    '{"messageStart":{"role":"assistant"}}',
    '{"contentBlockDelta":{"contentBlockIndex":0,"delta":{"reasoningContent":{"redactedContent":"b64=="}}}}',
    '{"someFutureEvent":{"x":1}}',
    '{"messageStop":{"stopReason":"guardrail_intervened","additionalModelResponseFields":{"delta":{"stop_sequence":"STOP"}}}}',
  ]);
  assert.deepEqual(decodeAll(wire), [
    { type: 'start', model: MODEL },
    { type: 'reasoning', choice: 0, text: '', redacted: 'b64==' },
    { type: 'finish', choice: 0, reason: 'content_filter', stopSequence: 'STOP' },
  ]);
});

test('a payload that is not JSON is an invalid response', () => {
  const wire = Buffer.from(encodeEventStreamMessage({ ':event-type': 'messageStart', ':message-type': 'event' }, '{not json'));
  assert.deepEqual(decodeAll(wire), [
    { type: 'error', code: 'upstream_invalid_response', upstreamStatus: undefined, message: 'aws: Bedrock sent a messageStart event whose payload is not JSON' },
  ]);
});
