import type { Usage } from '../../ir/chat.js';
import type { OpenAIUsage } from './api-types.js';

/** OpenAI usage → IR. Cached input is inside prompt_tokens, reasoning inside completion_tokens, as in the IR. */
export function mapUsage(usage: OpenAIUsage): Usage {
  const out: Usage = { inputTokens: usage.prompt_tokens ?? 0, outputTokens: usage.completion_tokens ?? 0 };
  const cached = usage.prompt_tokens_details?.cached_tokens ?? usage.prompt_cache_hit_tokens;
  if (cached) out.cachedInputTokens = cached;
  const reasoning = usage.completion_tokens_details?.reasoning_tokens;
  if (reasoning) out.reasoningTokens = reasoning;
  return out;
}
