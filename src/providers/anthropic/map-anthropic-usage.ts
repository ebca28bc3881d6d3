import type { Usage } from '../../ir/chat.js';
import type { AnthropicWireUsage } from './anthropic-api-types.js';

/** Running totals of a message's usage; later reports (message_delta) overwrite earlier ones. */
export interface UsageTotals {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  reasoning?: number;
}

/** Totals before any usage was reported. */
export const emptyUsageTotals = (): UsageTotals => ({ input: 0, output: 0, cacheRead: 0, cacheWrite: 0 });

/** Overwrites the totals with every counter `usage` reports (they are cumulative, never deltas). */
export function mergeUsage(totals: UsageTotals, usage: AnthropicWireUsage | undefined): void {
  if (!usage) return;
  if (typeof usage.input_tokens === 'number') totals.input = usage.input_tokens;
  if (typeof usage.output_tokens === 'number') totals.output = usage.output_tokens;
  if (typeof usage.cache_read_input_tokens === 'number') totals.cacheRead = usage.cache_read_input_tokens;
  if (typeof usage.cache_creation_input_tokens === 'number') totals.cacheWrite = usage.cache_creation_input_tokens;
  const thinking = usage.output_tokens_details?.thinking_tokens;
  if (typeof thinking === 'number') totals.reasoning = thinking;
}

/** Anthropic counts cache reads and writes apart from input_tokens; the IR's input includes both. */
export function toIrUsage(totals: UsageTotals): Usage {
  const usage: Usage = {
    inputTokens: totals.input + totals.cacheRead + totals.cacheWrite,
    outputTokens: totals.output,
  };
  if (totals.cacheRead > 0) usage.cachedInputTokens = totals.cacheRead;
  if (totals.cacheWrite > 0) usage.cacheWriteInputTokens = totals.cacheWrite;
  if (totals.reasoning !== undefined) usage.reasoningTokens = totals.reasoning;
  return usage;
}
