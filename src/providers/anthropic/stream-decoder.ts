import type { StreamDecoder, StreamEvent } from '../../ir/stream.js';
import { GatewayError } from '../../errors/gateway-error.js';
import { upstreamError } from '../../errors/upstream.js';
import { createSseDecoder, type SseEvent } from '../../protocol/sse.js';
import type { AnthropicWireBlock, AnthropicWireError, AnthropicWireMessage, AnthropicWireUsage } from './anthropic-api-types.js';
import { anthropicStreamError } from './anthropic-error.js';
import { JSON_RESPONSE_TOOL } from './json-response-tool.js';
import { mapAnthropicStopReason } from './map-anthropic-stop-reason.js';
import { emptyUsageTotals, mergeUsage, toIrUsage } from './map-anthropic-usage.js';

/** What an Anthropic content block index carries, so its deltas map to the right IR events. */
interface OpenBlock {
  kind: 'text' | 'thinking' | 'tool' | 'json' | 'other';
  toolIndex: number;
  /** `input` given whole in content_block_start, used only if no input_json_delta follows. */
  startInput?: string;
  sawInput: boolean;
}

/** The fields any Anthropic stream event may carry (all optional: lenient on provider output). */
interface WireStreamEvent {
  type?: string;
  index?: number;
  message?: AnthropicWireMessage;
  content_block?: AnthropicWireBlock;
  delta?: {
    type?: string;
    text?: string;
    partial_json?: string;
    thinking?: string;
    signature?: string;
    stop_reason?: string | null;
    stop_sequence?: string | null;
  };
  usage?: AnthropicWireUsage;
  error?: AnthropicWireError;
}

/**
 * Decodes an Anthropic Messages SSE body into IR events: text, thinking (with signatures and
 * redacted blocks), tool calls with their input_json_delta text as-is, finish and usage at
 * message_delta. The JSON answer tool's input streams out as text. Citations, pings and
 * server-tool blocks produce nothing.
 */
export function createAnthropicStreamDecoder(provider: string): StreamDecoder {
  const sse = createSseDecoder();
  const blocks = new Map<number, OpenBlock>();
  const totals = emptyUsageTotals();
  let nextToolIndex = 0;
  let sawUsage = false;
  let usageSent = false;
  let ended = false;

  const usageEvent = (): StreamEvent[] => {
    if (!sawUsage || usageSent) return [];
    usageSent = true;
    return [{ type: 'usage', usage: toIrUsage(totals) }];
  };

  const fail = (error: GatewayError): StreamEvent[] => {
    ended = true;
    return [...usageEvent(), { type: 'error', error }];
  };

  const blockStart = (index: number, block: AnthropicWireBlock): StreamEvent[] => {
    switch (block.type) {
      case 'text':
        blocks.set(index, { kind: 'text', toolIndex: -1, sawInput: false });
        return block.text ? [{ type: 'text', choice: 0, text: block.text }] : [];
      case 'thinking':
        blocks.set(index, { kind: 'thinking', toolIndex: -1, sawInput: false });
        return block.thinking ? [{ type: 'reasoning', choice: 0, text: block.thinking }] : [];
      case 'redacted_thinking':
        blocks.set(index, { kind: 'other', toolIndex: -1, sawInput: false });
        return [{ type: 'reasoning', choice: 0, text: '', redacted: block.data ?? '' }];
      case 'tool_use': {
        const input = block.input && typeof block.input === 'object' && Object.keys(block.input).length > 0 ? JSON.stringify(block.input) : undefined;
        if (block.name === JSON_RESPONSE_TOOL) {
          blocks.set(index, { kind: 'json', toolIndex: -1, startInput: input, sawInput: false });
          return [];
        }
        const toolIndex = nextToolIndex++;
        blocks.set(index, { kind: 'tool', toolIndex, startInput: input, sawInput: false });
        return [{ type: 'tool_call_start', choice: 0, index: toolIndex, id: block.id ?? '', name: block.name ?? '' }];
      }
      default:
        blocks.set(index, { kind: 'other', toolIndex: -1, sawInput: false });
        return [];
    }
  };

  const inputEvent = (block: OpenBlock, json: string): StreamEvent[] => {
    if (json === '') return [];
    block.sawInput = true;
    if (block.kind === 'json') return [{ type: 'text', choice: 0, text: json }];
    if (block.kind === 'tool') return [{ type: 'tool_call_delta', choice: 0, index: block.toolIndex, arguments: json }];
    return [];
  };

  const blockDelta = (block: OpenBlock | undefined, delta: NonNullable<WireStreamEvent['delta']>): StreamEvent[] => {
    if (!block) return [];
    switch (delta.type) {
      case 'text_delta':
        return block.kind === 'text' && delta.text ? [{ type: 'text', choice: 0, text: delta.text }] : [];
      case 'input_json_delta':
        return inputEvent(block, delta.partial_json ?? '');
      case 'thinking_delta':
        return delta.thinking ? [{ type: 'reasoning', choice: 0, text: delta.thinking }] : [];
      case 'signature_delta':
        return delta.signature ? [{ type: 'reasoning', choice: 0, text: '', signature: delta.signature }] : [];
      default:
        return []; // citations_delta and future delta kinds
    }
  };

  const messageDelta = (event: WireStreamEvent): StreamEvent[] => {
    mergeUsage(totals, event.usage);
    sawUsage ||= event.usage !== undefined;
    let reason = mapAnthropicStopReason(event.delta?.stop_reason);
    if (reason === 'tool_calls' && nextToolIndex === 0) reason = 'stop'; // only the JSON answer tool was called
    const finish: StreamEvent =
      typeof event.delta?.stop_sequence === 'string'
        ? { type: 'finish', choice: 0, reason, stopSequence: event.delta.stop_sequence }
        : { type: 'finish', choice: 0, reason };
    usageSent = false;
    return [finish, ...usageEvent()];
  };

  const mapEvent = (raw: SseEvent): StreamEvent[] => {
    if (ended || raw.data === '') return [];
    let event: WireStreamEvent;
    try {
      event = JSON.parse(raw.data) as WireStreamEvent;
    } catch {
      return fail(new GatewayError('upstream_invalid_response', `${provider}: stream event is not JSON`, { provider }));
    }
    const index = event.index ?? -1;
    switch (event.type ?? raw.event) {
      case 'message_start':
        mergeUsage(totals, event.message?.usage);
        sawUsage ||= event.message?.usage !== undefined;
        return [{ type: 'start', ...(event.message?.id && { id: event.message.id }), ...(event.message?.model && { model: event.message.model }) }];
      case 'content_block_start':
        return blockStart(index, event.content_block ?? {});
      case 'content_block_delta':
        return blockDelta(blocks.get(index), event.delta ?? {});
      case 'content_block_stop': {
        const block = blocks.get(index);
        return block && !block.sawInput && block.startInput ? inputEvent(block, block.startInput) : [];
      }
      case 'message_delta':
        return messageDelta(event);
      case 'message_stop':
        ended = true;
        return [];
      case 'error':
        return fail(anthropicStreamError(provider, event.error));
      default:
        return []; // ping and event types added later
    }
  };

  const mapAll = (events: SseEvent[]): StreamEvent[] => {
    if (events.length === 0) return [];
    if (events.length === 1) return mapEvent(events[0]!);
    return events.flatMap(mapEvent);
  };

  return {
    push: (chunk) => mapAll(sse.push(chunk)),
    end() {
      const events = mapAll(sse.end());
      if (ended) return events;
      return [...events, ...fail(upstreamError(provider, 502, 'stream ended before message_stop'))];
    },
  };
}
