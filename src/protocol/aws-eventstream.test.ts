import assert from 'node:assert/strict';
import { test } from 'node:test';
import { crc32 } from 'node:zlib';
import {
  createEventStreamDecoder,
  encodeEventStreamMessage,
  EventStreamError,
  headerString,
  type EventStreamMessage,
} from './aws-eventstream.js';

/** Builds a frame by hand from the format description, independently of the smithy codec. */
function handMadeFrame(headers: Record<string, string>, body: string): Buffer {
  const headerBytes = Buffer.concat(
    Object.entries(headers).map(([name, value]) => {
      const nameBytes = Buffer.from(name);
      const valueBytes = Buffer.from(value);
      const valueLength = Buffer.alloc(2);
      valueLength.writeUInt16BE(valueBytes.length);
      return Buffer.concat([Buffer.from([nameBytes.length]), nameBytes, Buffer.from([7]), valueLength, valueBytes]);
    }),
  );
  const bodyBytes = Buffer.from(body);
  const total = 16 + headerBytes.length + bodyBytes.length;
  const prelude = Buffer.alloc(12);
  prelude.writeUInt32BE(total, 0);
  prelude.writeUInt32BE(headerBytes.length, 4);
  prelude.writeUInt32BE(crc32(prelude.subarray(0, 8)), 8);
  const withoutCrc = Buffer.concat([prelude, headerBytes, bodyBytes]);
  const messageCrc = Buffer.alloc(4);
  messageCrc.writeUInt32BE(crc32(withoutCrc));
  return Buffer.concat([withoutCrc, messageCrc]);
}

const eventHeaders = (type: string) => ({ ':event-type': type, ':content-type': 'application/json', ':message-type': 'event' });

const frames = [
  handMadeFrame(eventHeaders('messageStart'), '{"role":"assistant"}'),
  handMadeFrame(eventHeaders('contentBlockDelta'), '{"contentBlockIndex":0,"delta":{"text":"héllo ✓"},"p":"abc"}'),
  handMadeFrame(eventHeaders('messageStop'), '{"stopReason":"end_turn"}'),
  handMadeFrame(
    { ':exception-type': 'throttlingException', ':content-type': 'application/json', ':message-type': 'exception' },
    '{"message":"Too many requests"}',
  ),
  handMadeFrame(eventHeaders('empty'), ''),
];
const wire = Buffer.concat(frames);

const summarize = (messages: EventStreamMessage[]) =>
  messages.map((message) => ({ headers: message.headers, body: Buffer.from(message.body).toString('utf8') }));

const expected = [
  { headers: eventHeaders('messageStart'), body: '{"role":"assistant"}' },
  { headers: eventHeaders('contentBlockDelta'), body: '{"contentBlockIndex":0,"delta":{"text":"héllo ✓"},"p":"abc"}' },
  { headers: eventHeaders('messageStop'), body: '{"stopReason":"end_turn"}' },
  {
    headers: { ':exception-type': 'throttlingException', ':content-type': 'application/json', ':message-type': 'exception' },
    body: '{"message":"Too many requests"}',
  },
  { headers: eventHeaders('empty'), body: '' },
];

test('encoder produces exactly the bytes the format describes', () => {
  assert.deepEqual(
    Buffer.from(encodeEventStreamMessage(eventHeaders('messageStart'), '{"role":"assistant"}')),
    frames[0],
  );
});

test('decodes a whole body in one push', () => {
  const decoder = createEventStreamDecoder();
  assert.deepEqual(summarize(decoder.push(wire)), expected);
  decoder.end();
});

test('same messages whatever byte offset the body is split at', () => {
  for (let cut = 0; cut <= wire.length; cut++) {
    const decoder = createEventStreamDecoder();
    const messages = [...decoder.push(wire.subarray(0, cut)), ...decoder.push(wire.subarray(cut))];
    decoder.end();
    assert.deepEqual(summarize(messages), expected, `split at byte ${cut}`);
  }
});

test('same messages when fed one byte at a time and in three pieces', () => {
  const decoder = createEventStreamDecoder();
  const messages: EventStreamMessage[] = [];
  for (let i = 0; i < wire.length; i++) messages.push(...decoder.push(wire.subarray(i, i + 1)));
  decoder.end();
  assert.deepEqual(summarize(messages), expected);
  for (let a = 1; a < wire.length; a += 7) {
    for (let b = a; b < wire.length; b += 13) {
      const pieces = createEventStreamDecoder();
      const out = [...pieces.push(wire.subarray(0, a)), ...pieces.push(wire.subarray(a, b)), ...pieces.push(wire.subarray(b))];
      assert.deepEqual(summarize(out), expected, `split at ${a} and ${b}`);
    }
  }
});

test('headerString reads string headers only', () => {
  const [message] = createEventStreamDecoder().push(frames[0]!);
  assert.equal(headerString(message!, ':event-type'), 'messageStart');
  assert.equal(headerString(message!, ':missing'), undefined);
});

test('a corrupted message CRC is rejected', () => {
  const corrupt = Buffer.from(frames[1]!);
  corrupt[corrupt.length - 1]! ^= 0x01;
  const decoder = createEventStreamDecoder();
  assert.deepEqual(summarize(decoder.push(frames[0]!)), expected.slice(0, 1));
  assert.throws(() => decoder.push(corrupt), EventStreamError);
});

test('a corrupted payload byte is rejected by the message CRC', () => {
  const corrupt = Buffer.from(frames[2]!);
  corrupt[corrupt.length - 6]! ^= 0x20;
  assert.throws(() => createEventStreamDecoder().push(corrupt), /checksum/);
});

test('a corrupted prelude is rejected as soon as the prelude arrives', () => {
  const corrupt = Buffer.from(frames[0]!);
  corrupt[1] = 0x7f; // total length now huge: must fail on the prelude CRC, not wait for bytes
  const decoder = createEventStreamDecoder();
  assert.throws(() => decoder.push(corrupt.subarray(0, 12)), /prelude checksum/);
});

test('frames over the size cap are rejected before buffering them', () => {
  const decoder = createEventStreamDecoder(64);
  assert.throws(() => decoder.push(frames[1]!.subarray(0, 12)), /exceeds the 64-byte limit/);
});

test('impossible lengths are rejected', () => {
  const prelude = Buffer.alloc(12);
  prelude.writeUInt32BE(20, 0);
  prelude.writeUInt32BE(10, 4); // headers cannot fit in a 20-byte frame
  prelude.writeUInt32BE(crc32(prelude.subarray(0, 8)), 8);
  assert.throws(() => createEventStreamDecoder().push(prelude), /impossible lengths/);
});

test('a body that stops inside a frame fails at end()', () => {
  const decoder = createEventStreamDecoder();
  decoder.push(wire.subarray(0, frames[0]!.length + 5));
  assert.throws(() => decoder.end(), /ended inside a frame \(5 bytes left over\)/);
});
