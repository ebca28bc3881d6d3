import { formatCost } from '../../accounting/cost.js';
import type { CachedAnswer } from '../../cache/response-cache.js';
import { cacheSettingsFor } from '../../config/plan.js';
import { ResponseAccumulator, responseToEvents } from '../../cache/replay.js';
import type { ChatResponse } from '../../ir/chat.js';
import type { RequestContext } from '../../pipeline/context.js';
import { pumpIterable } from '../../pipeline/pump.js';
import { sendJson, streamFrames } from '../respond.js';
import type { HandlerInput } from '../types.js';

/**
 * The response cache's part of a chat request, after auth, routing checks and limits: decides
 * whether the cache applies, looks the answer up (`x-switchyard-cache: miss | bypass | hit`), and
 * arms the capture of this answer for storing. Returns the stored answer on a hit.
 */
export async function lookUpAnswer(input: HandlerInput, ctx: RequestContext, headers: Record<string, string>): Promise<CachedAnswer | undefined> {
  const cache = input.runtime.cache;
  const config = cacheSettingsFor(ctx.plan, ctx.envelope.model);
  // Keyed on the request as it goes upstream: once a policy (a guardrail) has rewritten it, the IR.
  const keyed = ctx.rewritten ? (ctx.request as unknown as Record<string, unknown>) : ctx.body;
  const decision = cache?.decide(config, ctx.dialect.name, input.caller, keyed, input.request.headers['cache-control']);
  if (!cache || !decision) return undefined;
  ctx.cacheResult = headers['x-switchyard-cache'] = decision.read ? 'miss' : 'bypass';
  if (decision.read) {
    let answer = await cache.read(decision.key);
    if (!answer && config!.singleflight) {
      // The same request already in flight here: wait for its answer rather than ask upstream again.
      const joined = cache.join(decision.key, config!.singleflight_wait_ms);
      if ('wait' in joined) answer = await joined.wait;
      else ctx.cacheFlight = joined.flight;
    }
    if (answer) {
      ctx.cacheResult = headers['x-switchyard-cache'] = 'hit';
      return answer;
    }
  }
  // Captured to be stored, or to be handed to the requests waiting for this one.
  if (decision.write || ctx.cacheFlight) {
    ctx.cacheDecision = decision;
    // Decoded streams (other dialect, in-process providers) are gathered as their events pass;
    // pass-through streams are decoded from their transcript once complete.
    if (ctx.envelope.stream) ctx.cacheCapture = new ResponseAccumulator();
  }
  return undefined;
}

/** Answers from the cache, as JSON or as a stream in the client's dialect: no upstream call, cost 0. */
export async function serveCachedAnswer(input: HandlerInput, ctx: RequestContext, headers: Record<string, string>, answer: CachedAnswer): Promise<void> {
  ctx.cachedFrom = { provider: answer.provider, model: answer.model, costUsd: answer.costUsd };
  const usage = answer.response.usage ?? { inputTokens: 0, outputTokens: 0 };
  ctx.usage = usage;
  ctx.accounting = { usage, estimated: false, costUsd: 0 };
  headers['x-switchyard-provider'] = answer.provider;
  headers['x-switchyard-model'] = answer.model;
  headers['x-switchyard-attempts'] = '0';
  ctx.responseStatus = 200;
  ctx.firstByteAt = performance.now();
  if (!ctx.envelope.stream) {
    headers['x-switchyard-cost-usd'] = formatCost(0);
    const payload = answer.json ?? JSON.stringify(ctx.dialect.encodeChatResponse(answer.response));
    if (ctx.plan.config.logging.bodies) ctx.responseBody = payload;
    sendJson(input.response, 200, headers, payload);
    return;
  }
  const encoder = ctx.dialect.createStreamEncoder({
    id: ctx.id,
    model: answer.model,
    includeUsage: ctx.envelope.streamUsage,
    created: Math.floor(Date.now() / 1000),
  });
  const frames: string[] = [];
  for (const event of responseToEvents(answer.response)) {
    const frame = encoder.encode(event);
    if (frame) frames.push(frame);
  }
  frames.push(encoder.end());
  await streamFrames(input.response, headers, { pipe: (sink) => pumpIterable(toAsync(frames), sink) });
}

/**
 * When the request is over (its cost settled): stores a complete, successful answer when the request
 * armed the cache, and hands it (or nothing) to the identical requests that waited for this one.
 */
export function storeAnswer(input: HandlerInput, ctx: RequestContext): void {
  let entry: CachedAnswer | undefined;
  try {
    const decision = ctx.cacheDecision;
    const served = ctx.served;
    if (!decision || !served || ctx.error || ctx.signal.aborted || ctx.responseStatus !== 200 || ctx.segments.length > 0) return;
    const response = completeAnswer(ctx);
    // An answer a provider marked as failed (malformed output) may well be right next time: never kept.
    if (!response || response.choices.some((choice) => choice.finishReason === 'error')) return;
    entry = input.runtime.cache?.write(decision, {
      response,
      ...(ctx.cachePayload !== undefined && { json: ctx.cachePayload.toString() }),
      provider: served.provider.config.name,
      model: served.model,
      costUsd: ctx.accounting?.costUsd ?? 0,
    });
  } finally {
    ctx.cacheFlight?.finish(entry);
  }
}

/** The answer in the IR: kept from a JSON answer, gathered from a decoded stream, or decoded from a passed-through one. */
function completeAnswer(ctx: RequestContext): ChatResponse | undefined {
  if (ctx.cacheResponse) return ctx.cacheResponse;
  const gathered = ctx.cacheCapture?.result();
  if (gathered) return gathered;
  const served = ctx.served!;
  const events = ctx.transcript?.events(() => served.provider.createStreamDecoder(served.model));
  if (!events) return undefined;
  const accumulator = new ResponseAccumulator();
  accumulator.push(events);
  return accumulator.result();
}

async function* toAsync(frames: readonly string[]): AsyncGenerator<string> {
  yield* frames;
}
