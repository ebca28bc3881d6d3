import type { RequestContext } from './context.js';

/**
 * A request policy: runs before routing, may annotate the context or refuse the request by
 * throwing a GatewayError. Auth, limits, budgets, cache lookup and input guardrails are policies.
 */
export interface RequestPolicy {
  readonly name: string;
  apply(ctx: RequestContext): void | Promise<void>;
}

/**
 * A tap: sees every finished request (served, failed or aborted), off the response path.
 * The request log, metrics and cost accounting are taps.
 */
export interface RequestTap {
  readonly name: string;
  record(ctx: RequestContext): void;
}

/**
 * Runs the policies in order; the first refusal ends the request. Synchronous while every policy
 * is (a request no policy acts on spends no promise); async from the first that is not.
 */
export function applyPolicies(ctx: RequestContext, policies: readonly RequestPolicy[], from = 0): void | Promise<void> {
  for (let i = from; i < policies.length; i++) {
    const pending = policies[i]!.apply(ctx);
    if (pending) return pending.then(() => applyPolicies(ctx, policies, i + 1));
  }
}

/** Hands the finished request to every tap; a failing tap never affects the client or other taps. */
export function runTaps(ctx: RequestContext, taps: readonly RequestTap[], onTapError: (tap: string, error: unknown) => void): void {
  for (const tap of taps) {
    try {
      tap.record(ctx);
    } catch (error) {
      onTapError(tap.name, error);
    }
  }
}
