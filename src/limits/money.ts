/**
 * Budgets count integer nano-dollars, not floating USD: twenty reservations of $0.05 must add up to
 * exactly $1 (in floats they make 1.0000000000000002 and the twentieth would be refused), and Redis
 * adds integers exactly. 2^53 nano-dollars is $9 million per budget period, far beyond any budget.
 */

export const NANO_PER_USD = 1_000_000_000;

/** USD to whole nano-dollars (nearest; never negative). */
export function toNanoUsd(usd: number): number {
  return usd > 0 ? Math.round(usd * NANO_PER_USD) : 0;
}

export function fromNanoUsd(nano: number): number {
  return nano / NANO_PER_USD;
}
