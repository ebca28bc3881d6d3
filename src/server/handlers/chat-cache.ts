import { formatCost } from '../../accounting/cost.js';
import type { CachedAnswer } from '../../cache/response-cache.js';
import { cacheSettingsFor, type CacheSettings } from '../../config/plan.js';
import { partsOfStoreKey } from '../../cache/key.js';
import { semanticPromptOf } from '../../cache/semantic/prompt.js';
import { partitionOf } from '../../cache/semantic/record.js';
import type { SemanticQuery } from '../../cache/semantic/semantic-cache.js';
import { embedOwnText, type OwnEmbedding } from '../../pipeline/embed.js';
import { GatewayError, toGatewayError } from '../../errors/gateway-error.js';
import { newRequestId } from '../request-id.js';
import { ResponseAccumulator, responseToEvents } from '../../cache/replay.js';
import type { ChatResponse } from '../../ir/chat.js';
import type { RequestContext } from '../../pipeline/context.js';
import { pumpIterable } from '../../pipeline/pump.js';
import { sendJson, streamFrames } from '../respond.js';
import type { HandlerInput } from '../types.js';

/**
 * The response cache's part of a chat request, after auth, routing checks and limits: decides
 * whether the cache applies, looks the answer up (`x-switchyard-cache: miss | bypass | hit |
 * semantic-hit`), and
 * arms the capture of this answer for storing. Returns the stored answer on a hit.
 */
export async function lookUpAnswer(input: HandlerInput, ctx: RequestContext, headers: Record<string, string>): Promise<CachedAnswer | undefined> {
  const cache = input.runtime.cache;
  // Masked values make the answer this request's own (its placeholders stand for its values).
  if (ctx.guardrails?.masked) return undefined;
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
    // Not this request, nor the same one in flight: perhaps one worded alike.
    if (config!.mode === 'semantic') {
      const semantic = await lookUpSimilar(input, ctx, config!, decision.key, headers);
      if (semantic) {
        ctx.cacheResult = headers['x-switchyard-cache'] = 'semantic-hit';
        // The identical requests waiting for this one get the same answer.
        ctx.cacheFlight?.finish(semantic);
        ctx.cacheFlight = undefined;
        return semantic;
      }
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

/**
 * The semantic lookup of a request the exact cache missed: embeds its conversation with the
 * configured embedding model and serves the nearest cached answer that is similar enough and
 * guarded the same (`x-switchyard-cache-score`); otherwise says why the nearest was not served
 * (`x-switchyard-cache-near-miss`) and keeps the embedding to file this answer under.
 */
async function lookUpSimilar(input: HandlerInput, ctx: RequestContext, config: CacheSettings, key: string, headers: Record<string, string>): Promise<CachedAnswer | undefined> {
  const semantic = input.runtime.semanticCache;
  const embeddingModel = config.embedding_model;
  const parts = partsOfStoreKey(key);
  if (!semantic || embeddingModel === undefined || !parts) return undefined;
  const prompt = semanticPromptOf(ctx.request);
  if ('skip' in prompt) return undefined;
  const vector = await embedForCache(input, ctx, embeddingModel, prompt.text);
  if (!vector) return undefined;
  const query: SemanticQuery = {
    partition: partitionOf(parts.namespace, parts.model, ctx.dialect.name, embeddingModel),
    namespace: parts.namespace,
    model: parts.model,
    guard: prompt.guard,
    vector,
  };
  const outcome = await semantic.lookup(query, config.threshold);
  if (outcome.kind === 'hit') {
    headers['x-switchyard-cache-score'] = outcome.score.toFixed(4);
    return outcome.answer;
  }
  ctx.semanticQuery = query;
  if (outcome.nearMiss) {
    headers['x-switchyard-cache-near-miss'] = outcome.nearMiss.reason;
    headers['x-switchyard-cache-score'] = outcome.nearMiss.score.toFixed(4);
  }
  return undefined;
}

/**
 * The gateway's own embeddings call for the semantic cache, logged as an `embeddings` request
 * (tag `semantic-cache`, no key: the gateway's spend, not the caller's). Undefined when it failed:
 * the request then goes on as a plain miss.
 */
async function embedForCache(input: HandlerInput, ctx: RequestContext, model: string, text: string): Promise<Float32Array | undefined> {
  const startedAt = performance.now();
  let embedding: OwnEmbedding | undefined;
  let failure: GatewayError | undefined;
  try {
    embedding = await embedOwnText(ctx.plan, model, text, ctx.signal, { book: input.runtime.targetStats, health: input.runtime.health });
    return embedding.vector;
  } catch (error) {
    failure = toGatewayError(error);
    if (!ctx.signal.aborted) input.runtime.logger.warn({ err: failure.message, model, requestId: ctx.id }, 'semantic cache: embedding the prompt failed; looked up as a plain miss');
    return undefined;
  } finally {
    input.runtime.requestLog?.recordExchange({
      id: newRequestId(),
      api: 'embeddings',
      plan: ctx.plan,
      startedAt,
      keyId: null,
      model,
      served: embedding?.state.served,
      attempts: embedding?.state.attempts ?? [],
      status: failure?.status ?? 200,
      error: failure,
      inputTokens: embedding?.inputTokens ?? 0,
      tags: ['semantic-cache'],
    });
  }
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
    const query = ctx.semanticQuery;
    const semantic = input.runtime.semanticCache;
    entry = input.runtime.cache?.write(
      decision,
      {
        response,
        ...(ctx.cachePayload !== undefined && { json: ctx.cachePayload.toString() }),
        provider: served.provider.config.name,
        model: served.model,
        costUsd: ctx.accounting?.costUsd ?? 0,
      },
      // Filed under its prompt only once stored: another instance's lookup must find the answer.
      query && semantic ? (expiresAt) => semantic.remember(query, decision.key, expiresAt) : undefined,
    );
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
