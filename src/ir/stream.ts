import type { FinishReason, Usage } from './chat.js';
import type { GatewayError } from '../errors/gateway-error.js';

/**
 * Typed events every provider stream decoder emits and every dialect stream encoder consumes.
 * Events for one choice arrive in order; `tool_call_start` precedes that call's deltas, and the
 * `index` of a tool call counts calls within its choice from 0.
 */
export type StreamEvent =
  | { type: 'start'; id?: string; model?: string }
  | { type: 'text'; choice: number; text: string }
  | { type: 'reasoning'; choice: number; text: string; signature?: string; redacted?: string }
  | { type: 'tool_call_start'; choice: number; index: number; id: string; name: string }
  | { type: 'tool_call_delta'; choice: number; index: number; arguments: string }
  | { type: 'finish'; choice: number; reason: FinishReason; stopSequence?: string }
  | { type: 'usage'; usage: Usage }
  | { type: 'error'; error: GatewayError };

/**
 * Watches a passed-through stream for what accounting needs (usage, an in-stream error) without
 * decoding every event into the IR. Bytes in (split anywhere); the bytes to forward out, which
 * are the same bytes unless the observer hides an event (usage the client did not ask for).
 */
export interface StreamObserver {
  push(chunk: Buffer): Uint8Array;
  /** The findings, and any bytes held back at the end. */
  end(): { usage?: Usage; error?: GatewayError; tail?: Uint8Array };
}

/**
 * Incremental decoder of one upstream response body: bytes in (split anywhere), events out.
 * `end()` flushes what is left and reports a truncated stream as an error event.
 */
export interface StreamDecoder {
  push(chunk: Uint8Array): StreamEvent[];
  end(): StreamEvent[];
}
