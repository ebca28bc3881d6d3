import type { Usage } from '../ir/chat.js';
import type { ModelPrice } from './pricing-catalog.js';

/**
 * USD for one request: fresh input at the input price, prompt-cache reads and writes at their own
 * prices (the input price where the catalog has none), output (reasoning included) at the output price.
 */
export function costUsd(usage: Usage, price: ModelPrice): number {
  const cached = usage.cachedInputTokens ?? 0;
  const written = usage.cacheWriteInputTokens ?? 0;
  const fresh = Math.max(0, usage.inputTokens - cached - written);
  const micro =
    fresh * price.input_per_mtok +
    cached * (price.cached_input_per_mtok ?? price.input_per_mtok) +
    written * (price.cache_write_input_per_mtok ?? price.input_per_mtok) +
    usage.outputTokens * price.output_per_mtok;
  return micro / 1_000_000;
}

/** The `x-switchyard-cost-usd` value: plain decimal (no exponent), down to a tenth of a micro-dollar. */
export function formatCost(usd: number): string {
  const fixed = usd.toFixed(10).replace(/0+$/, '');
  return fixed.endsWith('.') ? fixed.slice(0, -1) : fixed;
}
