import { Leases } from './leases.js';
import { fromNanoUsd, toNanoUsd } from './money.js';
import { RecentMap } from './recent-map.js';
import {
  CONCURRENCY_RETRY_AFTER_MS,
  type AcquireResult,
  type BudgetRule,
  type BudgetsSpent,
  type LimitRule,
  type LimitStore,
  type Reservation,
  type RuleState,
  type Taken,
} from './store.js';
import { WindowCounter } from './window-counter.js';
import { bucketMs, wholeUnits } from './window-math.js';

/** A rule's wait in a check: fits now, or refuses for some ms, or forever. */
const FITS = -1;
const NEVER = Infinity;

class BudgetCounter {
  /** Settled spend in nano-USD; undefined until seeded or first settled (so a seed still applies). */
  spentNano: number | undefined = undefined;
  readonly leases = new Leases();
  recent = false;
}

/**
 * Limits for a single gateway instance (no Redis configured). Node runs one acquire at a time, so
 * check-then-take is atomic without locks. Memory is bounded: at most `maxIds` ids per kind, the least
 * recently used forgotten first (a forgotten window or slot set starts empty; a forgotten budget must be
 * seeded again). No timers: expired buckets and leases are dropped when their id is next used.
 */
export class InProcessLimitStore implements LimitStore {
  readonly #windows: RecentMap<WindowCounter>;
  readonly #slots: RecentMap<Leases>;
  readonly #budgets: RecentMap<BudgetCounter>;
  /** claimOnce: id → until when it is claimed. */
  readonly #claims: RecentMap<{ until: number; recent: boolean }>;
  #lastReservation = 0;
  /** Per-rule scratch reused across calls: units in use, each rule's (clamped) now, and its counter. */
  #used = new Float64Array(8);
  #now = new Float64Array(8);
  readonly #counters: Array<WindowCounter | Leases | BudgetCounter> = [];

  constructor(options: { maxIds?: number } = {}) {
    this.#windows = new RecentMap(options.maxIds);
    this.#slots = new RecentMap(options.maxIds);
    this.#budgets = new RecentMap(options.maxIds);
    this.#claims = new RecentMap(options.maxIds);
  }

  acquire(rules: readonly LimitRule[], nowMs = Date.now()): Promise<AcquireResult> {
    return Promise.resolve(this.acquireNow(rules, nowMs));
  }

  /** `acquire` without the promise, for callers on the hot path that know the store is in process. */
  acquireNow(rules: readonly LimitRule[], nowMs = Date.now()): AcquireResult {
    if (this.#used.length < rules.length) {
      this.#used = new Float64Array(rules.length * 2);
      this.#now = new Float64Array(rules.length * 2);
    }
    let deniedAt = -1;
    let worstWait = FITS;
    for (let index = 0; index < rules.length; index++) {
      const wait = this.#check(rules[index]!, index, nowMs);
      if (wait > worstWait) {
        worstWait = wait;
        deniedAt = index;
      }
    }
    if (deniedAt >= 0) {
      const states = rules.map((rule, index) => this.#state(rule, index, false));
      return { ok: false, deniedBy: rules[deniedAt]!.id, retryAfterMs: worstWait === NEVER ? undefined : worstWait, states };
    }
    const id = String(++this.#lastReservation);
    const taken: Taken[] = new Array(rules.length);
    for (let index = 0; index < rules.length; index++) taken[index] = this.#take(rules[index]!, index, id);
    const states = rules.map((rule, index) => this.#state(rule, index, true));
    return { ok: true, reservation: { id, taken, settled: false }, states };
  }

  async settle(reservation: Reservation, actual: Readonly<Record<string, number>> = {}): Promise<BudgetsSpent> {
    const spent: Record<string, number> = {};
    if (reservation.settled) return spent;
    reservation.settled = true;
    for (const taken of reservation.taken) {
      const real = actual[taken.id];
      if (taken.kind === 'window') {
        const counter = this.#windows.get(taken.id);
        if (real !== undefined && counter?.windowMs === taken.windowMs) counter.adjust(taken.bucket, wholeUnits(real) - taken.amount);
      } else if (taken.kind === 'concurrency') {
        this.#slots.get(taken.id)?.release(reservation.id);
      } else {
        const counter = this.#budgets.get(taken.id);
        if (!counter) continue; // forgotten: the accounting database has the cost for the next seed
        counter.leases.release(reservation.id);
        counter.spentNano = (counter.spentNano ?? 0) + (real === undefined ? taken.amountNanoUsd : toNanoUsd(real));
        spent[taken.id] = fromNanoUsd(counter.spentNano);
      }
    }
    return spent;
  }

  async seedBudget(id: string, spentUsd: number, _periodEndMs: number): Promise<boolean> {
    const counter = this.#budget(id);
    if (counter.spentNano !== undefined) return false;
    counter.spentNano = toNanoUsd(spentUsd);
    return true;
  }

  async budgetSpent(id: string): Promise<number | undefined> {
    const spent = this.#budgets.get(id)?.spentNano;
    return spent === undefined ? undefined : fromNanoUsd(spent);
  }

  async claimOnce(id: string, ttlMs: number, nowMs = Date.now()): Promise<boolean> {
    const until = this.#claims.get(id);
    if (until !== undefined && until.until > nowMs) return false;
    this.#claims.set(id, { until: nowMs + ttlMs, recent: false });
    return true;
  }

  backend(): { kind: 'memory' } {
    return { kind: 'memory' };
  }

  async close(): Promise<void> {}

  /** Drops what has expired, records what the rule has in use, and says how long it would refuse. */
  #check(rule: LimitRule, index: number, nowMs: number): number {
    switch (rule.kind) {
      case 'window': {
        const counter = this.#window(rule.id, rule.windowMs);
        this.#counters[index] = counter;
        const now = counter.clamp(nowMs);
        const used = counter.used(now);
        const amount = wholeUnits(rule.amount);
        this.#now[index] = now;
        this.#used[index] = used;
        if (amount > rule.limit) return NEVER;
        return used + amount <= rule.limit ? FITS : counter.fitsAt(now, used, amount, rule.limit) - now;
      }
      case 'concurrency': {
        const leases = this.#leases(rule.id);
        this.#counters[index] = leases;
        leases.expire(nowMs);
        if (leases.size + 1 > rule.limit) leases.expire(nowMs, true);
        this.#now[index] = nowMs;
        this.#used[index] = leases.size;
        if (rule.limit < 1) return NEVER;
        return leases.size + 1 <= rule.limit ? FITS : CONCURRENCY_RETRY_AFTER_MS;
      }
      case 'budget': {
        const counter = this.#budget(rule.id);
        this.#counters[index] = counter;
        const limit = toNanoUsd(rule.limitUsd);
        const amount = toNanoUsd(rule.amountUsd);
        counter.leases.expire(nowMs);
        if ((counter.spentNano ?? 0) + counter.leases.total + amount > limit) counter.leases.expire(nowMs, true);
        const used = (counter.spentNano ?? 0) + counter.leases.total;
        this.#now[index] = nowMs;
        this.#used[index] = used;
        if (amount > limit) return NEVER;
        if (used + amount <= limit) return FITS;
        return Number.isFinite(rule.periodEndMs) ? Math.max(0, rule.periodEndMs - nowMs) : NEVER;
      }
    }
  }

  #take(rule: LimitRule, index: number, reservationId: string): Taken {
    switch (rule.kind) {
      case 'window': {
        const amount = wholeUnits(rule.amount);
        const bucket = (this.#counters[index] as WindowCounter).take(this.#now[index]!, amount);
        return { kind: 'window', id: rule.id, windowMs: rule.windowMs, bucket, amount };
      }
      case 'concurrency':
        (this.#counters[index] as Leases).add(reservationId, 1, this.#now[index]! + rule.leaseMs);
        return { kind: 'concurrency', id: rule.id };
      case 'budget': {
        const amountNanoUsd = toNanoUsd(rule.amountUsd);
        (this.#counters[index] as BudgetCounter).leases.add(reservationId, amountNanoUsd, this.#now[index]! + rule.leaseMs);
        return { kind: 'budget', id: rule.id, amountNanoUsd };
      }
    }
  }

  /** The rule's state after this request (`taken`) or before it (refused). */
  #state(rule: LimitRule, index: number, taken: boolean): RuleState {
    const used = this.#used[index]!;
    const now = this.#now[index]!;
    switch (rule.kind) {
      case 'window': {
        const spent = used + (taken ? wholeUnits(rule.amount) : 0);
        const resetMs = (this.#counters[index] as WindowCounter).emptyAt(now) - now;
        return { id: rule.id, kind: 'window', limit: rule.limit, remaining: Math.max(0, rule.limit - spent), resetMs };
      }
      case 'concurrency':
        return { id: rule.id, kind: 'concurrency', limit: rule.limit, remaining: Math.max(0, rule.limit - used - (taken ? 1 : 0)), resetMs: 0 };
      case 'budget':
        return budgetState(rule, used + (taken ? toNanoUsd(rule.amountUsd) : 0), now);
    }
  }

  #window(id: string, windowMs: number): WindowCounter {
    let counter = this.#windows.get(id);
    // A window whose length changed (config reload) starts over rather than misreading old buckets.
    if (!counter || counter.windowMs !== windowMs) {
      counter = new WindowCounter(windowMs, bucketMs(windowMs));
      this.#windows.set(id, counter);
    }
    return counter;
  }

  #leases(id: string): Leases {
    let leases = this.#slots.get(id);
    if (!leases) {
      leases = new Leases();
      this.#slots.set(id, leases);
    }
    return leases;
  }

  #budget(id: string): BudgetCounter {
    let counter = this.#budgets.get(id);
    if (!counter) {
      counter = new BudgetCounter();
      this.#budgets.set(id, counter);
    }
    return counter;
  }
}

/** A budget's state from nano-USD in use (spent + reserved, this request included when admitted). */
export function budgetState(rule: BudgetRule, usedNano: number, nowMs: number): RuleState {
  const remaining = fromNanoUsd(Math.max(0, toNanoUsd(rule.limitUsd) - usedNano));
  const resetMs = Number.isFinite(rule.periodEndMs) ? Math.max(0, rule.periodEndMs - nowMs) : 0;
  return { id: rule.id, kind: 'budget', limit: rule.limitUsd, remaining, resetMs };
}
