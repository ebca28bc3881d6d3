import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ModelPlan, TargetPlan } from '../config/plan.js';
import type { Provider } from '../providers/types.js';
import { LATENCY_EXPLORATION, orderTargets, weightedOrder } from './strategies.js';
import { TargetStatsBook } from './target-stats.js';

function model(routing: ModelPlan['routing'], specs: Array<Partial<TargetPlan> & { name: string }>): ModelPlan {
  const plan: ModelPlan = { name: `m-${routing}`, routing, targets: [], retries: 1, failurePolicy: {}, fallbacks: [], resumeStreams: false };
  for (const spec of specs) {
    const provider = { config: { name: spec.name } } as unknown as Provider;
    plan.targets.push({ key: `${plan.name}-${spec.name}/x`, modelPlan: plan, provider, model: 'x', weight: spec.weight ?? 1, ...(spec.pricing && { pricing: spec.pricing }) });
  }
  return plan;
}
const names = (targets: readonly TargetPlan[]) => targets.map((target) => target.provider.config.name);

/** A deterministic generator (mulberry32) so the statistical checks cannot flake. */
function seeded(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('fallback keeps config order; every strategy returns every target once', () => {
  const book = new TargetStatsBook();
  for (const routing of ['fallback', 'weighted', 'round-robin', 'least-busy', 'least-latency', 'lowest-cost'] as const) {
    const order = names(orderTargets(model(routing, [{ name: 'a' }, { name: 'b' }, { name: 'c' }]), book));
    assert.deepEqual([...order].sort(), ['a', 'b', 'c'], routing);
  }
  assert.deepEqual(names(orderTargets(model('fallback', [{ name: 'a' }, { name: 'b' }]), book)), ['a', 'b']);
});

test('weighted: first picks follow the weights, and so do second picks', () => {
  const targets = model('weighted', [{ name: 'a', weight: 6 }, { name: 'b', weight: 3 }, { name: 'c', weight: 1 }]).targets;
  const random = seeded(42);
  const first: Record<string, number> = { a: 0, b: 0, c: 0 };
  const secondAfterA: Record<string, number> = { b: 0, c: 0 };
  const draws = 20_000;
  for (let i = 0; i < draws; i++) {
    const order = names(weightedOrder(targets, random));
    first[order[0]!]!++;
    if (order[0] === 'a') secondAfterA[order[1]!]!++;
  }
  assert.ok(Math.abs(first.a! / draws - 0.6) < 0.02, JSON.stringify(first));
  assert.ok(Math.abs(first.b! / draws - 0.3) < 0.02, JSON.stringify(first));
  assert.ok(Math.abs(secondAfterA.b! / (secondAfterA.b! + secondAfterA.c!) - 0.75) < 0.03, JSON.stringify(secondAfterA));
});

test('round-robin rotates per model; least-busy prefers the idlest target and spreads ties', () => {
  const book = new TargetStatsBook();
  const rr = model('round-robin', [{ name: 'a' }, { name: 'b' }, { name: 'c' }]);
  assert.deepEqual([0, 1, 2, 3].map(() => names(orderTargets(rr, book))[0]), ['a', 'b', 'c', 'a']);

  const busy = model('least-busy', [{ name: 'a' }, { name: 'b' }, { name: 'c' }]);
  assert.deepEqual(new Set([0, 1, 2].map(() => names(orderTargets(busy, book))[0])), new Set(['a', 'b', 'c']), 'ties rotate');
  book.started(busy.targets[0]!);
  book.started(busy.targets[0]!);
  book.started(busy.targets[1]!);
  assert.deepEqual(names(orderTargets(busy, book)), ['c', 'b', 'a']);
  book.ended(busy.targets[0]!);
  book.ended(busy.targets[0]!);
  assert.equal(names(orderTargets(busy, book))[2], 'b', 'a is idle again: only b is busy');
});

test('least-latency: unmeasured first, then fastest moving average, with a little exploration', () => {
  const book = new TargetStatsBook();
  const m = model('least-latency', [{ name: 'slow' }, { name: 'fast' }]);
  const noExplore = () => 0.99;
  assert.deepEqual(names(orderTargets(m, book, noExplore)), ['slow', 'fast']);
  book.succeeded(m.targets[0]!, 500);
  assert.deepEqual(names(orderTargets(m, book, noExplore)), ['fast', 'slow'], 'the unmeasured target gets tried');
  book.succeeded(m.targets[1]!, 50);
  assert.deepEqual(names(orderTargets(m, book, noExplore)), ['fast', 'slow']);
  // The slow one recovers: its average follows within a handful of calls.
  for (let i = 0; i < 15; i++) book.succeeded(m.targets[0]!, 10);
  assert.deepEqual(names(orderTargets(m, book, noExplore)), ['slow', 'fast']);
  // Exploration: a share of requests starts with a random target.
  const random = seeded(7);
  let explored = 0;
  for (let i = 0; i < 10_000; i++) if (names(orderTargets(m, book, random))[0] === 'fast') explored++;
  assert.ok(Math.abs(explored / 10_000 - LATENCY_EXPLORATION / 2) < 0.01, `explored ${explored}`);
});

test('lowest-cost orders by blended price, unpriced targets last', () => {
  const book = new TargetStatsBook();
  const m = model('lowest-cost', [
    { name: 'unpriced' },
    { name: 'pricey', pricing: { input_per_mtok: 3, output_per_mtok: 15 } },
    { name: 'cheap', pricing: { input_per_mtok: 0.15, output_per_mtok: 0.6 } },
  ]);
  assert.deepEqual(names(orderTargets(m, book)), ['cheap', 'pricey', 'unpriced']);
});

test('sticky: the same identity always gets the same order; identities follow the weights', () => {
  const book = new TargetStatsBook();
  const m = { ...model('weighted', [{ name: 'a', weight: 3 }, { name: 'b', weight: 1 }]), sticky: 'user' as const };
  for (const target of m.targets) target.modelPlan = m;
  const first = (identity: string) => names(orderTargets(m, book, Math.random, identity))[0];
  for (let i = 0; i < 20; i++) assert.equal(first('alice'), first('alice'));
  let onA = 0;
  for (let i = 0; i < 4000; i++) if (first(`user-${i}`) === 'a') onA++;
  assert.ok(Math.abs(onA / 4000 - 0.75) < 0.03, `${onA} of 4000`);
  assert.equal(names(orderTargets(m, book, () => 0.999, undefined))[0], 'b', 'no identity: a normal weighted draw');
});
