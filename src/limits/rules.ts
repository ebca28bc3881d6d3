import type { Plan, TargetPlan } from '../config/plan.js';
import type { Budget, BudgetPeriod, Limits } from '../keys/records.js';
import type { Caller } from '../server/auth.js';
import type { LimitRule } from './store.js';

/**
 * Which limits a request is held to, as rules for the limit store: the key's, its team's, the
 * model's and the gateway's rpm / tpm / concurrency, and the key's and team's budgets. Rule ids
 * name their scope, so one counter serves every request of a key (or team, model) on every instance.
 */

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 3_600_000;
/** Output tokens a budget check assumes when neither the request (`max_tokens`) nor the target (`max_output_tokens`) bounds them. */
export const DEFAULT_MAX_OUTPUT_TOKENS = 8_192;

/** What a rule stands for, for 429 messages and headers. */
export interface RuleLabel {
  /** `key "ci-bot"`, `team "ml"`, `model "fast"`, `the gateway`. */
  scope: string;
  what: 'rpm' | 'tpm' | 'concurrency' | 'budget';
  budget?: { usd: number; period: BudgetPeriod; start: number; end: number; keyIds: () => readonly string[] };
}

export interface RequestCost {
  /** Estimated prompt tokens. */
  inputTokens: number;
  /** The client's `max_tokens`, if it sent one. */
  maxOutputTokens: number | undefined;
}

export interface RuleSet {
  rules: LimitRule[];
  labels: Map<string, RuleLabel>;
}

/** [start, end) of the budget period holding `now`, in UTC (weeks start on Monday). */
export function budgetPeriod(period: BudgetPeriod, now: number): { start: number; end: number } {
  if (period === 'total') return { start: 0, end: Number.POSITIVE_INFINITY };
  const day = now - (now % DAY_MS);
  if (period === 'day') return { start: day, end: day + DAY_MS };
  if (period === 'week') {
    const start = day - ((new Date(day).getUTCDay() + 6) % 7) * DAY_MS;
    return { start, end: start + 7 * DAY_MS };
  }
  const date = new Date(now);
  return { start: Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1), end: Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1) };
}

/**
 * The most this request can cost on any of its targets: prompt tokens and the output bound at the
 * target's prices (a fallback may serve it, so the dearest target counts).
 */
export function maxCostUsd(targets: readonly TargetPlan[], cost: RequestCost): number {
  let max = 0;
  for (const target of targets) {
    const price = target.pricing;
    if (!price) continue;
    const output = cost.maxOutputTokens ?? target.maxOutputTokens ?? DEFAULT_MAX_OUTPUT_TOKENS;
    max = Math.max(max, (cost.inputTokens * price.input_per_mtok + output * price.output_per_mtok) / 1e6);
  }
  return max;
}

export interface RuleContext {
  plan: Plan;
  caller: Caller;
  model: string;
  targets: readonly TargetPlan[];
  /** Computed only when a tpm limit or a budget applies (it walks the prompt). */
  cost(): RequestCost;
  leaseMs: number;
  now: number;
  /** Key ids of a team (its budget is the spend of all of them). */
  teamKeyIds(team: string): readonly string[];
}

/**
 * Whether any limit can apply to this caller and model: a virtual key (its own, its team's), the
 * model's or the gateway's. Checked first so an unlimited request builds nothing.
 */
export function mayBeLimited(plan: Plan, caller: Caller, model: string): boolean {
  return (caller.kind === 'key' && caller.key.limited) || plan.config.limits.global !== undefined || plan.config.models[model]?.limits !== undefined;
}

export function rulesFor(context: RuleContext): RuleSet {
  const set: RuleSet = { rules: [], labels: new Map() };
  const { plan, caller } = context;
  let cost: RequestCost | undefined;
  const requestCost = (): RequestCost => (cost ??= context.cost());
  const addLimits = (prefix: string, scope: string, limits: Limits | null | undefined): void => {
    if (!limits) return;
    if (limits.rpm !== undefined) add(set, { kind: 'window', id: `${prefix}:rpm`, limit: limits.rpm, windowMs: MINUTE_MS, amount: 1 }, { scope, what: 'rpm' });
    if (limits.tpm !== undefined) {
      const tokens = requestCost().inputTokens + (requestCost().maxOutputTokens ?? 0);
      add(set, { kind: 'window', id: `${prefix}:tpm`, limit: limits.tpm, windowMs: MINUTE_MS, amount: tokens }, { scope, what: 'tpm' });
    }
    if (limits.concurrency !== undefined) {
      add(set, { kind: 'concurrency', id: `${prefix}:concurrency`, limit: limits.concurrency, leaseMs: context.leaseMs }, { scope, what: 'concurrency' });
    }
  };
  let maxCost: number | undefined;
  const addBudget = (prefix: string, scope: string, budget: Budget | null | undefined, keyIds: () => readonly string[]): void => {
    if (!budget) return;
    maxCost ??= maxCostUsd(context.targets, requestCost());
    const { start, end } = budgetPeriod(budget.period, context.now);
    add(
      set,
      { kind: 'budget', id: `${prefix}:budget:${budget.period}:${start}`, limitUsd: budget.usd, periodEndMs: end, amountUsd: maxCost, leaseMs: context.leaseMs },
      { scope, what: 'budget', budget: { usd: budget.usd, period: budget.period, start, end, keyIds } },
    );
  };

  if (caller.kind === 'key') {
    const key = caller.key;
    addLimits(`key:${key.id}`, `key "${key.name}"`, key.limits);
    addBudget(`key:${key.id}`, `key "${key.name}"`, key.budget, () => [key.id]);
    const teamName = key.team;
    const team = teamName === null ? undefined : plan.config.teams[teamName];
    if (teamName !== null && team) {
      addLimits(`team:${teamName}`, `team "${teamName}"`, team.limits);
      addBudget(`team:${teamName}`, `team "${teamName}"`, team.budget, () => context.teamKeyIds(teamName));
    }
  }
  addLimits(`model:${context.model}`, `model "${context.model}"`, plan.config.models[context.model]?.limits);
  addLimits('global', 'the gateway', plan.config.limits.global);
  return set;
}

function add(set: RuleSet, rule: LimitRule, label: RuleLabel): void {
  set.rules.push(rule);
  set.labels.set(rule.id, label);
}
