/**
 * The Bedrock Converse wire shapes this provider writes and reads (bedrock-runtime API reference).
 * Request types are exact; response types mark everything optional, since we read leniently.
 */

export type BedrockImageFormat = 'png' | 'jpeg' | 'gif' | 'webp';

export interface BedrockCachePoint {
  cachePoint: { type: 'default' };
}

export interface BedrockImageBlock {
  image: { format: BedrockImageFormat; source: { bytes: string } };
}

export interface BedrockReasoningBlock {
  reasoningContent: { reasoningText: { text: string; signature?: string } } | { redactedContent: string };
}

export type BedrockToolResultContent = { text: string } | { json: unknown } | BedrockImageBlock;

export type BedrockContentBlock =
  | { text: string }
  | BedrockImageBlock
  | { toolUse: { toolUseId: string; name: string; input: unknown } }
  | { toolResult: { toolUseId: string; content: BedrockToolResultContent[]; status?: 'success' | 'error' } }
  | BedrockReasoningBlock
  | BedrockCachePoint;

export interface BedrockMessage {
  role: 'user' | 'assistant';
  content: BedrockContentBlock[];
}

export type BedrockSystemBlock = { text: string } | BedrockCachePoint;

export interface BedrockToolSpec {
  toolSpec: { name: string; description?: string; inputSchema: { json: Record<string, unknown> } };
}

export type BedrockToolChoice = { auto: Record<string, never> } | { any: Record<string, never> } | { tool: { name: string } };

export interface BedrockToolConfig {
  tools: Array<BedrockToolSpec | BedrockCachePoint>;
  toolChoice?: BedrockToolChoice;
}

export interface BedrockInferenceConfig {
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  stopSequences?: string[];
}

/** The body of Converse and ConverseStream (the model id goes in the path). */
export interface BedrockConverseRequest {
  messages: BedrockMessage[];
  system?: BedrockSystemBlock[];
  inferenceConfig?: BedrockInferenceConfig;
  toolConfig?: BedrockToolConfig;
  additionalModelRequestFields?: Record<string, unknown>;
}

export interface BedrockUsage {
  inputTokens?: number;
  outputTokens?: number;
  totalTokens?: number;
  cacheReadInputTokens?: number;
  cacheWriteInputTokens?: number;
}

/** A content block as returned by Converse; one key is set. */
export interface BedrockOutputBlock {
  text?: string;
  toolUse?: { toolUseId?: string; name?: string; input?: unknown };
  reasoningContent?: { reasoningText?: { text?: string; signature?: string }; redactedContent?: string };
}

export interface BedrockConverseResponse {
  output?: { message?: { role?: string; content?: BedrockOutputBlock[] } };
  stopReason?: string;
  usage?: BedrockUsage;
  additionalModelResponseFields?: Record<string, unknown>;
}

/** ConverseStream event payloads, keyed by the frame's `:event-type`. */
export interface BedrockContentBlockStart {
  contentBlockIndex?: number;
  start?: { toolUse?: { toolUseId?: string; name?: string } };
}

export interface BedrockContentBlockDelta {
  contentBlockIndex?: number;
  delta?: {
    text?: string;
    toolUse?: { input?: string };
    reasoningContent?: { text?: string; signature?: string; redactedContent?: string };
  };
}

export interface BedrockMessageStop {
  stopReason?: string;
  additionalModelResponseFields?: Record<string, unknown>;
}

export interface BedrockStreamMetadata {
  usage?: BedrockUsage;
  metrics?: { latencyMs?: number };
}
