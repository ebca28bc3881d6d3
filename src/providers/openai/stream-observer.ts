import type { Usage } from '../../ir/chat.js';
import type { StreamObserver } from '../../ir/stream.js';
import type { GatewayError } from '../../errors/gateway-error.js';
import { createSseDecoder } from '../../protocol/sse.js';
import { createSseFrameSplitter } from '../../protocol/sse-frames.js';
import type { OpenAIChatCompletion } from './api-types.js';
import { mapUsage } from './map-usage.js';
import { streamError } from './stream-decoder.js';

/**
 * Watches a passed-through chat.completion.chunk stream for its usage chunk and in-stream errors.
 * Events are cut from the bytes without decoding; only an event containing a non-null `"usage"`
 * or an `"error"` is parsed. With `hideUsage`, the usage-only event (`choices: []`) the gateway
 * asked for on the client's behalf is dropped from what the client receives.
 */
export function createOpenAIStreamObserver(provider: string, options: { hideUsage: boolean }): StreamObserver {
  const frames = createSseFrameSplitter();
  let usage: Usage | undefined;
  let error: GatewayError | undefined;

  /** Notes what the event carries; false when the event is to be hidden from the client. */
  const inspect = (frame: Buffer): boolean => {
    const carriesUsage = hasUsageValue(frame);
    if (!carriesUsage && frame.indexOf(ERROR_KEY) === -1) return true;
    const chunk = parseEvent(frame);
    if (!chunk) return true;
    if (chunk.error) error = streamError(provider, chunk);
    if (!chunk.usage) return true;
    usage = mapUsage(chunk.usage);
    return !(options.hideUsage && Array.isArray(chunk.choices) && chunk.choices.length === 0);
  };

  return {
    push(chunk) {
      const events = frames.push(chunk);
      if (!options.hideUsage) {
        for (const event of events) inspect(event);
        return chunk;
      }
      const kept = events.filter(inspect);
      if (kept.length === 1) return kept[0]!;
      // Nothing dropped, nothing held back before or after: the events are the chunk itself
      // (the first starts at the chunk's first byte and they add up to its length), so forward it uncopied.
      if (kept.length === events.length && startsAt(kept[0], chunk) && byteLength(kept) === chunk.length) return chunk;
      return Buffer.concat(kept);
    },
    end() {
      const rest = frames.end().filter(inspect);
      const tail = options.hideUsage && rest.length > 0 ? Buffer.concat(rest) : undefined;
      return { ...(usage && { usage }), ...(error && { error }), ...(tail && { tail }) };
    },
  };
}

// Encoded once: a string needle would be re-encoded on every search of every event.
const USAGE_KEY = Buffer.from('"usage"');
const ERROR_KEY = Buffer.from('"error"');

function startsAt(frame: Buffer | undefined, chunk: Buffer): boolean {
  return frame !== undefined && frame.buffer === chunk.buffer && frame.byteOffset === chunk.byteOffset;
}

function byteLength(frames: Buffer[]): number {
  let total = 0;
  for (const frame of frames) total += frame.length;
  return total;
}

/** `"usage"` present with a value other than null (OpenAI sends `"usage":null` on content chunks). */
function hasUsageValue(frame: Buffer): boolean {
  const at = frame.lastIndexOf(USAGE_KEY);
  if (at === -1) return false;
  let i = at + USAGE_KEY.length;
  while (frame[i] === 0x20 || frame[i] === 0x3a) i++;
  return frame[i] !== 0x6e; // 'n' of null
}

function parseEvent(frame: Buffer): OpenAIChatCompletion | undefined {
  const decoder = createSseDecoder();
  const [event] = [...decoder.push(frame), ...decoder.end()];
  if (!event) return undefined;
  try {
    const chunk = JSON.parse(event.data) as OpenAIChatCompletion | null;
    return chunk !== null && typeof chunk === 'object' ? chunk : undefined;
  } catch {
    return undefined; // [DONE], keep-alives and anything unparseable reach the client as they are.
  }
}
