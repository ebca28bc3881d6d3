import type { FinishReason } from '../../src/ir/chat.js';

/**
 * A provider-neutral description of what a fake upstream should answer. Every fake renders it in
 * its own provider's exact wire format, streaming or not as the request asks, so one scenario can
 * run against every provider.
 */
export interface FakeScript {
  /** Assistant text; streamed in pieces of `chunkChars` characters. Default "Hello from <fake>". */
  text?: string;
  /** Reasoning/thinking text emitted before the answer, where the format has it. */
  reasoning?: string;
  /** Tool calls; their `arguments` JSON is streamed in pieces of `chunkChars` characters. */
  toolCalls?: Array<{ id: string; name: string; arguments: string }>;
  /** Default: `tool_calls` when toolCalls are given, else `stop`. */
  finishReason?: FinishReason;
  usage?: { input: number; output: number; cached?: number };
  /** OpenAI-format fakes: report no usage at all (a compatible server that ignores include_usage). */
  omitUsage?: boolean;
  /** Answer with the provider's own error body and this status instead of a result. */
  error?: { status: number; message: string; type?: string; headers?: Record<string, string> };
  /** Stream: after this many content pieces, emit the provider's in-stream error (or cut the socket). */
  failAfterChunks?: number;
  /** How a mid-stream failure shows: the provider's error event (default) or a cut connection. */
  failMode?: 'event' | 'disconnect';
  /** Never answer (to test client aborts and timeouts); the fake records when the socket closes. */
  hang?: boolean;
  /** Wait this long before answering at all (status and headers included): a slow provider. Every fake. */
  delayMs?: number;
  /** Streams (OpenAI-format fakes): headers at once, the first event only after this long. */
  firstChunkDelayMs?: number;
  /** Delay between streamed pieces. */
  chunkDelayMs?: number;
  /** Characters per streamed piece (default 4). */
  chunkChars?: number;
  /** Embeddings: vector length (default 8); vectors are deterministic per input text. */
  embeddingDimensions?: number;
  /**
   * Embeddings (OpenAI fake): `hash` (default) gives unrelated vectors to different texts; `words`
   * gives bag-of-words vectors, so texts sharing words are similar (cosine = shared-word overlap):
   * a deterministic stand-in for a real embedding model, for the semantic cache.
   */
  embeddingKind?: 'hash' | 'words';
}

export interface RecordedRequest {
  method: string;
  /** Path and query, e.g. `/v1/chat/completions`. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** Parsed body when it was JSON. */
  json?: any;
}

export interface FakeUpstream {
  /** Base URL in the sense of the provider's SDK (what a config's `base_url` takes). */
  url: string;
  /** Every request received, in order. */
  requests: RecordedRequest[];
  /** Requests whose connection closed before the fake finished answering. */
  aborted: RecordedRequest[];
  /** The script for the next requests (or a function choosing per request). */
  script: FakeScript | ((request: RecordedRequest) => FakeScript);
  close(): Promise<void>;
}
