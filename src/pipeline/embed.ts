import type { Plan, TargetPlan } from '../config/plan.js';
import { GatewayError } from '../errors/gateway-error.js';
import type { EmbeddingsRequest, EmbeddingsResponse } from '../ir/chat.js';
import { tokenCounter } from '../accounting/token-counter.js';
import { attemptTargets, type AttemptState } from '../routing/attempt.js';
import { resolveTargets } from '../routing/resolve.js';
import type { HealthStore } from '../routing/health/store.js';
import type { TargetStatsBook } from '../routing/target-stats.js';
import { childLink, type AbortLink, type RequestSignal } from '../upstream/abort.js';
import type { AttemptRecord } from './context.js';
import { callProviderJson } from './upstream-call.js';

/** One embeddings call to one target: its provider's translation, or the in-process mock. */
export async function embedWith(target: TargetPlan, request: EmbeddingsRequest, signal: AbortLink, attempt: AttemptRecord): Promise<EmbeddingsResponse> {
  const { provider, model } = target;
  if (provider.local?.embed) return provider.local.embed(request, model);
  if (!provider.buildEmbeddingsRequest || !provider.parseEmbeddingsResponse) {
    throw new GatewayError('unsupported_feature', `provider "${provider.config.name}" (${provider.config.type}) does not serve embeddings`, {
      param: 'model',
    });
  }
  const upstream = await provider.buildEmbeddingsRequest(request, model);
  const parsed = await callProviderJson(provider, upstream, signal, attempt.traceHeaders);
  const response = provider.parseEmbeddingsResponse(parsed, model, request);
  // A provider without usage (Gemini) is counted with the tokenizer, in its worker.
  if (!response.usage) response.usage = { inputTokens: (await Promise.all(request.input.map((text) => tokenCounter.count(text)))).reduce((a, b) => a + b, 0) };
  return response;
}

/** What the gateway needs to make an embeddings call of its own. */
export interface EmbedRoutes {
  book: TargetStatsBook;
  health: HealthStore;
}

/** The gateway's own embeddings call (the semantic cache's): the vector, and what was called. */
export interface OwnEmbedding {
  vector: Float32Array;
  state: AttemptState;
  inputTokens: number;
}

/**
 * Embeds one text with a model this gateway serves (routing, retries and fallbacks as for a
 * client's request). Its link follows `parent` (the client leaving aborts it), but its own
 * deadline (`timeout_ms` of the embedding model) never fires the client's request.
 */
export async function embedOwnText(plan: Plan, model: string, text: string, parent: RequestSignal, routes: EmbedRoutes): Promise<OwnEmbedding> {
  const state: AttemptState = { signal: childLink(parent), attempts: [] };
  const targets = resolveTargets(plan, model, { book: routes.book });
  const request: EmbeddingsRequest = { model, input: [text] };
  const response = await attemptTargets(state, targets, (target, signal, attempt) => embedWith(target, request, signal, attempt), routes);
  const embedding = response.data[0]?.embedding;
  if (!embedding || embedding.length === 0) throw new GatewayError('upstream_invalid_response', `embedding model "${model}" returned no vector`);
  // A vector with NaN or Infinity would compare as anything: refused, the lookup is then a plain miss.
  if (!embedding.every(Number.isFinite)) throw new GatewayError('upstream_invalid_response', `embedding model "${model}" returned a vector with non-finite values`);
  return { vector: Float32Array.from(embedding), state, inputTokens: response.usage?.inputTokens ?? 0 };
}
