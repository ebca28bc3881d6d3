import type { FinishReason, Usage } from '../../ir/chat.js';

export interface WireUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details: { cached_tokens: number };
  completion_tokens_details: { reasoning_tokens: number };
}

/** IR usage → OpenAI `usage`. Both APIs count cached input inside prompt tokens and reasoning inside completion tokens. */
export function encodeUsage(usage: Usage): WireUsage {
  return {
    prompt_tokens: usage.inputTokens,
    completion_tokens: usage.outputTokens,
    total_tokens: usage.inputTokens + usage.outputTokens,
    prompt_tokens_details: { cached_tokens: usage.cachedInputTokens ?? 0 },
    completion_tokens_details: { reasoning_tokens: usage.reasoningTokens ?? 0 },
  };
}

export type WireFinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter';

/** IR finish reason → OpenAI's. OpenAI has no `error` reason; the answer simply stopped. */
export function encodeFinishReason(reason: FinishReason): WireFinishReason {
  return reason === 'error' ? 'stop' : reason;
}
