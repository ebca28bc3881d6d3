/**
 * The gateway's internal chat representation (IR). Client dialects parse into it, providers
 * translate from it; nothing here knows any wire format. Field names are the gateway's own.
 */

export type Role = 'system' | 'user' | 'assistant' | 'tool';

/** Anthropic-style prompt-cache marker, kept so it survives translation where a provider has one. */
export interface CacheControl {
  type: 'ephemeral';
  ttl?: string;
}

export interface TextPart {
  type: 'text';
  text: string;
  cacheControl?: CacheControl;
}

/** An image given either by URL (http(s) or data:) or as inline base64 with its media type. */
export interface ImagePart {
  type: 'image';
  url?: string;
  data?: string;
  mediaType?: string;
  detail?: 'auto' | 'low' | 'high';
  cacheControl?: CacheControl;
}

/** A tool call made by the assistant. `arguments` is the JSON text exactly as the model produced it. */
export interface ToolCallPart {
  type: 'tool_call';
  id: string;
  name: string;
  arguments: string;
  cacheControl?: CacheControl;
}

/** The result of a tool call, sent back by the client in a `tool` message. */
export interface ToolResultPart {
  type: 'tool_result';
  toolCallId: string;
  content: Array<TextPart | ImagePart>;
  isError?: boolean;
  cacheControl?: CacheControl;
}

/** Model reasoning ("thinking"). `signature`/`redacted` are opaque tokens some providers require back. */
export interface ReasoningPart {
  type: 'reasoning';
  text: string;
  signature?: string;
  redacted?: string;
}

export type ContentPart = TextPart | ImagePart | ToolCallPart | ToolResultPart | ReasoningPart;
export type AssistantPart = TextPart | ToolCallPart | ReasoningPart;

/**
 * One conversation turn. `system` messages keep their position (OpenAI allows them anywhere);
 * providers that take a single system prompt gather them. Tool results live in `tool` messages,
 * one or more `tool_result` parts each.
 */
export interface Message {
  role: Role;
  content: ContentPart[];
  name?: string;
}

/** A JSON Schema object, as given by the client. */
export type JsonSchema = Record<string, unknown>;

export interface ToolDefinition {
  name: string;
  description?: string;
  parameters: JsonSchema;
  strict?: boolean;
  cacheControl?: CacheControl;
}

export type ToolChoice =
  | { type: 'auto' }
  | { type: 'none' }
  | { type: 'required' }
  | { type: 'tool'; name: string };

export type ResponseFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | { type: 'json_schema'; name: string; schema: JsonSchema; strict?: boolean; description?: string };

export interface ChatRequest {
  /** The model name the client sent (routing resolves it to a provider and an upstream model). */
  model: string;
  messages: Message[];
  stream: boolean;
  /** The client asked for usage at the end of the stream (OpenAI `stream_options.include_usage`). */
  streamUsage?: boolean;
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  topK?: number;
  stop?: string[];
  seed?: number;
  n?: number;
  user?: string;
  metadata?: Record<string, string>;
  frequencyPenalty?: number;
  presencePenalty?: number;
  tools?: ToolDefinition[];
  toolChoice?: ToolChoice;
  parallelToolCalls?: boolean;
  responseFormat?: ResponseFormat;
  /** Reasoning controls: OpenAI `reasoning_effort`, Anthropic `thinking.budget_tokens`. */
  reasoning?: { effort?: 'minimal' | 'low' | 'medium' | 'high'; budgetTokens?: number };
}

export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'error';

export interface Usage {
  inputTokens: number;
  outputTokens: number;
  /** Input tokens read from the provider's prompt cache (included in inputTokens). */
  cachedInputTokens?: number;
  /** Input tokens written to the provider's prompt cache (included in inputTokens). */
  cacheWriteInputTokens?: number;
  /** Output tokens spent on reasoning (included in outputTokens). */
  reasoningTokens?: number;
}

export interface ChatChoice {
  index: number;
  content: AssistantPart[];
  finishReason: FinishReason;
  /** The stop sequence that ended generation, when the provider reports it. */
  stopSequence?: string;
}

export interface ChatResponse {
  id: string;
  /** The upstream model id that answered. */
  model: string;
  created: number;
  choices: ChatChoice[];
  usage?: Usage;
}

export interface EmbeddingsRequest {
  model: string;
  input: string[];
  dimensions?: number;
  encodingFormat?: 'float' | 'base64';
  user?: string;
}

export interface EmbeddingsResponse {
  model: string;
  data: Array<{ index: number; embedding: number[] }>;
  /** Absent when the provider reports none (Gemini): the gateway then estimates it. */
  usage?: { inputTokens: number };
}
