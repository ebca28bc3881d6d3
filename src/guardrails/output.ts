import { toGatewayError } from '../errors/gateway-error.js';
import type { ChatResponse } from '../ir/chat.js';
import type { StreamEvent } from '../ir/stream.js';
import { StreamTextScanner } from './stream-scanner.js';
import type { MaskTable, TextGuard } from './text-guard.js';

/**
 * The answer's side of a request's guardrails: PII and deny rules on the model's output, and the
 * request's masks restored. A JSON answer is guarded whole; a stream event by event, each text
 * (a choice's content, a tool call's arguments) through its own scanner.
 */
export class OutputGuard {
  constructor(
    private readonly guard: TextGuard,
    private readonly masks: MaskTable,
  ) {}

  /** The answer as the client may see it; throws `guardrail_blocked` when it must not. */
  response(response: ChatResponse): ChatResponse {
    return {
      ...response,
      choices: response.choices.map((choice) => ({
        ...choice,
        content: choice.content.map((part) => {
          if (part.type === 'text') return { ...part, text: this.#whole(part.text) };
          if (part.type === 'tool_call') return { ...part, arguments: this.#whole(part.arguments) };
          return part;
        }),
      })),
    };
  }

  /** A transform of one stream's events. */
  stream(): OutputStreamGuard {
    return new OutputStreamGuard(this.guard, this.masks);
  }

  #whole(text: string): string {
    return this.masks.restore(this.guard.active ? this.guard.apply(text) : text);
  }
}

/**
 * Events in, events out: text and tool-call argument deltas go through their scanner (held back
 * as little as the guardrails need), a choice's held text is flushed before its `finish`, and a
 * block becomes an `error` event (the stream ends there, well formed).
 */
export class OutputStreamGuard {
  readonly #scanners = new Map<string, { scanner: StreamTextScanner; choice: number; make: (text: string) => StreamEvent }>();
  #failed = false;

  constructor(
    private readonly guard: TextGuard,
    private readonly masks: MaskTable,
  ) {}

  push(event: StreamEvent): StreamEvent[] {
    if (this.#failed) return [];
    try {
      switch (event.type) {
        case 'text':
          return this.#through(`t${event.choice}`, event.choice, event.text, (text) => ({ type: 'text', choice: event.choice, text }));
        case 'tool_call_delta':
          return this.#through(`a${event.choice}.${event.index}`, event.choice, event.arguments, (text) => ({
            type: 'tool_call_delta',
            choice: event.choice,
            index: event.index,
            arguments: text,
          }));
        // What a choice holds goes out before anything that follows it: a tool call, reasoning, its end.
        case 'tool_call_start':
        case 'reasoning':
        case 'finish':
          return [...this.#flush(event.choice), event];
        default:
          return [event];
      }
    } catch (error) {
      this.#failed = true;
      return [{ type: 'error', error: toGatewayError(error) }];
    }
  }

  /** What is still held, at the end of the stream. */
  end(): StreamEvent[] {
    if (this.#failed) return [];
    try {
      return this.#flush(undefined);
    } catch (error) {
      this.#failed = true;
      return [{ type: 'error', error: toGatewayError(error) }];
    }
  }

  #through(key: string, choice: number, text: string, make: (text: string) => StreamEvent): StreamEvent[] {
    let entry = this.#scanners.get(key);
    if (!entry) this.#scanners.set(key, (entry = { scanner: new StreamTextScanner(this.guard, this.masks), choice, make }));
    const out = entry.scanner.push(text);
    return out === '' ? [] : [make(out)];
  }

  /** Sends what the scanners of a choice (or all) hold, in the order the texts started. */
  #flush(choice: number | undefined): StreamEvent[] {
    const events: StreamEvent[] = [];
    for (const [key, entry] of this.#scanners) {
      if (choice !== undefined && entry.choice !== choice) continue;
      const rest = entry.scanner.end();
      if (rest !== '') events.push(entry.make(rest));
      this.#scanners.delete(key);
    }
    return events;
  }
}
