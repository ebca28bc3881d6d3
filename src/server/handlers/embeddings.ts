import type { EmbeddingsRequest, EmbeddingsResponse } from '../../ir/chat.js';
import type { TargetPlan } from '../../config/plan.js';
import { openaiChatDialect } from '../../dialects/openai-chat/index.js';
import { GatewayError, toGatewayError } from '../../errors/gateway-error.js';
import { callProviderJson } from '../../pipeline/upstream-call.js';
import { attemptTargets, logFailedAttempts, type AttemptState } from '../../routing/attempt.js';
import { parseFallbackHeader, resolveTargets } from '../../routing/resolve.js';
import { parseJsonObject, readRequestBody } from '../body.js';
import { sendError, sendJson } from '../respond.js';
import type { Handler } from '../types.js';
import { describeServed } from './chat.js';
import type { AbortLink } from '../../upstream/abort.js';

/** POST /v1/embeddings (OpenAI format) against any provider that embeds. */
export const embeddingsHandler: Handler = async (input) => {
  const headers: Record<string, string> = { 'x-request-id': input.requestId };
  const state: AttemptState = { signal: input.signal, attempts: [] };
  try {
    const rawBody = await readRequestBody(input.request, input.plan.config.server.max_body_bytes);
    const request = openaiChatDialect.parseEmbeddingsRequest(parseJsonObject(rawBody));
    const book = input.runtime.targetStats;
    const targets = resolveTargets(input.plan, request.model, {
      book,
      fallbacks: parseFallbackHeader(input.plan, input.request.headers['x-switchyard-fallbacks']),
    });
    const response = await attemptTargets(state, targets, (target, signal) => embedWith(target, request, signal), {
      book,
      health: input.runtime.health,
    });
    describeServed(state, headers);
    sendJson(input.response, 200, headers, JSON.stringify(openaiChatDialect.encodeEmbeddingsResponse(response, request.encodingFormat)));
  } catch (thrown) {
    describeServed(state, headers);
    sendError(input.response, toGatewayError(thrown), (e) => openaiChatDialect.encodeError(e), headers);
  } finally {
    logFailedAttempts(input.runtime.logger, input.requestId, 'embeddings', state.attempts);
  }
};

async function embedWith(target: TargetPlan, request: EmbeddingsRequest, signal: AbortLink): Promise<EmbeddingsResponse> {
  const { provider, model } = target;
  if (provider.local?.embed) return provider.local.embed(request, model);
  if (!provider.buildEmbeddingsRequest || !provider.parseEmbeddingsResponse) {
    throw new GatewayError('unsupported_feature', `provider "${provider.config.name}" (${provider.config.type}) does not serve embeddings`, {
      param: 'model',
    });
  }
  const upstream = await provider.buildEmbeddingsRequest(request, model);
  const parsed = await callProviderJson(provider, upstream, signal);
  return provider.parseEmbeddingsResponse(parsed, model, request);
}
