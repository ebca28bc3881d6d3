import type { FinishReason, Usage } from '../../ir/chat.js';
import type { StreamEvent } from '../../ir/stream.js';
import type { GatewayError } from '../../errors/gateway-error.js';
import { encodeSse } from '../../protocol/sse.js';
import type { StreamEncoder, StreamEncoderOptions } from '../types.js';
import { toAnthropicUsage, toStopReason } from './wire-mapping.js';

type BlockKind = 'text' | 'thinking' | 'tool_use';

const sse = (type: string, payload: Record<string, unknown>): string => encodeSse(JSON.stringify({ type, ...payload }), type);

/**
 * Encodes IR stream events as Anthropic Messages SSE: message_start, one content block at a time
 * (start, deltas, stop) with indexes counted across text, thinking and tool_use blocks,
 * message_delta with the stop reason and final usage, message_stop. message_start goes out with
 * the upstream's `start` event (or the first content); final usage waits for end().
 */
export function createAnthropicStreamEncoder(options: StreamEncoderOptions): StreamEncoder {
  let model = options.model;
  let usage: Usage | undefined;
  let finish: { reason: FinishReason; stopSequence?: string } | undefined;
  let started = false;
  let closed = false;
  let sawToolCall = false;
  let nextIndex = 0;
  let open: { index: number; kind: BlockKind } | undefined;
  const toolBlockIndex = new Map<number, number>();

  const messageStart = (): string => {
    if (started) return '';
    started = true;
    const message = {
      id: options.id,
      type: 'message',
      role: 'assistant',
      model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: toAnthropicUsage(usage),
    };
    return sse('message_start', { message });
  };

  const closeBlock = (): string => {
    if (!open) return '';
    const index = open.index;
    open = undefined;
    return sse('content_block_stop', { index });
  };

  const startBlock = (kind: BlockKind, contentBlock: Record<string, unknown>): string => {
    const out = messageStart() + closeBlock();
    open = { index: nextIndex++, kind };
    return out + sse('content_block_start', { index: open.index, content_block: contentBlock });
  };

  /** Opens a text or thinking block unless one of that kind is already open. */
  const ensureBlock = (kind: 'text' | 'thinking'): string => {
    if (open?.kind === kind) return '';
    return startBlock(kind, kind === 'text' ? { type: 'text', text: '' } : { type: 'thinking', thinking: '', signature: '' });
  };

  const delta = (index: number, payload: Record<string, unknown>): string => sse('content_block_delta', { index, delta: payload });

  const encodeReasoning = (event: Extract<StreamEvent, { type: 'reasoning' }>): string => {
    if (event.redacted !== undefined) {
      const out = startBlock('thinking', { type: 'redacted_thinking', data: event.redacted });
      return out + closeBlock();
    }
    let out = '';
    if (event.text !== '') {
      out += ensureBlock('thinking');
      out += delta(open!.index, { type: 'thinking_delta', thinking: event.text });
    }
    if (event.signature !== undefined) {
      out += ensureBlock('thinking');
      out += delta(open!.index, { type: 'signature_delta', signature: event.signature });
    }
    return out;
  };

  const fail = (error: GatewayError): string => {
    if (closed) return '';
    closed = true;
    return sse('error', { error: { type: error.anthropicType, message: error.message } });
  };

  return {
    encode(event) {
      if (closed) return '';
      switch (event.type) {
        case 'start':
          if (event.model) model = event.model;
          return messageStart();
        case 'usage':
          usage = event.usage;
          return '';
        case 'text':
          if (event.choice !== 0 || event.text === '') return '';
          return ensureBlock('text') + delta(open!.index, { type: 'text_delta', text: event.text });
        case 'reasoning':
          return event.choice === 0 ? encodeReasoning(event) : '';
        case 'tool_call_start': {
          if (event.choice !== 0) return '';
          sawToolCall = true;
          const out = startBlock('tool_use', { type: 'tool_use', id: event.id, name: event.name, input: {} });
          toolBlockIndex.set(event.index, open!.index);
          return out;
        }
        case 'tool_call_delta': {
          // A late delta for a call whose block was closed keeps that call's index: clients
          // accumulate input per index, so arguments still land on the right tool_use block.
          const index = event.choice === 0 ? toolBlockIndex.get(event.index) : undefined;
          if (index === undefined) return '';
          return delta(index, { type: 'input_json_delta', partial_json: event.arguments });
        }
        case 'finish':
          if (event.choice !== 0) return '';
          finish = event.stopSequence === undefined ? { reason: event.reason } : { reason: event.reason, stopSequence: event.stopSequence };
          return messageStart() + closeBlock();
        case 'error':
          return fail(event.error);
      }
    },
    end() {
      if (closed) return '';
      const out = messageStart() + closeBlock();
      closed = true;
      const stopReason = finish ? toStopReason(finish.reason, finish.stopSequence) : sawToolCall ? 'tool_use' : 'end_turn';
      const finalUsage = usage ? toAnthropicUsage(usage) : { output_tokens: 0 };
      return (
        out +
        sse('message_delta', { delta: { stop_reason: stopReason, stop_sequence: finish?.stopSequence ?? null }, usage: finalUsage }) +
        sse('message_stop', {})
      );
    },
    error: fail,
  };
}
