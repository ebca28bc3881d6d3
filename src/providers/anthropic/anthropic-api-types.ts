/**
 * The Anthropic Messages wire format as this provider writes it (requests: exact) and reads it
 * (responses and stream events: every field optional, unknown fields ignored).
 */

export interface AnthropicCacheControl {
  type: 'ephemeral';
  ttl?: string;
}

export type AnthropicImageSource = { type: 'base64'; media_type: string; data: string } | { type: 'url'; url: string };

export type AnthropicTextBlock = { type: 'text'; text: string; cache_control?: AnthropicCacheControl };
export type AnthropicImageBlock = { type: 'image'; source: AnthropicImageSource; cache_control?: AnthropicCacheControl };

export type AnthropicRequestBlock =
  | AnthropicTextBlock
  | AnthropicImageBlock
  | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown>; cache_control?: AnthropicCacheControl }
  | {
      type: 'tool_result';
      tool_use_id: string;
      content?: Array<AnthropicTextBlock | AnthropicImageBlock>;
      is_error?: boolean;
      cache_control?: AnthropicCacheControl;
    }
  | { type: 'thinking'; thinking: string; signature: string }
  | { type: 'redacted_thinking'; data: string };

export interface AnthropicMessageParam {
  role: 'user' | 'assistant';
  content: AnthropicRequestBlock[];
}

export interface AnthropicTool {
  name: string;
  description?: string;
  input_schema: Record<string, unknown>;
  cache_control?: AnthropicCacheControl;
}

export type AnthropicToolChoice =
  | { type: 'auto' | 'any'; disable_parallel_tool_use?: boolean }
  | { type: 'tool'; name: string; disable_parallel_tool_use?: boolean }
  | { type: 'none' };

export interface AnthropicMessagesBody {
  model: string;
  max_tokens: number;
  messages: AnthropicMessageParam[];
  system?: AnthropicTextBlock[];
  tools?: AnthropicTool[];
  tool_choice?: AnthropicToolChoice;
  stop_sequences?: string[];
  temperature?: number;
  top_p?: number;
  top_k?: number;
  metadata?: { user_id: string };
  thinking?: { type: 'enabled'; budget_tokens: number };
  stream?: true;
}

/** Usage as found in a message, message_start or message_delta (all optional, null allowed). */
export interface AnthropicWireUsage {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  output_tokens_details?: { thinking_tokens?: number | null } | null;
}

export interface AnthropicWireBlock {
  type?: string;
  text?: string;
  id?: string;
  name?: string;
  input?: unknown;
  thinking?: string;
  signature?: string;
  data?: string;
}

export interface AnthropicWireMessage {
  id?: string;
  model?: string;
  content?: AnthropicWireBlock[];
  stop_reason?: string | null;
  stop_sequence?: string | null;
  usage?: AnthropicWireUsage;
}

export interface AnthropicWireError {
  type?: string;
  message?: string;
}
