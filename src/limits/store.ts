/**
 * The limit engine's contract: rate limits (requests or tokens per window), concurrency and budgets
 * are all "rules" checked and taken together in one atomic `acquire`, then corrected in `settle` once
 * the request's real cost is known. Two implementations share these semantics: in process
 * (`in-process-store.ts`) and Redis (`redis-store.ts`, one script call per acquire, so every gateway
 * instance draws from the same counters).
 */

/** One limit to check and take from, atomically together with the others in the same acquire. */
export type LimitRule = WindowRule | ConcurrencyRule | BudgetRule;

/**
 * At most `limit` units (requests for rpm, tokens for tpm) in ANY `windowMs` window, never one more.
 * Amounts are whole units: a fractional amount is rounded up.
 */
export interface WindowRule {
  kind: 'window';
  id: string;
  limit: number;
  windowMs: number;
  amount: number;
}

/** At most `limit` requests in flight. A slot is a lease: an instance that dies frees it after `leaseMs`. */
export interface ConcurrencyRule {
  kind: 'concurrency';
  id: string;
  limit: number;
  leaseMs: number;
}

/**
 * Spend per period: admitted only if spent + reserved (in flight, unexpired) + `amountUsd` <= `limitUsd`.
 * `id` names the period (e.g. "key:abc:budget:2026-11-25"); `periodEndMs` only drives expiry and
 * retry-after (`Infinity` for a budget that never resets). Reservations are leases of `leaseMs`.
 */
export interface BudgetRule {
  kind: 'budget';
  id: string;
  limitUsd: number;
  periodEndMs: number;
  amountUsd: number;
  leaseMs: number;
}

export interface RuleState {
  id: string;
  kind: LimitRule['kind'];
  /** The rule's limit (USD for budgets). */
  limit: number;
  /** What is left after this request when admitted; before it when refused. Never negative. */
  remaining: number;
  /**
   * Ms until the rule is back to its full limit, for `x-ratelimit-reset-*`: windows, until everything
   * counted has left the window; budgets, until the period ends (0 without an end); concurrency, 0
   * (a slot frees when a request ends, not at a time).
   */
  resetMs: number;
}

export type AcquireResult =
  | { ok: true; reservation: Reservation; states: RuleState[] }
  | {
      ok: false;
      /** The refusing rule that frees last (first in rule order on a tie). */
      deniedBy: string;
      /**
       * Ms until every refusing rule would admit this request; `undefined` when one never will (an
       * amount larger than the limit, a concurrency limit below 1, a spent budget without a period end).
       */
      retryAfterMs: number | undefined;
      states: RuleState[];
    };

/** A budget rule's id → its spent in USD, after a settle. */
export type BudgetsSpent = Readonly<Record<string, number>>;

/** What one acquire took, for `settle`. Only the store that made it may settle it. */
export interface Reservation {
  readonly id: string;
  readonly taken: readonly Taken[];
  /** Set by the first `settle`; later calls do nothing. */
  settled: boolean;
}

export type Taken =
  | { kind: 'window'; id: string; windowMs: number; bucket: number; amount: number }
  | { kind: 'concurrency'; id: string }
  | { kind: 'budget'; id: string; amountNanoUsd: number };

export interface LimitStore {
  /**
   * All rules or none: a refusal by one rule takes nothing from the others. Rule ids must differ
   * within one call. `nowMs` is for tests; the Redis store otherwise reads the Redis server's clock.
   */
  acquire(rules: readonly LimitRule[], nowMs?: number): Promise<AcquireResult>;
  /**
   * Ends the request: `actual` maps a rule id to its real amount (tokens for a window, USD for a
   * budget). A window's bucket is corrected by the difference (never below zero, and only while that
   * bucket is still tracked); a budget's reservation is released and the real cost added to spent;
   * concurrency slots are released. A rule absent from `actual` keeps its reserved amount (a budget is
   * charged what was reserved): pass 0 explicitly for a request that cost nothing. At most once per
   * reservation: later calls resolve without doing anything, even if the first one failed.
   * Resolves with each settled budget's spent after it (USD, by rule id; budgets the store no longer
   * has are left out), so budget alerts need no read of their own.
   */
  settle(reservation: Reservation, actual?: Readonly<Record<string, number>>): Promise<BudgetsSpent>;
  /** Sets a budget's spent only if the store has none for `id` yet (SET NX); true if it was set. */
  seedBudget(id: string, spentUsd: number, periodEndMs: number): Promise<boolean>;
  /** A budget's spent (settled costs, not reservations), `undefined` if the store has none. */
  budgetSpent(id: string): Promise<number | undefined>;
  /** True for the first caller to claim `id` within `ttlMs` (on every instance): a budget alert is sent once. */
  claimOnce(id: string, ttlMs: number, nowMs?: number): Promise<boolean>;
  /** For /health/ready: where the counters live and whether that is reachable. */
  backend(): { kind: 'memory' } | { kind: 'redis'; connection: string };
  close(): Promise<void>;
}

/**
 * Retry-after for a full concurrency limit: a slot frees whenever any in-flight request ends, which
 * cannot be predicted, so clients get a short polite hint (`retry-after: 1`).
 */
export const CONCURRENCY_RETRY_AFTER_MS = 1_000;

/** A budget's counter outlives its period by this much, so late settles and admin reads still find it. */
export const BUDGET_KEPT_AFTER_PERIOD_MS = 24 * 60 * 60 * 1000;
