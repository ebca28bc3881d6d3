import type { ProviderConfig } from '../types.js';

/**
 * What differs between members of the OpenAI family, in the spirit of vercel/ai's
 * openai-compatible hooks: where requests go, how they authenticate, and a few body fields.
 */
export interface OpenAIFlavor {
  /** OpenAI and Azure take `max_completion_tokens` (required by reasoning models); compatible servers `max_tokens`. */
  maxTokensField: 'max_tokens' | 'max_completion_tokens';
  /** Whether the server accepts `stream_options` (Mistral rejects it and always reports usage). */
  streamOptions: boolean;
  /** Request fields the server rejects as unknown, left out of translated requests. */
  omitFields?: readonly string[];
  /** Request fields the server names differently (Mistral's `random_seed`). */
  renameFields?: Readonly<Record<string, string>>;
  /** Full URL for an endpoint (`chat/completions` or `embeddings`) and upstream model. */
  url(config: ProviderConfig, endpoint: 'chat/completions' | 'embeddings', upstreamModel: string): string;
  /** Credential headers. */
  auth(config: ProviderConfig): Record<string, string>;
}
