import type { StreamDecoder, StreamEvent } from '../../ir/stream.js';
import { GatewayError } from '../../errors/gateway-error.js';
import { upstreamError } from '../../errors/upstream.js';
import { createEventStreamDecoder, EventStreamError, headerString, type EventStreamMessage } from '../../protocol/aws-eventstream.js';
import type { BedrockContentBlockDelta, BedrockContentBlockStart, BedrockMessageStop, BedrockStreamMetadata } from './api-types.js';
import { JSON_RESPONSE_TOOL } from './convert-tools.js';
import { parseStreamException } from './errors.js';
import { mapStopReason, stopSequenceFrom } from './map-stop-reason.js';
import { mapUsage } from './map-usage.js';

/**
 * Decodes a ConverseStream body (binary event-stream frames) into IR stream events. Frames are
 * cut and CRC-checked by the protocol decoder; this maps each `:event-type` to events. Text and
 * reasoning blocks have no contentBlockStart; tool calls do, and their input arrives as JSON text
 * pieces. The JSON-response tool's input is emitted as text. After an error nothing more is emitted.
 */
export function createConverseStreamDecoder(provider: string, upstreamModel: string): StreamDecoder {
  const frames = createEventStreamDecoder();
  const toolIndexByBlock = new Map<number, number>();
  const jsonBlocks = new Set<number>();
  let toolCount = 0;
  let started = false;
  let stopped = false;
  let failed = false;

  const fail = (error: GatewayError): StreamEvent[] => {
    failed = true;
    return [{ type: 'error', error }];
  };

  const startEvent = (out: StreamEvent[]) => {
    if (started) return;
    started = true;
    out.push({ type: 'start', model: upstreamModel });
  };

  const onEvent = (eventType: string, payload: unknown, out: StreamEvent[]): void => {
    switch (eventType) {
      case 'messageStart':
        startEvent(out);
        return;
      case 'contentBlockStart': {
        const { contentBlockIndex = 0, start } = payload as BedrockContentBlockStart;
        const toolUse = start?.toolUse;
        if (!toolUse) return;
        startEvent(out);
        if (toolUse.name === JSON_RESPONSE_TOOL) {
          jsonBlocks.add(contentBlockIndex);
          return;
        }
        const index = toolCount++;
        toolIndexByBlock.set(contentBlockIndex, index);
        out.push({ type: 'tool_call_start', choice: 0, index, id: toolUse.toolUseId ?? '', name: toolUse.name ?? '' });
        return;
      }
      case 'contentBlockDelta': {
        const { contentBlockIndex = 0, delta } = payload as BedrockContentBlockDelta;
        if (!delta) return;
        startEvent(out);
        if (typeof delta.text === 'string') {
          if (delta.text !== '') out.push({ type: 'text', choice: 0, text: delta.text });
        } else if (typeof delta.toolUse?.input === 'string') {
          const input = delta.toolUse.input;
          if (input === '') return;
          if (jsonBlocks.has(contentBlockIndex)) out.push({ type: 'text', choice: 0, text: input });
          const index = toolIndexByBlock.get(contentBlockIndex);
          if (index !== undefined) out.push({ type: 'tool_call_delta', choice: 0, index, arguments: input });
        } else if (delta.reasoningContent) {
          const { text, signature, redactedContent } = delta.reasoningContent;
          if (typeof text === 'string' && text !== '') out.push({ type: 'reasoning', choice: 0, text });
          if (typeof signature === 'string') out.push({ type: 'reasoning', choice: 0, text: '', signature });
          if (typeof redactedContent === 'string') out.push({ type: 'reasoning', choice: 0, text: '', redacted: redactedContent });
        }
        return;
      }
      case 'messageStop': {
        const stop = payload as BedrockMessageStop;
        stopped = true;
        startEvent(out);
        let reason = mapStopReason(stop.stopReason);
        if (reason === 'tool_calls' && toolCount === 0 && jsonBlocks.size > 0) reason = 'stop';
        const finish: StreamEvent = { type: 'finish', choice: 0, reason };
        const stopSequence = stopSequenceFrom(stop.additionalModelResponseFields);
        if (stopSequence !== undefined) finish.stopSequence = stopSequence;
        out.push(finish);
        return;
      }
      case 'metadata': {
        const usage = mapUsage((payload as BedrockStreamMetadata).usage);
        if (usage) out.push({ type: 'usage', usage });
        return;
      }
      default:
        return; // contentBlockStop and future event types carry nothing the IR needs
    }
  };

  const onMessage = (message: EventStreamMessage, out: StreamEvent[]): void => {
    const messageType = headerString(message, ':message-type') ?? 'event';
    const text = Buffer.from(message.body.buffer, message.body.byteOffset, message.body.byteLength).toString('utf8');
    if (messageType === 'exception') {
      out.push(...fail(parseStreamException(provider, headerString(message, ':exception-type') ?? 'internalServerException', text)));
      return;
    }
    if (messageType === 'error') {
      const code = headerString(message, ':error-code') ?? 'InternalServerException';
      out.push(...fail(parseStreamException(provider, code, JSON.stringify({ message: headerString(message, ':error-message') ?? code }))));
      return;
    }
    const eventType = headerString(message, ':event-type');
    if (eventType === undefined) return;
    let payload: unknown;
    try {
      payload = text === '' ? {} : JSON.parse(text);
    } catch {
      out.push(...fail(invalid(provider, `Bedrock sent a ${eventType} event whose payload is not JSON`)));
      return;
    }
    onEvent(eventType, payload ?? {}, out);
  };

  return {
    push(chunk) {
      if (failed) return [];
      const out: StreamEvent[] = [];
      let messages: EventStreamMessage[];
      let frameError: EventStreamError | undefined;
      try {
        messages = frames.push(chunk);
      } catch (error) {
        if (!(error instanceof EventStreamError)) throw error;
        frameError = error;
        messages = error.decoded;
      }
      for (const message of messages) {
        onMessage(message, out);
        if (failed) return out;
      }
      if (frameError) out.push(...fail(invalid(provider, frameError.message)));
      return out;
    },
    end() {
      if (failed) return [];
      try {
        frames.end();
      } catch (error) {
        if (error instanceof EventStreamError) return fail(invalid(provider, error.message));
        throw error;
      }
      if (!stopped) return fail(upstreamError(provider, 502, 'stream ended before messageStop', {}, 'upstream_error'));
      return [];
    },
  };
}

function invalid(provider: string, message: string): GatewayError {
  return new GatewayError('upstream_invalid_response', `${provider}: ${message}`, { provider });
}
