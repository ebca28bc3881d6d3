import { crc32 } from 'node:zlib';
import { EventStreamCodec, type Message, type MessageHeaderValue } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';

/**
 * AWS event-stream framing (`application/vnd.amazon.eventstream`), the binary format of Bedrock's
 * ConverseStream. Each frame is: total length (u32), headers length (u32), prelude CRC32, headers,
 * payload, message CRC32. The CRC checks and header decoding are the maintained smithy codec's;
 * this file only cuts frames out of a byte stream that may be split anywhere.
 */

/** A header value as the gateway sees it: strings stay strings, numbers are plain numbers. */
export type EventStreamHeaderValue = string | number | boolean | Uint8Array | Date;

export interface EventStreamMessage {
  headers: Record<string, EventStreamHeaderValue>;
  body: Uint8Array;
}

/**
 * Raised for frames that cannot be trusted: bad CRC, impossible lengths, oversized, truncated.
 * `decoded` holds the good messages the same push completed before the bad frame.
 */
export class EventStreamError extends Error {
  override readonly name = 'EventStreamError';
  decoded: EventStreamMessage[] = [];
}

export interface EventStreamDecoder {
  /** Feeds bytes; returns every message completed by them (possibly none). Throws EventStreamError. */
  push(chunk: Uint8Array): EventStreamMessage[];
  /** Declares the end of the body; throws EventStreamError when it stopped inside a frame. */
  end(): void;
}

const PRELUDE_BYTES = 12;
const OVERHEAD_BYTES = 16;
/** Bedrock frames are a few KB; a cap keeps a corrupt length from making us buffer forever. */
export const DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;

let sharedCodec: EventStreamCodec | undefined;
function codec(): EventStreamCodec {
  sharedCodec ??= new EventStreamCodec(toUtf8, fromUtf8);
  return sharedCodec;
}

/**
 * Creates an incremental decoder. Buffered chunks are only joined once a whole frame is present,
 * so work stays proportional to the bytes received, whatever the split.
 */
export function createEventStreamDecoder(maxFrameBytes = DEFAULT_MAX_FRAME_BYTES): EventStreamDecoder {
  const queue = new ByteQueue();
  let frameLength = 0; // 0 = prelude not read yet

  const readPrelude = (): boolean => {
    if (queue.length < PRELUDE_BYTES) return false;
    const prelude = queue.peek(PRELUDE_BYTES);
    const view = new DataView(prelude.buffer, prelude.byteOffset, PRELUDE_BYTES);
    const total = view.getUint32(0);
    const headersLength = view.getUint32(4);
    // Checked before trusting `total`, so a corrupt prelude fails now instead of stalling.
    if (crc32(prelude.subarray(0, 8)) !== view.getUint32(8)) {
      throw new EventStreamError('event-stream prelude checksum mismatch');
    }
    if (total < OVERHEAD_BYTES || headersLength > total - OVERHEAD_BYTES) {
      throw new EventStreamError(`event-stream frame has impossible lengths (total ${total}, headers ${headersLength})`);
    }
    if (total > maxFrameBytes) {
      throw new EventStreamError(`event-stream frame of ${total} bytes exceeds the ${maxFrameBytes}-byte limit`);
    }
    frameLength = total;
    return true;
  };

  return {
    push(chunk) {
      if (chunk.byteLength > 0) queue.append(chunk);
      const messages: EventStreamMessage[] = [];
      try {
        for (;;) {
          if (frameLength === 0 && !readPrelude()) break;
          if (queue.length < frameLength) break;
          const frame = queue.take(frameLength);
          frameLength = 0;
          messages.push(decodeFrame(frame));
        }
      } catch (error) {
        if (error instanceof EventStreamError) error.decoded = messages;
        throw error;
      }
      return messages;
    },
    end() {
      if (queue.length > 0) {
        throw new EventStreamError(`event stream ended inside a frame (${queue.length} bytes left over)`);
      }
    },
  };
}

function decodeFrame(frame: Uint8Array): EventStreamMessage {
  let message: Message;
  try {
    message = codec().decode(frame);
  } catch (error) {
    throw new EventStreamError(`invalid event-stream frame: ${error instanceof Error ? error.message : String(error)}`);
  }
  const headers: Record<string, EventStreamHeaderValue> = {};
  for (const [name, header] of Object.entries(message.headers)) headers[name] = plainHeaderValue(header);
  return { headers, body: message.body };
}

function plainHeaderValue(header: MessageHeaderValue): EventStreamHeaderValue {
  if (header.type === 'long') return header.value.valueOf();
  return header.value;
}

/** Encodes one frame with string headers (what Bedrock sends); used by fakes and tests. */
export function encodeEventStreamMessage(headers: Record<string, string>, body: Uint8Array | string): Uint8Array {
  const typed: Message['headers'] = {};
  for (const [name, value] of Object.entries(headers)) typed[name] = { type: 'string', value };
  return codec().encode({ headers: typed, body: typeof body === 'string' ? fromUtf8(body) : body });
}

/** Returns a header as a string, or undefined when it is absent or not a string. */
export function headerString(message: EventStreamMessage, name: string): string | undefined {
  const value = message.headers[name];
  return typeof value === 'string' ? value : undefined;
}

/** Chunks kept as received; bytes are copied only when a frame spans several chunks. */
class ByteQueue {
  private chunks: Uint8Array[] = [];
  private head = 0; // read offset into chunks[0]
  length = 0;

  append(chunk: Uint8Array): void {
    this.chunks.push(chunk);
    this.length += chunk.byteLength;
  }

  /** The first `count` bytes, without consuming them. */
  peek(count: number): Uint8Array {
    return this.read(count, false);
  }

  /** Removes and returns the first `count` bytes. */
  take(count: number): Uint8Array {
    return this.read(count, true);
  }

  private read(count: number, consume: boolean): Uint8Array {
    const first = this.chunks[0]!;
    if (first.byteLength - this.head >= count) {
      const out = first.subarray(this.head, this.head + count);
      if (consume) this.advance(count);
      return out;
    }
    const out = new Uint8Array(count);
    let filled = 0;
    let offset = this.head;
    for (const chunk of this.chunks) {
      const part = chunk.subarray(offset, Math.min(chunk.byteLength, offset + count - filled));
      out.set(part, filled);
      filled += part.byteLength;
      offset = 0;
      if (filled === count) break;
    }
    if (consume) this.advance(count);
    return out;
  }

  private advance(count: number): void {
    this.length -= count;
    let left = count;
    while (left > 0) {
      const available = this.chunks[0]!.byteLength - this.head;
      if (available > left) {
        this.head += left;
        return;
      }
      left -= available;
      this.chunks.shift();
      this.head = 0;
    }
    if (this.chunks[0] !== undefined && this.head === this.chunks[0].byteLength) {
      this.chunks.shift();
      this.head = 0;
    }
  }
}
