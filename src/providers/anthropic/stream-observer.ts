import type { StreamObserver } from '../../ir/stream.js';
import type { GatewayError } from '../../errors/gateway-error.js';
import { createSseDecoder } from '../../protocol/sse.js';
import { createSseFrameSplitter } from '../../protocol/sse-frames.js';
import type { AnthropicWireError, AnthropicWireMessage, AnthropicWireUsage } from './anthropic-api-types.js';
import { anthropicStreamError } from './anthropic-error.js';
import { emptyUsageTotals, mergeUsage, toIrUsage } from './map-anthropic-usage.js';

const WATCHED = [Buffer.from('event: message_start'), Buffer.from('event: message_delta'), Buffer.from('event: error')];

/**
 * Watches a passed-through Messages stream for usage (message_start, message_delta) and error
 * events. Events are cut from the bytes and told apart by their leading `event:` line, so
 * content deltas are never decoded. Anthropic always reports usage: nothing is hidden.
 */
export function createAnthropicStreamObserver(provider: string): StreamObserver {
  const frames = createSseFrameSplitter();
  const totals = emptyUsageTotals();
  let sawUsage = false;
  let error: GatewayError | undefined;
  const inspect = (frame: Buffer): void => {
    if (!WATCHED.some((prefix) => frame.subarray(0, prefix.length).equals(prefix))) return;
    const decoder = createSseDecoder();
    for (const event of [...decoder.push(frame), ...decoder.end()]) {
      let body: { message?: AnthropicWireMessage; usage?: AnthropicWireUsage; error?: AnthropicWireError };
      try {
        body = JSON.parse(event.data) as typeof body;
      } catch {
        continue;
      }
      const usage = event.event === 'message_start' ? body.message?.usage : body.usage;
      if (usage) {
        mergeUsage(totals, usage);
        sawUsage = true;
      }
      if (event.event === 'error') error = anthropicStreamError(provider, body.error);
    }
  };
  return {
    push(chunk) {
      for (const frame of frames.push(chunk)) inspect(frame);
      return chunk;
    },
    end() {
      for (const frame of frames.end()) inspect(frame);
      return { ...(sawUsage && { usage: toIrUsage(totals) }), ...(error && { error }) };
    },
  };
}
