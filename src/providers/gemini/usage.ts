import type { Usage } from '../../ir/chat.js';
import type { GeminiUsageMetadata } from './api-types.js';

/**
 * Gemini usageMetadata as IR usage. Output is candidates plus thoughts (Gemini bills both as
 * output but counts them apart); input includes the prompt tokens of tool results it read.
 */
export function toUsage(metadata: GeminiUsageMetadata): Usage {
  const thoughts = metadata.thoughtsTokenCount ?? 0;
  const usage: Usage = {
    inputTokens: (metadata.promptTokenCount ?? 0) + (metadata.toolUsePromptTokenCount ?? 0),
    outputTokens: (metadata.candidatesTokenCount ?? 0) + thoughts,
  };
  if (metadata.cachedContentTokenCount) usage.cachedInputTokens = metadata.cachedContentTokenCount;
  if (thoughts > 0) usage.reasoningTokens = thoughts;
  return usage;
}
