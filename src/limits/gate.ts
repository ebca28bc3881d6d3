import { GatewayError } from '../errors/gateway-error.js';
import type { StorageHandle } from '../storage/handle.js';
import type { Logger } from '../telemetry/logger.js';
import { formatUsd, sendBudgetAlert } from './alerts.js';
import { setBounded } from '../routing/bounded-map.js';
import { rulesFor, type RuleContext, type RuleLabel } from './rules.js';
import { BUDGET_KEPT_AFTER_PERIOD_MS, type LimitStore, type Reservation, type RuleState } from './store.js';

/** What an admitted request holds until it ends: its reservation, and what settling it needs. */
export interface Admission {
  readonly reservation: Reservation;
  readonly tokenRules: readonly string[];
  readonly budgetRules: ReadonlyArray<{ id: string; label: RuleLabel }>;
}

export interface GateHooks {
  /** A request refused by a limit or budget (`switchyard_ratelimited_total`). */
  onRefused(): void;
  /** The limit store (Redis) or the spend lookup failed (`switchyard_limit_store_errors_total`). */
  onStoreError(): void;
}

/** Budgets seeded from the accounting data in this process (ids name their period, so this only grows per period). */
const MAX_SEEDED = 100_000;

/**
 * Rate limits and budgets around the core proxy: `admit` before the first upstream call (one
 * atomic acquire in the limit store: in process, or one Redis round trip), `settle` after the
 * request with its real tokens and cost. A budget's counter starts from the spend the request log
 * holds for its period (read once per period and process, then kept by the store). When the store
 * cannot be reached, `limits.on_store_error` decides: serve without limits (`open`) or 503.
 */
export class LimitGate {
  readonly #seeded = new Map<string, Promise<void>>();
  /** Budget id (its period included) → the highest alert threshold known to be claimed. */
  readonly #claimedThresholds = new Map<string, number>();
  /**
   * Settlements (and their alerts) still running, and who waits for none to be: a count, not a Set
   * of promises, because per-request add/delete on a long-lived Set makes V8 promote every
   * request's objects (docs/PERFORMANCE.md, "Long-lived collections").
   */
  #settling = 0;
  #idleWaiters: Array<() => void> = [];
  #lastErrorLogAt = 0;

  constructor(
    readonly store: LimitStore,
    private readonly storage: StorageHandle | undefined,
    private readonly logger: Logger,
    private readonly hooks: GateHooks,
  ) {}

  /**
   * Checks and takes every limit the request is held to. Returns undefined when none applies (or the
   * store failed open); throws 429 `rate_limit_exceeded` / `budget_exceeded`, or 503 when it failed closed.
   * Rate-limit headers are added to `headers` either way.
   */
  async admit(context: Omit<RuleContext, 'leaseMs'>, headers: Record<string, string>): Promise<Admission | undefined> {
    const limits = context.plan.config.limits;
    const { rules, labels } = rulesFor({ ...context, leaseMs: limits.lease_s * 1000 });
    if (rules.length === 0) return undefined;
    const unavailable = (what: string): GatewayError =>
      new GatewayError('service_unavailable', `${what} cannot be checked right now (${what === 'budgets' ? 'the request log is unavailable' : 'the limit store is unavailable'}); retry shortly`);
    let active = rules;
    for (const rule of rules) {
      if (rule.kind !== 'budget') continue;
      try {
        await this.#seed(rule.id, labels.get(rule.id)!, context.now);
      } catch (error) {
        // A budget whose past spend cannot be read (storage not open yet, or down) is not enforced
        // for this request under `open` (the other limits still are); under `closed` it is a 503.
        this.hooks.onStoreError();
        this.#logStoreError(error);
        if (limits.on_store_error === 'closed') throw unavailable('budgets');
        active = active.filter((r) => r.id !== rule.id);
      }
    }
    if (active.length === 0) return undefined;
    let result;
    try {
      result = await this.store.acquire(active);
    } catch (error) {
      this.hooks.onStoreError();
      this.#logStoreError(error);
      if (limits.on_store_error === 'closed') throw unavailable('rate limits and budgets');
      return undefined;
    }
    describeStates(result.states, labels, headers);
    if (!result.ok) {
      this.hooks.onRefused();
      if (result.retryAfterMs !== undefined) headers['retry-after'] = String(Math.max(1, Math.ceil(result.retryAfterMs / 1000)));
      const label = labels.get(result.deniedBy)!;
      const state = result.states.find((s) => s.id === result.deniedBy)!;
      const rule = active.find((r) => r.id === result.deniedBy)!;
      throw refusal(label, state, rule.kind === 'budget' ? rule.amountUsd : rule.kind === 'window' ? rule.amount : 1, result.retryAfterMs);
    }
    return {
      reservation: result.reservation,
      tokenRules: active.filter((rule) => rule.kind === 'window' && labels.get(rule.id)!.what === 'tpm').map((rule) => rule.id),
      budgetRules: active.filter((rule) => rule.kind === 'budget').map((rule) => ({ id: rule.id, label: labels.get(rule.id)! })),
    };
  }

  /** Corrects the reservation to what the request really used; off the request path, errors logged. */
  settle(admission: Admission, tokens: number, costUsd: number, alerts?: { webhook: string; thresholds: readonly number[] }): void {
    const actual: Record<string, number> = {};
    for (const id of admission.tokenRules) actual[id] = tokens;
    for (const { id } of admission.budgetRules) actual[id] = costUsd;
    const settling = this.store.settle(admission.reservation, actual).then(
      async (spent) => {
        if (!alerts || costUsd <= 0) return;
        await Promise.all(
          admission.budgetRules.map((budget) => (spent[budget.id] === undefined ? undefined : this.#alert(budget.id, budget.label, spent[budget.id]!, alerts))),
        );
      },
      (error: unknown) => {
        this.hooks.onStoreError();
        this.#logStoreError(error);
      },
    );
    this.#settling++;
    void settling.finally(() => {
      if (--this.#settling > 0) return;
      const waiters = this.#idleWaiters;
      this.#idleWaiters = [];
      for (const wake of waiters) wake();
    });
  }

  /** Resolves once every settlement started so far is done (shutdown, and tests that count what was settled). */
  idle(): Promise<void> {
    if (this.#settling === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  async close(): Promise<void> {
    // Settlements in flight get a moment (an unreachable Redis or alert webhook does not hold shutdown).
    await Promise.race([this.idle(), new Promise((resolve) => setTimeout(resolve, 2_000).unref())]);
    await this.store.close();
  }

  /** Starts a budget's counter from the request log's spend in its period, once per period and process. */
  #seed(id: string, label: RuleLabel, now: number): Promise<void> {
    let seeding = this.#seeded.get(id);
    if (!seeding) {
      const budget = label.budget!;
      seeding = (async () => {
        if (!this.storage) return;
        const spent = await this.storage.get().spendOf(budget.keyIds(), budget.start, now);
        await this.store.seedBudget(id, spent, budget.end);
      })();
      setBounded(this.#seeded, id, seeding, MAX_SEEDED);
      // A failed seed is tried again by the next request.
      seeding.catch(() => this.#seeded.delete(id));
    }
    return seeding;
  }

  /**
   * Posts the alert for the highest threshold `spent` has crossed, once across instances. The spent
   * comes with the settle; thresholds already claimed (here or by another instance) are remembered,
   * so a budget past them costs no store call per request.
   */
  async #alert(id: string, label: RuleLabel, spent: number, alerts: { webhook: string; thresholds: readonly number[] }): Promise<void> {
    try {
      const budget = label.budget!;
      const percent = (spent / budget.usd) * 100;
      const known = this.#claimedThresholds.get(id) ?? 0;
      // The highest threshold crossed is announced; lower ones are claimed with it, so a jump from 40% to 90% sends one alert.
      const crossed = [...alerts.thresholds].sort((a, b) => b - a).filter((threshold) => percent >= threshold && threshold > known);
      if (crossed.length === 0) return;
      const keep = Number.isFinite(budget.end) ? budget.end - Date.now() + BUDGET_KEPT_AFTER_PERIOD_MS : 365 * 24 * 3_600_000;
      const claimed: number[] = [];
      for (const threshold of crossed) if (await this.store.claimOnce(`alert:${id}:${threshold}`, keep)) claimed.push(threshold);
      // Claimed here or elsewhere, these are done (a claim that failed above is tried again next time).
      setBounded(this.#claimedThresholds, id, Math.max(known, crossed[0]!), MAX_SEEDED);
      if (claimed.length > 0) await sendBudgetAlert(alerts.webhook, { id, label, threshold: Math.max(...claimed), spentUsd: spent }, this.logger);
    } catch (error) {
      this.#logStoreError(error);
    }
  }

  #logStoreError(error: unknown): void {
    if (Date.now() - this.#lastErrorLogAt < 10_000) return;
    this.#lastErrorLogAt = Date.now();
    this.logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'limit store unavailable');
  }
}

/** `x-ratelimit-*` (OpenAI's names): the tightest requests-per-minute and tokens-per-minute rule. */
function describeStates(states: readonly RuleState[], labels: ReadonlyMap<string, RuleLabel>, headers: Record<string, string>): void {
  let requests: RuleState | undefined;
  let tokens: RuleState | undefined;
  for (const state of states) {
    const what = labels.get(state.id)?.what;
    if (what === 'rpm' && (!requests || state.remaining < requests.remaining)) requests = state;
    else if (what === 'tpm' && (!tokens || state.remaining < tokens.remaining)) tokens = state;
  }
  if (requests) {
    headers['x-ratelimit-limit-requests'] = String(requests.limit);
    headers['x-ratelimit-remaining-requests'] = String(requests.remaining);
    headers['x-ratelimit-reset-requests'] = `${Math.ceil(requests.resetMs / 1000)}s`;
  }
  if (tokens) {
    headers['x-ratelimit-limit-tokens'] = String(tokens.limit);
    headers['x-ratelimit-remaining-tokens'] = String(tokens.remaining);
    headers['x-ratelimit-reset-tokens'] = `${Math.ceil(tokens.resetMs / 1000)}s`;
  }
}

const PERIOD_WORDS = { day: 'daily', week: 'weekly', month: 'monthly', total: 'total' } as const;

function refusal(label: RuleLabel, state: RuleState, amount: number, retryAfterMs: number | undefined): GatewayError {
  const wait = retryAfterMs === undefined ? '' : `; retry after ${Math.max(1, Math.ceil(retryAfterMs / 1000))} s`;
  switch (label.what) {
    case 'rpm':
      return new GatewayError('rate_limit_exceeded', `rate limit exceeded: ${label.scope} allows ${state.limit} requests per minute (rpm)${wait}`);
    case 'tpm':
      return new GatewayError(
        'rate_limit_exceeded',
        retryAfterMs === undefined
          ? `rate limit exceeded: ${label.scope} allows ${state.limit} tokens per minute (tpm), and this request alone may use ${amount}`
          : `rate limit exceeded: ${label.scope} allows ${state.limit} tokens per minute (tpm); ${state.remaining} are left and this request may use ${amount}${wait}`,
      );
    case 'concurrency':
      return new GatewayError('rate_limit_exceeded', `rate limit exceeded: ${label.scope} allows ${state.limit} concurrent requests (concurrency)${wait}`);
    case 'budget': {
      const budget = label.budget!;
      const resets = Number.isFinite(budget.end) ? `; it resets at ${new Date(budget.end).toISOString()}` : '';
      return new GatewayError(
        'budget_exceeded',
        `budget exceeded: ${label.scope} has a ${PERIOD_WORDS[budget.period]} budget of ${formatUsd(budget.usd)}, ${formatUsd(state.remaining)} is left and this request may cost up to ${formatUsd(amount)}${resets}`,
      );
    }
  }
}
