import { createHash } from 'node:crypto';
import type { ModelPlan, TargetPlan } from '../config/plan.js';
import type { TargetStatsBook } from './target-stats.js';

/** Share of least-latency requests that try a random target first, so a recovered one is noticed. */
export const LATENCY_EXPLORATION = 0.05;

/**
 * The order in which one request tries a model's targets. Every strategy returns all of them:
 * the strategy picks who goes first, and the rest stay in line for falling over. With `sticky`
 * and an identity (user or conversation), the draw is seeded by it: the same identity gets the
 * same order on every instance, without shared state, as long as the targets and weights stay.
 */
export function orderTargets(
  model: ModelPlan,
  book: TargetStatsBook,
  random: () => number = Math.random,
  stickyIdentity?: string,
): readonly TargetPlan[] {
  const targets = model.targets;
  if (targets.length < 2) return targets;
  if (model.sticky && stickyIdentity !== undefined) {
    const seeded = seededRandom(`${model.name}\u0000${stickyIdentity}`);
    return model.routing === 'round-robin' ? weightedOrder(targets, seeded, true) : weightedOrder(targets, seeded);
  }
  switch (model.routing) {
    case 'fallback':
      return targets;
    case 'weighted':
      return weightedOrder(targets, random);
    case 'round-robin':
      return rotate(targets, book.nextTurn(model.name));
    case 'least-busy':
      // Rotating first spreads ties (e.g. all idle) instead of always picking the first target.
      return stableSortBy(rotate(targets, book.nextTurn(model.name)), (target) => book.get(target).inFlight);
    case 'least-latency':
      return latencyOrder(targets, book, random);
    case 'lowest-cost':
      return stableSortBy(targets, blendedPrice);
  }
}

/** Weighted random without replacement: the first pick follows the weights, and so does each next one. */
export function weightedOrder(targets: readonly TargetPlan[], random: () => number, equalWeights = false): TargetPlan[] {
  const weight = (target: TargetPlan): number => (equalWeights ? 1 : target.weight);
  const left = [...targets];
  const order: TargetPlan[] = [];
  let total = left.reduce((sum, target) => sum + weight(target), 0);
  while (left.length > 0) {
    let point = random() * total;
    let index = 0;
    while (index < left.length - 1 && point >= weight(left[index]!)) point -= weight(left[index++]!);
    const [chosen] = left.splice(index, 1);
    order.push(chosen!);
    total -= weight(chosen!);
  }
  return order;
}

/** A deterministic generator (mulberry32) seeded from a SHA-256 of `key`: same key, same draws. */
export function seededRandom(key: string): () => number {
  let state = createHash('sha256').update(key).digest().readUInt32LE(0);
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Fastest moving average first. Targets never measured go first (each gets tried), and a small
 * share of requests starts with a random target, so one that was slow and recovered wins back traffic.
 */
function latencyOrder(targets: readonly TargetPlan[], book: TargetStatsBook, random: () => number): TargetPlan[] {
  const sorted = stableSortBy(targets, (target) => book.get(target).latencyMs ?? -1);
  if (random() < LATENCY_EXPLORATION) {
    const index = Math.floor(random() * sorted.length);
    const [explored] = sorted.splice(index, 1);
    sorted.unshift(explored!);
  }
  return sorted;
}

/**
 * Price per million tokens with input and output weighted equally; targets without `pricing` go
 * last, in config order. (Issue 4's price catalog will fill in prices for known models.)
 */
function blendedPrice(target: TargetPlan): number {
  const pricing = target.pricing;
  return pricing ? pricing.input_per_mtok + pricing.output_per_mtok : Number.POSITIVE_INFINITY;
}

function rotate<T>(items: readonly T[], turn: number): T[] {
  const start = turn % items.length;
  return [...items.slice(start), ...items.slice(0, start)];
}

function stableSortBy<T>(items: readonly T[], score: (item: T) => number): T[] {
  return items
    .map((item, index) => ({ item, index, score: score(item) }))
    .sort((a, b) => a.score - b.score || a.index - b.index)
    .map((entry) => entry.item);
}
