import { openaiChatDialect } from '../../dialects/openai-chat/index.js';
import { GatewayError, toGatewayError } from '../../errors/gateway-error.js';
import { embedWith } from '../../pipeline/embed.js';
import { guardEmbeddingInput } from '../../guardrails/policy.js';
import { attemptTargets, logFailedAttempts, type AttemptState } from '../../routing/attempt.js';
import { parseFallbackHeader, resolveTargets } from '../../routing/resolve.js';
import { parseJsonObject, readRequestBody } from '../body.js';
import { sendError, sendJson } from '../respond.js';
import type { Handler } from '../types.js';
import { describeServed, parseTags, roughTokens, traceStart } from './chat.js';
import { costUsd } from '../../accounting/cost.js';
import { callerKeyId, modelPermission } from '../auth.js';
import type { Admission } from '../../limits/gate.js';
import { mayBeLimited } from '../../limits/rules.js';

/** POST /v1/embeddings (OpenAI format) against any provider that embeds. */
export const embeddingsHandler: Handler = async (input) => {
  const headers: Record<string, string> = { 'x-request-id': input.requestId };
  const state: AttemptState = { signal: input.signal, attempts: [] };
  let model: string | null = null;
  let inputTokens = 0;
  let failure: GatewayError | undefined;
  let tags: string[] = [];
  let admission: Admission | undefined;
  try {
    const tagHeader = input.request.headers['x-switchyard-tags'];
    if (tagHeader !== undefined) tags = parseTags(tagHeader);
    const rawBody = await readRequestBody(input.request, input.plan.config.server.max_body_bytes);
    const body = parseJsonObject(rawBody);
    const request = openaiChatDialect.parseEmbeddingsRequest(body);
    model = request.model;
    // PII and input deny rules apply to texts sent to be embedded too (placeholders are never restored: a vector has none).
    request.input = guardEmbeddingInput(input.plan, request.model, input.caller, request.input);
    // Tracing on: the request span starts now, dated from the arrival; ended below.
    const tracing = input.runtime.tracing;
    if (tracing !== undefined) state.trace = tracing.startRequest(traceStart(input, 'embeddings', model, body));
    const book = input.runtime.targetStats;
    const mayUse = modelPermission(input.caller);
    const targets = resolveTargets(input.plan, request.model, {
      book,
      fallbacks: parseFallbackHeader(input.plan, input.request.headers['x-switchyard-fallbacks'], mayUse),
      ...(mayUse && { mayUse }),
    });
    const limits = input.runtime.limits;
    if (limits && mayBeLimited(input.plan, input.caller, request.model)) {
      admission = await limits.admit(
        {
          plan: input.plan,
          caller: input.caller,
          model: request.model,
          targets,
          cost: () => ({ inputTokens: roughTokens(request.input.reduce((sum, text) => sum + text.length, 0)), maxOutputTokens: 0 }),
          now: Date.now(),
          teamKeyIds: (team) => input.runtime.keys.teamKeyIds(team),
        },
        headers,
      );
    }
    const response = await attemptTargets(state, targets, (target, signal, attempt) => embedWith(target, request, signal, attempt), {
      book,
      health: input.runtime.health,
    });
    describeServed(state, headers);
    inputTokens = response.usage?.inputTokens ?? 0;
    sendJson(input.response, 200, headers, JSON.stringify(openaiChatDialect.encodeEmbeddingsResponse(response, request.encodingFormat)));
  } catch (thrown) {
    failure = toGatewayError(thrown);
    describeServed(state, headers);
    sendError(input.response, failure, (e) => openaiChatDialect.encodeError(e), headers);
  } finally {
    logFailedAttempts(input.runtime.logger, input.requestId, 'embeddings', state.attempts);
    if (admission) {
      const price = state.served?.pricing;
      const cost = price ? costUsd({ inputTokens, outputTokens: 0 }, price) : 0;
      input.runtime.limits?.settle(admission, inputTokens, cost, input.plan.config.limits.budget_alerts);
    }
    input.runtime.requestLog?.recordExchange({
      id: input.requestId,
      api: 'embeddings',
      plan: input.plan,
      startedAt: input.startedAt,
      keyId: callerKeyId(input.caller),
      model,
      served: state.served,
      attempts: state.attempts,
      status: failure?.status ?? 200,
      error: failure,
      inputTokens,
      tags,
    });
    if (input.runtime.tracing !== undefined) {
      const price = state.served?.pricing;
      const usage = { inputTokens, outputTokens: 0 };
      // A request refused before its body was read gets its span now.
      (state.trace ?? input.runtime.tracing.startRequest(traceStart(input, 'embeddings', undefined, undefined))).end({
        status: failure?.status ?? 200,
        error: failure,
        served: state.served,
        attempts: state.attempts,
        endedAt: performance.now(),
        stream: false,
        ...(failure === undefined && { usage, costUsd: price ? costUsd(usage, price) : 0 }),
      });
    }
  }
};
