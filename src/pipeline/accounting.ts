import { costUsd } from '../accounting/cost.js';
import { estimateInputTokens } from '../accounting/estimate.js';
import { tokenCounter } from '../accounting/token-counter.js';
import { StreamTranscript } from '../accounting/transcript.js';
import type { Usage } from '../ir/chat.js';
import type { RequestContext } from './context.js';

/** A request's tokens and spend, settled once when it ends (or before a JSON answer is sent). */
export interface Accounting {
  usage: Usage;
  /** The provider reported no usage: tokens were counted with the tokenizer. */
  estimated: boolean;
  costUsd: number;
}

const NO_USAGE: Usage = Object.freeze({ inputTokens: 0, outputTokens: 0 });

/**
 * The provider's usage when it gave one; otherwise an estimate whenever the provider may bill:
 * an answer was (at least partly) delivered, or the client left while a call was in flight. A
 * request that failed upstream with an error status is not billed and counts zero.
 *
 * Synchronous when nothing needs counting (the common case: no promise, no microtask); a promise
 * when the tokenizer (in its worker) has to count. Either way `ctx.accounting` holds the result.
 */
export function settleAccounting(ctx: RequestContext): Accounting | Promise<Accounting> {
  if (ctx.accounting) return ctx.accounting;
  const current = settleCurrent(ctx);
  const segments = ctx.segments;
  if (!(current instanceof Promise) && segments.length === 0) return (ctx.accounting = current);
  return Promise.all([current, ...segments]).then(([first, ...rest]) => (ctx.accounting = rest.reduce(addAccounting, first!)));
}

/**
 * A resumed stream (`resume_streams`) is several upstream answers in one client answer: before the
 * continuation starts, the cut answer is settled on its own (its usage or an estimate, at its
 * target's price) and kept, and the context starts counting afresh.
 */
export function closeSegment(ctx: RequestContext): void {
  ctx.segments.push(settleCurrent(ctx, true));
  delete ctx.usage;
  delete ctx.accounting;
  ctx.transcript = new StreamTranscript();
}

function addAccounting(sum: Accounting, next: Accounting): Accounting {
  const usage: Usage = {
    inputTokens: sum.usage.inputTokens + next.usage.inputTokens,
    outputTokens: sum.usage.outputTokens + next.usage.outputTokens,
  };
  const cached = (sum.usage.cachedInputTokens ?? 0) + (next.usage.cachedInputTokens ?? 0);
  const written = (sum.usage.cacheWriteInputTokens ?? 0) + (next.usage.cacheWriteInputTokens ?? 0);
  const reasoning = (sum.usage.reasoningTokens ?? 0) + (next.usage.reasoningTokens ?? 0);
  if (cached > 0) usage.cachedInputTokens = cached;
  if (written > 0) usage.cacheWriteInputTokens = written;
  if (reasoning > 0) usage.reasoningTokens = reasoning;
  return { usage, estimated: sum.estimated || next.estimated, costUsd: sum.costUsd + next.costUsd };
}

function settleCurrent(ctx: RequestContext, delivered = false): Accounting | Promise<Accounting> {
  const target = ctx.meteredTarget ?? ctx.served;
  const price = target?.pricing;
  const priced = (usage: Usage, estimated: boolean): Accounting => ({ usage, estimated, costUsd: price ? costUsd(usage, price) : 0 });
  if (ctx.usage) return priced(ctx.usage, false);
  // A continuation that delivered nothing (refused, or cut before its first word) is not billed.
  if (ctx.meteredTarget && (ctx.transcript?.empty ?? true)) return priced(NO_USAGE, false);
  if (!delivered && !mayBeBilled(ctx)) return priced(NO_USAGE, false);
  return estimateUsage(ctx, target).then((usage) => priced(usage, true));
}

function mayBeBilled(ctx: RequestContext): boolean {
  if (ctx.served?.provider.local) return false;
  if (ctx.responseStatus === 200) return true;
  const last = ctx.attempts.at(-1);
  return ctx.signal.aborted && last !== undefined && last.status === undefined && last.error?.code === 'client_disconnected';
}

async function estimateUsage(ctx: RequestContext, served: RequestContext['served']): Promise<Usage> {
  // Both texts are taken now (the transcript is replaced when a resumed stream continues).
  const transcript = ctx.transcript;
  const output = transcript?.outputTokens(served ? () => served.provider.createStreamDecoder(served.model) : undefined) ?? 0;
  let input: Promise<number>;
  try {
    input = estimateInputTokens(ctx.request);
  } catch {
    // The provider took a body the gateway's IR does not: count its text instead.
    input = tokenCounter.count(ctx.rawBody.toString());
  }
  const [inputTokens, outputTokens] = await Promise.all([input, output]);
  return { inputTokens, outputTokens };
}
