import type { RequestSignal } from '../upstream/abort.js';
import type { ChatRequest, ChatResponse, EmbeddingsRequest, EmbeddingsResponse, Usage } from '../ir/chat.js';
import type { StreamDecoder, StreamEvent, StreamObserver } from '../ir/stream.js';
import type { GatewayError } from '../errors/gateway-error.js';

/** The client-facing API formats the gateway serves; a provider speaking one natively gets pass-through. */
export type Dialect = 'openai-chat' | 'anthropic-messages';

/** A provider entry from the config, resolved: defaults applied, env interpolated. */
export interface ProviderConfig {
  /** The config name, e.g. `claude`; what `x-switchyard-provider` shows. */
  name: string;
  /** The provider type, e.g. `anthropic`, `openai-compatible`, `groq`. */
  type: string;
  /** What the provider's official SDK calls its base URL (PRODUCT.md), without a trailing slash. */
  baseUrl: string;
  apiKey?: string;
  /** Extra headers sent with every upstream request. */
  headers: Record<string, string>;
  timeoutMs: number;
  /** Azure */
  apiVersion?: string;
  /** Bedrock */
  region?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  sessionToken?: string;
}

/** An HTTP request to send upstream, already authenticated. */
export interface UpstreamRequest {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string | Uint8Array;
}

export type UpstreamHeaders = Record<string, string | string[] | undefined>;

/**
 * A provider that answers in-process instead of over HTTP (the `mock` provider). Streams are
 * async iterables of the same events an HTTP provider's decoder would emit.
 */
export interface LocalChat {
  complete(request: ChatRequest, upstreamModel: string, signal: RequestSignal): Promise<ChatResponse>;
  stream(request: ChatRequest, upstreamModel: string, signal: RequestSignal): AsyncIterable<StreamEvent>;
  embed?(request: EmbeddingsRequest, upstreamModel: string): Promise<EmbeddingsResponse>;
}

/**
 * One configured provider: a pure translator between the IR and the provider's wire format,
 * plus its authentication. It never sees policies, routing or the client's dialect.
 */
export interface Provider {
  readonly config: ProviderConfig;
  /** The client dialect this provider speaks natively, if any: such requests pass through. */
  readonly nativeDialect?: Dialect;
  /** Set only by providers that answer in-process. */
  readonly local?: LocalChat;
  /** Upstream models the provider is known to serve without asking it; /v1/models lists them as `name/model`. */
  readonly knownModels?: readonly string[];

  /** Builds the upstream request for a chat call (streaming when `request.stream`). */
  buildChatRequest(request: ChatRequest, upstreamModel: string): UpstreamRequest | Promise<UpstreamRequest>;
  /** Builds the upstream request for a same-dialect call: `body` is the client's JSON with `model` already rewritten. */
  buildPassthroughRequest?(body: string | Uint8Array, stream: boolean, upstreamModel: string, clientHeaders: UpstreamHeaders): UpstreamRequest | Promise<UpstreamRequest>;
  /**
   * Reads only the usage from the raw bytes of a successful non-streaming answer, for pass-through
   * answers whose body goes to the client as it came; far cheaper than parsing it all. Undefined
   * when it finds none (the caller then parses the whole body). Optional.
   */
  parseUsage?(body: Buffer): Usage | undefined;
  /** Turns a successful non-streaming JSON body into the IR. */
  parseChatResponse(body: unknown, upstreamModel: string): ChatResponse;
  /**
   * A cheap watcher for a same-dialect stream passed through untouched (usage, errors). Optional:
   * without it the full decoder watches.
   */
  createStreamObserver?(options: { hideUsage: boolean }): StreamObserver;
  /**
   * A same-dialect streaming body changed to make the upstream report usage although the client
   * did not ask (the gateway meters every stream); undefined when the provider reports it anyway.
   * The observer is then created with `hideUsage` so the client sees the stream it asked for.
   */
  withStreamUsage?(body: string | Buffer, parsed: Record<string, unknown>): string | Buffer | undefined;
  /** A fresh decoder for one streaming response body. */
  createStreamDecoder(upstreamModel: string): StreamDecoder;
  /** Turns an upstream error answer into a GatewayError with the right code, status and retryability. */
  parseError(status: number, headers: UpstreamHeaders, body: string): GatewayError;

  buildEmbeddingsRequest?(request: EmbeddingsRequest, upstreamModel: string): UpstreamRequest | Promise<UpstreamRequest>;
  /** `request` lets providers whose API reports no token usage estimate it. */
  parseEmbeddingsResponse?(body: unknown, upstreamModel: string, request: EmbeddingsRequest): EmbeddingsResponse;

  /** Token counting by the provider itself (Anthropic's count_tokens); others are estimated. */
  buildCountTokensRequest?(request: ChatRequest, upstreamModel: string): UpstreamRequest | Promise<UpstreamRequest>;
  parseCountTokensResponse?(body: unknown): number;
}

/** Creates a provider from its resolved config. One factory per provider type. */
export type ProviderFactory = (config: ProviderConfig) => Provider;

/** How a provider type is registered: its factory, default base URL and config requirements. */
export interface ProviderType {
  type: string;
  create: ProviderFactory;
  /** Default base URL; undefined when the config must give one (azure, openai-compatible). */
  defaultBaseUrl?: string | ((config: ProviderConfig) => string);
  /** Environment variable holding the API key, used for quick-start discovery and as a fallback. */
  apiKeyEnv?: string;
  /**
   * The provider entry the quick start adds when this type's credentials are in `env`. Without it,
   * a type with `apiKeyEnv` and a fixed `defaultBaseUrl` is added when that variable is set.
   */
  discover?(env: NodeJS.ProcessEnv): Record<string, unknown> | undefined;
  /** Returns human-readable problems with a provider config (missing region, api_version...). */
  validate?(config: ProviderConfig): Array<{ field: string; message: string }>;
}
