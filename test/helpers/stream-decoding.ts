import assert from 'node:assert/strict';
import type { StreamDecoder, StreamEvent } from '../../src/ir/stream.js';

/** Events comparable with deepEqual: a GatewayError becomes its code, status, retryable flag and message. */
export function plainEvents(events: StreamEvent[]): unknown[] {
  return events.map((event) =>
    event.type === 'error'
      ? { type: 'error', code: event.error.code, status: event.error.status, retryable: event.error.retryable, message: event.error.message }
      : event,
  );
}

/** Decodes a whole body at once. */
export function decodeWhole(createDecoder: () => StreamDecoder, wire: Uint8Array, normalize = plainEvents): unknown[] {
  const decoder = createDecoder();
  return normalize([...decoder.push(wire), ...decoder.end()]);
}

/**
 * Asserts a decoder yields `expected` for the body whole, split in two at every byte offset, and
 * fed byte by byte: framing must not depend on where the network cut the stream.
 */
export function assertDecodesAtEverySplit(
  createDecoder: () => StreamDecoder,
  wire: Uint8Array,
  expected: unknown[],
  normalize = plainEvents,
): void {
  assert.deepEqual(decodeWhole(createDecoder, wire, normalize), expected, 'whole');
  for (let cut = 1; cut < wire.length; cut++) {
    const decoder = createDecoder();
    const events = [...decoder.push(wire.subarray(0, cut)), ...decoder.push(wire.subarray(cut)), ...decoder.end()];
    assert.deepEqual(normalize(events), expected, `split at byte ${cut}`);
  }
  const decoder = createDecoder();
  const events: StreamEvent[] = [];
  for (let offset = 0; offset < wire.length; offset++) events.push(...decoder.push(wire.subarray(offset, offset + 1)));
  events.push(...decoder.end());
  assert.deepEqual(normalize(events), expected, 'byte by byte');
}
