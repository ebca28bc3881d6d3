import { estimateInputTokens } from '../../accounting/estimate.js';
import { modelPermission } from '../auth.js';
import type { ChatRequest } from '../../ir/chat.js';
import type { TargetPlan } from '../../config/plan.js';
import {
  anthropicMessagesDialect,
  encodeCountTokensResponse,
  parseCountTokensRequest,
} from '../../dialects/anthropic-messages/index.js';
import { toGatewayError } from '../../errors/gateway-error.js';
import { callProviderJson } from '../../pipeline/upstream-call.js';
import { attemptTargets, type AttemptState } from '../../routing/attempt.js';
import { resolveTargets } from '../../routing/resolve.js';
import { parseJsonObject, readRequestBody } from '../body.js';
import { sendError, sendJson } from '../respond.js';
import type { Handler } from '../types.js';
import { describeServed } from './chat.js';
import type { AbortLink } from '../../upstream/abort.js';

/**
 * POST /v1/messages/count_tokens. Providers that count (Anthropic) are asked; for the others the
 * count is estimated locally with the o200k tokenizer, and `x-switchyard-token-count: estimated` says so.
 */
export const countTokensHandler: Handler = async (input) => {
  const headers: Record<string, string> = { 'x-request-id': input.requestId };
  const state: AttemptState = { signal: input.signal, attempts: [] };
  try {
    const rawBody = await readRequestBody(input.request, input.plan.config.server.max_body_bytes);
    const request = parseCountTokensRequest(parseJsonObject(rawBody));
    const mayUse = modelPermission(input.caller);
    const targets = resolveTargets(input.plan, request.model, mayUse ? { mayUse } : {});
    const target = targets[0]!;
    let count: number;
    if (target.provider.buildCountTokensRequest && target.provider.parseCountTokensResponse) {
      count = await attemptTargets(state, [target], (chosen, signal) => countUpstream(chosen, request, signal));
      headers['x-switchyard-token-count'] = 'provider';
    } else {
      state.served = target;
      count = await estimateInputTokens(request);
      headers['x-switchyard-token-count'] = 'estimated';
    }
    describeServed(state, headers);
    sendJson(input.response, 200, headers, JSON.stringify(encodeCountTokensResponse(count)));
  } catch (thrown) {
    describeServed(state, headers);
    sendError(input.response, toGatewayError(thrown), (e) => anthropicMessagesDialect.encodeError(e), headers);
  }
};

async function countUpstream(target: TargetPlan, request: ChatRequest, signal: AbortLink): Promise<number> {
  const { provider, model } = target;
  const upstream = await provider.buildCountTokensRequest!(request, model);
  return provider.parseCountTokensResponse!(await callProviderJson(provider, upstream, signal));
}
