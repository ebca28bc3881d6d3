import type { StreamObserver } from '../../ir/stream.js';
import type { GatewayError } from '../../errors/gateway-error.js';
import { createSseDecoder } from '../../protocol/sse.js';
import type { AnthropicWireError, AnthropicWireMessage, AnthropicWireUsage } from './anthropic-api-types.js';
import { anthropicStreamError } from './anthropic-error.js';
import { emptyUsageTotals, mergeUsage, toIrUsage } from './map-anthropic-usage.js';

const WATCHED = new Set(['message_start', 'message_delta', 'error']);

/**
 * Watches a passed-through Messages stream for usage (message_start, message_delta) and error
 * events. Events are told apart by their `event:` name, so content deltas are never parsed.
 */
export function createAnthropicStreamObserver(provider: string): StreamObserver {
  const sse = createSseDecoder();
  const totals = emptyUsageTotals();
  let sawUsage = false;
  let error: GatewayError | undefined;
  const scan = (name: string | undefined, data: string): void => {
    if (name === undefined || !WATCHED.has(name)) return;
    let event: { message?: AnthropicWireMessage; usage?: AnthropicWireUsage; error?: AnthropicWireError };
    try {
      event = JSON.parse(data) as typeof event;
    } catch {
      return;
    }
    const usage = name === 'message_start' ? event.message?.usage : event.usage;
    if (usage) {
      mergeUsage(totals, usage);
      sawUsage = true;
    }
    if (name === 'error') error = anthropicStreamError(provider, event.error);
  };
  return {
    push(chunk) {
      for (const event of sse.push(chunk)) scan(event.event, event.data);
    },
    end() {
      for (const event of sse.end()) scan(event.event, event.data);
      return { ...(sawUsage && { usage: toIrUsage(totals) }), ...(error && { error }) };
    },
  };
}
