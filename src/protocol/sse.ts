import { createParser, type EventSourceMessage } from 'eventsource-parser';

export interface SseEvent {
  event?: string;
  data: string;
  id?: string;
}

/**
 * Incremental Server-Sent Events decoder: bytes split anywhere (including inside a UTF-8
 * sequence or a CRLF) in, complete events out. Framing is parsed once, here.
 */
export function createSseDecoder(): { push(chunk: Uint8Array): SseEvent[]; end(): SseEvent[] } {
  const textDecoder = new TextDecoder();
  let pending: SseEvent[] = [];
  const parser = createParser({
    onEvent(message: EventSourceMessage) {
      const event: SseEvent = { data: message.data };
      if (message.event !== undefined) event.event = message.event;
      if (message.id !== undefined) event.id = message.id;
      pending.push(event);
    },
  });
  const drain = (): SseEvent[] => {
    if (pending.length === 0) return EMPTY;
    const out = pending;
    pending = [];
    return out;
  };
  return {
    push(chunk) {
      parser.feed(textDecoder.decode(chunk, { stream: true }));
      return drain();
    },
    end() {
      const rest = textDecoder.decode();
      // A final event without its blank line still counts, as browsers' EventSource does not, but
      // providers that close right after the last data line should not lose it.
      parser.feed(rest + '\n\n');
      return drain();
    },
  };
}

const EMPTY: SseEvent[] = [];

/** Encodes one SSE event. `data` must be a single line (JSON text is). */
export function encodeSse(data: string, event?: string): string {
  return event === undefined ? `data: ${data}\n\n` : `event: ${event}\ndata: ${data}\n\n`;
}
