import type { ChatRequest, ChatResponse, EmbeddingsRequest, EmbeddingsResponse } from '../ir/chat.js';
import type { StreamEvent } from '../ir/stream.js';
import type { GatewayError } from '../errors/gateway-error.js';
import type { Dialect } from '../providers/types.js';
import type { RequestEnvelope } from './envelope.js';

/**
 * Turns IR stream events into this dialect's wire text (complete SSE events). It keeps the
 * per-stream state the format needs (open content blocks, tool-call indexes, usage).
 */
export interface StreamEncoder {
  /** Wire text for one event; '' when the event produces nothing yet. */
  encode(event: StreamEvent): string;
  /** Wire text that closes a stream that ended normally (e.g. `data: [DONE]`). */
  end(): string;
  /** Wire text for a failure after the stream started: a well-formed error event, then the close. */
  error(error: GatewayError): string;
}

export interface StreamEncoderOptions {
  /** The id to show the client (the gateway's request id based, stable for the whole stream). */
  id: string;
  /** The model to show until the upstream names one. */
  model: string;
  /** OpenAI `stream_options.include_usage`: only then is a usage chunk sent. */
  includeUsage: boolean;
  created: number;
}

/**
 * One API format the gateway serves to clients. Parsing is strict (bad input → GatewayError
 * `invalid_request` naming the field); encoding never fails.
 */
export interface ClientDialect {
  readonly name: Dialect;
  /** Reads and checks only what routing needs (model, stream flags); cheap, runs on every request. */
  parseEnvelope(body: Record<string, unknown>): RequestEnvelope;
  /** Validates a JSON-parsed body and converts it to the IR. */
  parseChatRequest(body: unknown): ChatRequest;
  /** The dialect's JSON body for a complete answer. */
  encodeChatResponse(response: ChatResponse): unknown;
  createStreamEncoder(options: StreamEncoderOptions): StreamEncoder;
  /** The dialect's JSON error body (status comes from the error). */
  encodeError(error: GatewayError): unknown;
  /**
   * What sticky routing keys on, read only for models with `sticky`: the end user the client named
   * (`user`, Anthropic `metadata.user_id`), and the conversation's opening (system prompt and first
   * message), which stays the same on every turn of one conversation.
   */
  stickyIdentity(body: Record<string, unknown>, kind: 'user' | 'conversation'): string | undefined;
}

/** The OpenAI dialect also serves embeddings. */
export interface EmbeddingsDialect {
  parseEmbeddingsRequest(body: unknown): EmbeddingsRequest;
  encodeEmbeddingsResponse(response: EmbeddingsResponse, encodingFormat: 'float' | 'base64' | undefined): unknown;
}
