import type { Usage } from '../../ir/chat.js';
import type { BedrockUsage } from './api-types.js';

/**
 * Converts Converse usage to the IR. Bedrock's `inputTokens` counts only the uncached input; the
 * IR's `inputTokens` includes cache reads and writes, so they are added back.
 */
export function mapUsage(usage: BedrockUsage | undefined): Usage | undefined {
  if (!usage) return undefined;
  const cacheRead = count(usage.cacheReadInputTokens);
  const cacheWrite = count(usage.cacheWriteInputTokens);
  const result: Usage = {
    inputTokens: count(usage.inputTokens) + cacheRead + cacheWrite,
    outputTokens: count(usage.outputTokens),
  };
  if (usage.cacheReadInputTokens !== undefined) result.cachedInputTokens = cacheRead;
  if (usage.cacheWriteInputTokens !== undefined) result.cacheWriteInputTokens = cacheWrite;
  return result;
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0;
}
