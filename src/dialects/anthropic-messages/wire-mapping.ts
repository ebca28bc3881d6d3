import type { FinishReason, Usage } from '../../ir/chat.js';

export type AnthropicStopReason = 'end_turn' | 'max_tokens' | 'stop_sequence' | 'tool_use' | 'refusal';

export interface AnthropicUsage {
  input_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
  output_tokens: number;
}

/** IR finish reason → Anthropic `stop_reason`; a reported stop sequence makes `stop_sequence`. */
export function toStopReason(reason: FinishReason | undefined, stopSequence: string | undefined): AnthropicStopReason {
  switch (reason) {
    case 'length':
      return 'max_tokens';
    case 'tool_calls':
      return 'tool_use';
    case 'content_filter':
      return 'refusal';
    default:
      return stopSequence !== undefined ? 'stop_sequence' : 'end_turn';
  }
}

/** IR usage → Anthropic usage, whose `input_tokens` excludes cache reads and cache writes. */
export function toAnthropicUsage(usage: Usage | undefined): AnthropicUsage {
  const cacheRead = usage?.cachedInputTokens ?? 0;
  const cacheWrite = usage?.cacheWriteInputTokens ?? 0;
  return {
    input_tokens: Math.max(0, (usage?.inputTokens ?? 0) - cacheRead - cacheWrite),
    cache_creation_input_tokens: cacheWrite,
    cache_read_input_tokens: cacheRead,
    output_tokens: usage?.outputTokens ?? 0,
  };
}

/**
 * A tool call's JSON `arguments` text → the `input` object Anthropic clients expect. Empty text
 * is `{}`. Text that is not a JSON object (a model's broken output) is kept, not dropped, as
 * `{"_raw_arguments": text}`: the client's schema check then fails visibly and the model sees
 * what it wrote, instead of a silent `{}` that hides the fault.
 */
export function toToolInput(argumentsText: string): Record<string, unknown> {
  if (argumentsText.trim() === '') return {};
  try {
    const parsed: unknown = JSON.parse(argumentsText);
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // Falls through to the raw wrapper.
  }
  return { _raw_arguments: argumentsText };
}
