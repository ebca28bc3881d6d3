import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { AcquireResult, BudgetRule, ConcurrencyRule, LimitRule, LimitStore, Reservation, WindowRule } from './store.js';

/**
 * The contract every limit store passes, run once per implementation (`*-store.test.ts`). A fixture
 * opens one or more stores sharing the same counters (the Redis fixture: two connections, as two
 * gateway instances would be) and cleans up after itself.
 */
export interface StoreFixture {
  stores: LimitStore[];
  close(): Promise<void>;
}

const T0 = 1_800_000_000_000; // a fixed instant, 1 s bucket aligned
const MINUTE = 60_000;

const rpm = (id: string, limit: number): WindowRule => ({ kind: 'window', id, limit, windowMs: MINUTE, amount: 1 });
const tpm = (id: string, limit: number, amount: number): WindowRule => ({ kind: 'window', id, limit, windowMs: MINUTE, amount });
const slots = (id: string, limit: number, leaseMs = 60_000): ConcurrencyRule => ({ kind: 'concurrency', id, limit, leaseMs });
const budget = (id: string, limitUsd: number, amountUsd: number, more: Partial<BudgetRule> = {}): BudgetRule => ({
  kind: 'budget',
  id,
  limitUsd,
  amountUsd,
  periodEndMs: T0 + 86_400_000,
  leaseMs: 600_000,
  ...more,
});

function admitted(result: AcquireResult): Reservation {
  assert.ok(result.ok, `expected admission, got ${JSON.stringify(result)}`);
  return result.reservation;
}

function refused(result: AcquireResult): Extract<AcquireResult, { ok: false }> {
  assert.ok(!result.ok, `expected refusal, got ${JSON.stringify(result.states)}`);
  return result;
}

const remainingOf = (result: AcquireResult, id: string) => result.states.find((state) => state.id === id)?.remaining;

/** Seeded pseudo-random numbers (mulberry32), so a failure replays. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export function limitStoreSuite(name: string, open: () => Promise<StoreFixture>, options: { skip?: string | false } = {}): void {
  const withStores = (fn: (stores: LimitStore[], one: LimitStore) => Promise<void>) => async () => {
    const fixture = await open();
    try {
      await fn(fixture.stores, fixture.stores[0]!);
    } finally {
      await fixture.close();
    }
  };
  /** The i-th store, round robin: concurrent calls spread over every instance. */
  const pick = (stores: LimitStore[], i: number) => stores[i % stores.length]!;

  describe(`limit store: ${name}`, { skip: options.skip ?? false }, () => {
    test('burst: rpm 60, 200 concurrent acquires over every instance, exactly 60 admitted', withStores(async (stores) => {
      const rules = [rpm('burst', 60)];
      const results = await Promise.all(Array.from({ length: 200 }, (_, i) => pick(stores, i).acquire(rules)));
      assert.equal(results.filter((result) => result.ok).length, 60);
      const denial = refused(results.find((result) => !result.ok)!);
      assert.equal(denial.deniedBy, 'burst');
      assert.ok(denial.retryAfterMs !== undefined && denial.retryAfterMs > 0 && denial.retryAfterMs <= MINUTE + 1_000, `retry after ${denial.retryAfterMs}`);
      const remaining = results.filter((result) => result.ok).map((result) => remainingOf(result, 'burst')).sort((a, b) => a! - b!);
      assert.deepEqual(remaining, Array.from({ length: 60 }, (_, i) => i), 'remaining counts after each request: 59 down to 0');
    }));

    test('never more than N in any 60 s window, across bucket boundaries; capacity returns after the window', withStores(async (stores) => {
      const limit = 7;
      const rules = [rpm('strict', limit)];
      const next = random(42);
      const times: number[] = [];
      let now = T0 + 250;
      for (let i = 0; i < 400; i++) {
        // Steps of 0-2.5 s, often landing right before or on a 1 s bucket boundary.
        const step = next() < 0.3 ? 1_000 - (now % 1_000) - (next() < 0.5 ? 1 : 0) : Math.floor(next() * 2_500);
        now += step;
        if ((await pick(stores, i).acquire(rules, now)).ok) times.push(now);
      }
      for (const end of times) {
        const inWindow = times.filter((time) => time >= end - MINUTE && time <= end).length;
        assert.ok(inWindow <= limit, `${inWindow} requests in the 60 s window ending at +${end - T0}`);
      }
      // Conservative, not stingy: a quota frees at most one bucket (plus the gap to the next attempt) late.
      assert.ok(times.length >= limit * Math.floor((now - T0) / (61_000 + 2_500)), `only ${times.length} admitted`);

      // A full window frees exactly when its bucket leaves, as retry-after says.
      const start = Math.ceil((now + 120_000) / 1_000) * 1_000 + 100;
      for (let i = 0; i < limit; i++) admitted(await pick(stores, i).acquire(rules, start + i * 10));
      const denial = refused(await stores[0]!.acquire(rules, start + 5_000));
      const freeAt = start + 5_000 + denial.retryAfterMs!;
      assert.equal(freeAt, start - 100 + 1_000 + MINUTE, 'the first bucket leaves the window');
      refused(await stores[0]!.acquire(rules, freeAt - 1));
      const again = await pick(stores, 1).acquire(rules, freeAt);
      admitted(again);
      assert.equal(remainingOf(again, 'strict'), limit - 1, 'all of the window freed at once');
    }));

    test('retry-after waits for enough old buckets to leave; a request larger than the limit never fits', withStores(async (_, store) => {
      admitted(await store.acquire([tpm('tokens', 100, 30)], T0));
      admitted(await store.acquire([tpm('tokens', 100, 30)], T0 + 10_000));
      admitted(await store.acquire([tpm('tokens', 100, 30)], T0 + 20_000));
      const denial = refused(await store.acquire([tpm('tokens', 100, 50)], T0 + 30_000));
      assert.equal(denial.retryAfterMs, 10_000 + 1_000 + MINUTE - 30_000, 'two buckets must leave: the second one leaves at +71 s');
      assert.equal(remainingOf(denial, 'tokens'), 10, 'a refusal reports what is left before it');
      assert.equal(denial.states[0]!.resetMs, 20_000 + 1_000 + MINUTE - 30_000, 'reset: when the newest bucket leaves');
      admitted(await store.acquire([tpm('tokens', 100, 50)], T0 + 71_000));

      const huge = refused(await store.acquire([tpm('tokens', 100, 101)], T0 + 200_000));
      assert.equal(huge.retryAfterMs, undefined);
      assert.equal(remainingOf(huge, 'tokens'), 100);
    }));

    test('all or nothing: a key whose team is out of requests is refused and keeps its own quota', withStores(async (_, store) => {
      for (let i = 0; i < 3; i++) admitted(await store.acquire([rpm('team', 3)], T0 + i));
      const denial = refused(await store.acquire([rpm('key', 5), rpm('team', 3), slots('key-slots', 10)], T0 + 10));
      assert.equal(denial.deniedBy, 'team');
      assert.equal(remainingOf(denial, 'key'), 5);
      assert.equal(remainingOf(denial, 'key-slots'), 10);
      const alone = await store.acquire([rpm('key', 5), slots('key-slots', 10)], T0 + 20);
      assert.equal(remainingOf(alone, 'key'), 4, 'the refusal took nothing from the key');
      assert.equal(remainingOf(alone, 'key-slots'), 9, 'nor a slot');
    }));

    test('the refusing rule reported is the one that frees last, and retry-after waits for it', withStores(async (_, store) => {
      admitted(await store.acquire([rpm('soon', 1)], T0 + 50_000));
      admitted(await store.acquire([rpm('late', 1), slots('busy', 1)], T0 + 55_000));
      const denial = refused(await store.acquire([rpm('soon', 1), rpm('late', 1), slots('busy', 1)], T0 + 56_000));
      assert.equal(denial.deniedBy, 'late');
      assert.equal(denial.retryAfterMs, 55_000 + 1_000 + MINUTE - 56_000);
      const never = refused(await store.acquire([rpm('soon', 1), slots('none', 0)], T0 + 56_000));
      assert.equal(never.deniedBy, 'none');
      assert.equal(never.retryAfterMs, undefined);
    }));

    test('tpm: settling to the real count frees capacity; settling twice does nothing', withStores(async (stores) => {
      const [one, two = one] = [stores[0]!, stores[1]];
      const first = admitted(await one.acquire([tpm('tpm', 1_000, 800)], T0));
      refused(await two.acquire([tpm('tpm', 1_000, 800)], T0 + 1_500));
      await one.settle(first, { tpm: 100 });
      const second = await two.acquire([tpm('tpm', 1_000, 800)], T0 + 2_000);
      assert.equal(remainingOf(second, 'tpm'), 100);
      await one.settle(first, { tpm: 0 });
      await one.settle(first, { tpm: 1_000 });
      const check = refused(await one.acquire([tpm('tpm', 1_000, 101)], T0 + 3_000));
      assert.equal(remainingOf(check, 'tpm'), 100, 'later settles changed nothing');

      // More than estimated is counted too (never below zero when less).
      await two.settle(admitted(second), { tpm: 850 });
      assert.equal(remainingOf(refused(await one.acquire([tpm('tpm', 1_000, 100)], T0 + 4_000)), 'tpm'), 50);
      const small = admitted(await one.acquire([tpm('small', 10, 2)], T0));
      await one.settle(small, { small: -5 });
      assert.equal(remainingOf(await one.acquire([tpm('small', 10, 1)], T0 + 1), 'small'), 9);
      // A rule absent from `actual` keeps its reserved amount.
      const kept = admitted(await one.acquire([tpm('kept', 10, 4)], T0));
      await one.settle(kept, {});
      assert.equal(remainingOf(await one.acquire([tpm('kept', 10, 1)], T0 + 1), 'kept'), 5);
    }));

    test('a window correction after its bucket left the window changes nothing', withStores(async (_, store) => {
      const old = admitted(await store.acquire([tpm('late-settle', 100, 40)], T0));
      admitted(await store.acquire([tpm('late-settle', 100, 40)], T0 + MINUTE + 2_000));
      await store.settle(old, { 'late-settle': 100 });
      assert.equal(remainingOf(await store.acquire([tpm('late-settle', 100, 10)], T0 + MINUTE + 3_000), 'late-settle'), 50);
    }));

    test('concurrency: limit 2, the third waits for a release; an unreleased lease expires', withStores(async (stores) => {
      const rules = [slots('inflight', 2, 5_000)];
      const first = admitted(await pick(stores, 0).acquire(rules, T0));
      const second = await pick(stores, 1).acquire(rules, T0 + 1);
      admitted(second);
      assert.equal(remainingOf(second, 'inflight'), 0);
      const denial = refused(await pick(stores, 0).acquire(rules, T0 + 2));
      assert.equal(denial.retryAfterMs, 1_000);
      assert.equal(denial.states[0]!.resetMs, 0);
      await pick(stores, 0).settle(first);
      const third = admitted(await pick(stores, 1).acquire(rules, T0 + 3));
      await pick(stores, 0).settle(first); // twice: must not free someone else's slot
      refused(await pick(stores, 0).acquire(rules, T0 + 4));
      // Neither `second` nor `third` is released: both leases run out 5 s after they were taken.
      refused(await pick(stores, 0).acquire(rules, T0 + 5_000));
      admitted(await pick(stores, 1).acquire(rules, T0 + 5_001));
      await pick(stores, 1).settle(third);
    }));

    test('budget race: $1 limit, 50 concurrent $0.05 requests, exactly 20 admitted; real costs free the rest', withStores(async (stores) => {
      const rule = budget('spend', 1, 0.05);
      const results = await Promise.all(Array.from({ length: 50 }, (_, i) => pick(stores, i).acquire([rule], T0)));
      const winners = results.filter((result) => result.ok);
      assert.equal(winners.length, 20);
      const denial = refused(results.find((result) => !result.ok)!);
      assert.equal(denial.retryAfterMs, 86_400_000, 'until the period ends');
      assert.equal(remainingOf(denial, 'spend'), 0);
      assert.equal(await stores[0]!.budgetSpent('spend'), undefined, 'reservations are not spend');
      await Promise.all(winners.map((result, i) => pick(stores, i).settle(admitted(result), { spend: 0.01 })));
      assert.equal(await stores[0]!.budgetSpent('spend'), 0.2);
      const more = await Promise.all(Array.from({ length: 20 }, (_, i) => pick(stores, i).acquire([rule], T0 + 1)));
      assert.equal(more.filter((result) => result.ok).length, 16, '$0.80 left: 16 more');
      const last = more.find((result) => result.ok)!;
      assert.ok(last.states[0]!.remaining >= 0 && last.states[0]!.remaining < 0.8);
      // A rule absent from `actual` is charged what it reserved.
      await stores[0]!.settle(admitted(last));
      assert.equal(await stores[0]!.budgetSpent('spend'), 0.25);
    }));

    test('seedBudget sets spent only once (NX); acquires count it', withStores(async (_, store) => {
      assert.equal(await store.seedBudget('seeded', 0.7, T0 + 86_400_000), true);
      assert.equal(await store.seedBudget('seeded', 0, T0 + 86_400_000), false);
      assert.equal(await store.budgetSpent('seeded'), 0.7);
      const result = await store.acquire([budget('seeded', 1, 0.2)], T0);
      assert.equal(remainingOf(result, 'seeded'), 0.1);
      refused(await store.acquire([budget('seeded', 1, 0.2)], T0));
      // A counter created by an acquire has no spent yet, so the seed still lands.
      admitted(await store.acquire([budget('unseeded', 1, 0.2)], T0));
      assert.equal(await store.seedBudget('unseeded', 0.5, T0 + 86_400_000), true);
      assert.equal(remainingOf(await store.acquire([budget('unseeded', 1, 0.1)], T0), 'unseeded'), 0.2);
    }));

    test('budget: an expired reservation is released; a spent budget without period end never frees', withStores(async (stores) => {
      const rule = budget('leased', 1, 0.5, { leaseMs: 1_000 });
      admitted(await pick(stores, 0).acquire([rule], T0));
      admitted(await pick(stores, 1).acquire([rule], T0 + 100));
      refused(await pick(stores, 0).acquire([rule], T0 + 999));
      const after = await pick(stores, 1).acquire([rule], T0 + 1_000);
      admitted(after);
      assert.equal(remainingOf(after, 'leased'), 0, 'one old lease left, one new');
      admitted(await pick(stores, 0).acquire([{ ...rule, amountUsd: 1 }], T0 + 2_100));

      const forever = budget('total', 1, 0.6, { periodEndMs: Infinity });
      await stores[0]!.seedBudget('total', 0.5, Infinity);
      const denial = refused(await stores[0]!.acquire([forever], T0));
      assert.equal(denial.retryAfterMs, undefined);
      assert.equal(denial.states[0]!.resetMs, 0);
      assert.equal(refused(await stores[0]!.acquire([budget('tiny', 1, 1.01)], T0)).retryAfterMs, undefined, 'larger than the limit');
    }));

    test('rules of every kind in one acquire: states count after the request, settle releases each', withStores(async (_, store) => {
      const rules: LimitRule[] = [rpm('mix-rpm', 10), tpm('mix-tpm', 1_000, 300), slots('mix-slots', 2), budget('mix-budget', 2, 0.5)];
      const result = await store.acquire(rules, T0 + 500);
      const reservation = admitted(result);
      assert.deepEqual(
        result.states.map(({ id, kind, limit, remaining, resetMs }) => ({ id, kind, limit, remaining, resetMs })),
        [
          { id: 'mix-rpm', kind: 'window', limit: 10, remaining: 9, resetMs: 60_500 },
          { id: 'mix-tpm', kind: 'window', limit: 1_000, remaining: 700, resetMs: 60_500 },
          { id: 'mix-slots', kind: 'concurrency', limit: 2, remaining: 1, resetMs: 0 },
          { id: 'mix-budget', kind: 'budget', limit: 2, remaining: 1.5, resetMs: 86_400_000 - 500 },
        ],
      );
      await store.settle(reservation, { 'mix-tpm': 120, 'mix-budget': 0.25 });
      const next = await store.acquire(rules, T0 + 600);
      assert.deepEqual(
        next.states.map((state) => state.remaining),
        [8, 1_000 - 120 - 300, 1, 2 - 0.25 - 0.5],
      );
    }));

    test('an empty rule list admits and settles', withStores(async (_, store) => {
      const result = await store.acquire([], T0);
      await store.settle(admitted(result));
      assert.deepEqual(result.states, []);
    }));
  });
}
