import type { ClientDialect } from '../../dialects/types.js';
import { toGatewayError } from '../../errors/gateway-error.js';
import { RequestContext } from '../../pipeline/context.js';
import { applyPolicies, runTaps } from '../../pipeline/lifecycle.js';
import { openChat } from '../../pipeline/open-chat.js';
import { attemptTargets, logFailedAttempts } from '../../routing/attempt.js';
import { parseFallbackHeader, resolveTargets } from '../../routing/resolve.js';
import { parseJsonObject, readRequestBody } from '../body.js';
import { sendError, sendJson, streamFrames } from '../respond.js';
import type { Handler, HandlerInput } from '../types.js';
import type { TargetPlan } from '../../config/plan.js';

/**
 * The chat endpoint for one client dialect (/v1/chat/completions or /v1/messages): parse,
 * policies, routing over targets, then the answer written as JSON or as a stream.
 */
export function chatHandler(dialect: ClientDialect): Handler {
  return async (input) => {
    const headers: Record<string, string> = { 'x-request-id': input.requestId };
    let ctx: RequestContext | undefined;
    // The target counted in flight until the answer is over (a resumed stream may change `served`).
    let heldTarget: TargetPlan | undefined;
    try {
      const rawBody = await readRequestBody(input.request, input.plan.config.server.max_body_bytes);
      ctx = buildContext(input, dialect, headers, rawBody);
      if (input.runtime.policies.length > 0) await applyPolicies(ctx, input.runtime.policies);
      const context = ctx;
      const book = input.runtime.targetStats;
      const targets = resolveTargets(ctx.plan, ctx.envelope.model, {
        book,
        sticky: ctx,
        fallbacks: parseFallbackHeader(ctx.plan, input.request.headers['x-switchyard-fallbacks']),
      });
      // A/B: a weighted model's pick is the request's variant (sticky users keep theirs).
      if (targets[0]?.modelPlan.routing === 'weighted') headers['x-switchyard-variant'] = ctx.variant = targets[0].key;
      const outcome = await attemptTargets(ctx, targets, (target, signal) => openChat(context, target, signal), {
        book,
        health: input.runtime.health,
        // A stream keeps its target busy until the last byte (least-busy counts it).
        holdServed: true,
      });
      heldTarget = ctx.served;
      if (ctx.served?.modelPlan.resumeStreams) ctx.resumeTargets = targets.slice(targets.indexOf(ctx.served) + 1);
      describeServed(ctx, headers);
      ctx.responseStatus = 200;
      if (outcome.kind === 'complete') sendJson(input.response, 200, headers, outcome.payload);
      else await streamFrames(input.response, headers, outcome.source);
    } catch (thrown) {
      const error = toGatewayError(thrown);
      if (ctx) {
        ctx.error = error;
        describeServed(ctx, headers);
      }
      if (error.code === 'internal_error') input.runtime.logger.error({ err: thrown, requestId: input.requestId }, 'request failed');
      if (!input.response.headersSent) {
        if (ctx) ctx.responseStatus = error.status;
        sendError(input.response, error, (e) => dialect.encodeError(e), headers);
      } else input.response.end();
    } finally {
      if (heldTarget) input.runtime.targetStats.ended(heldTarget);
      if (ctx) logFailedAttempts(input.runtime.logger, input.requestId, ctx.envelope.model, ctx.attempts);
      if (ctx) runTaps(ctx, input.runtime.taps, (tap, error) => input.runtime.logger.error({ err: error, tap }, 'tap failed'));
    }
  };
}

function buildContext(input: HandlerInput, dialect: ClientDialect, headers: Record<string, string>, rawBody: Buffer): RequestContext {
  const body = parseJsonObject(rawBody);
  return new RequestContext({
    id: input.requestId,
    startedAt: input.startedAt,
    plan: input.plan,
    dialect,
    clientHeaders: input.request.headers,
    signal: input.signal,
    body,
    rawBody,
    envelope: dialect.parseEnvelope(body),
    responseHeaders: headers,
  });
}

/** `x-switchyard-provider`, `-model`, `-attempts` for whichever target answered (or failed last). */
export function describeServed(
  ctx: Pick<RequestContext, 'served' | 'attempts'>,
  headers: Record<string, string>,
): void {
  if (ctx.served) {
    headers['x-switchyard-provider'] = ctx.served.provider.config.name;
    headers['x-switchyard-model'] = ctx.served.model;
  }
  headers['x-switchyard-attempts'] = String(ctx.attempts.length);
}
