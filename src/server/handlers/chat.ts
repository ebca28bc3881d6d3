import type { ClientDialect } from '../../dialects/types.js';
import { GatewayError, toGatewayError } from '../../errors/gateway-error.js';
import { settleAccounting } from '../../pipeline/accounting.js';
import { formatCost } from '../../accounting/cost.js';
import { RequestContext } from '../../pipeline/context.js';
import { applyPolicies, runTaps } from '../../pipeline/lifecycle.js';
import { openChat } from '../../pipeline/open-chat.js';
import { attemptTargets, logFailedAttempts } from '../../routing/attempt.js';
import { parseFallbackHeader, resolveTargets } from '../../routing/resolve.js';
import { parseJsonObject, readRequestBody } from '../body.js';
import { sendError, sendJson, streamFrames } from '../respond.js';
import type { Handler, HandlerInput } from '../types.js';
import type { RequestTraceStart } from '../../telemetry/tracing.js';
import { cacheSettingsFor, type TargetPlan } from '../../config/plan.js';
import { callerKeyId, modelPermission } from '../auth.js';
import { maxOutputTokensOfBody, roughInputCharsOfBody } from '../../accounting/estimate.js';
import type { Admission } from '../../limits/gate.js';
import { mayBeLimited } from '../../limits/rules.js';
import type { Accounting } from '../../pipeline/accounting.js';
import { lookUpAnswer, serveCachedAnswer, storeAnswer } from './chat-cache.js';
import { guardAnswerWithWebhook } from '../../guardrails/policy.js';

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
    // Why a request was refused before it had a context, for its log row.
    let refused: GatewayError | undefined;
    try {
      const rawBody = await readRequestBody(input.request, input.plan.config.server.max_body_bytes);
      ctx = buildContext(input, dialect, headers, rawBody);
      if (input.runtime.policies.length > 0) {
        const pending = applyPolicies(ctx, input.runtime.policies);
        if (pending) await pending;
      }
      const context = ctx;
      const book = input.runtime.targetStats;
      const mayUse = modelPermission(input.caller);
      const targets = resolveTargets(ctx.plan, ctx.envelope.model, {
        book,
        sticky: ctx,
        fallbacks: parseFallbackHeader(ctx.plan, input.request.headers['x-switchyard-fallbacks'], mayUse),
        ...(mayUse && { mayUse }),
      });
      // Limits and budgets: one acquire before the first upstream call (settled when the request ends).
      const limits = input.runtime.limits;
      if (limits && mayBeLimited(ctx.plan, input.caller, ctx.envelope.model)) {
        ctx.admission = await limits.admit(
          {
            plan: ctx.plan,
            caller: input.caller,
            model: ctx.envelope.model,
            targets,
            // Only tpm and budgets need the prompt's size, read from the body as it is (no IR parse).
            cost: () => ({ inputTokens: roughTokens(roughInputCharsOfBody(context.body)), maxOutputTokens: maxOutputTokensOfBody(context.body) }),
            now: Date.now(),
            teamKeyIds: (team) => input.runtime.keys.teamKeyIds(team),
          },
          headers,
        );
      }
      // The response cache, after every check that could refuse the request: a hit is the answer.
      // (Checked here first so that requests without a cache spend no async frame on it.)
      const cacheMode = cacheSettingsFor(ctx.plan, ctx.envelope.model)?.mode;
      if (cacheMode !== undefined && cacheMode !== 'off') {
        const cached = await lookUpAnswer(input, ctx, headers);
        if (cached) return await serveCachedAnswer(input, ctx, headers, cached);
      }
      // A/B: a weighted model's pick is the request's variant (sticky users keep theirs).
      if (targets[0]?.modelPlan.routing === 'weighted') headers['x-switchyard-variant'] = ctx.variant = targets[0].key;
      const outcome = await attemptTargets(ctx, targets, (target, signal, attempt) => openChat(context, target, signal, attempt), {
        book,
        health: input.runtime.health,
        // A stream keeps its target busy until the last byte (least-busy counts it).
        holdServed: true,
      });
      heldTarget = ctx.served;
      if (ctx.served?.modelPlan.resumeStreams) ctx.resumeTargets = targets.slice(targets.indexOf(ctx.served) + 1);
      describeServed(ctx, headers);
      ctx.responseStatus = 200;
      if (outcome.kind === 'complete') {
        // The provider answered (and is paid) even when a guardrail refuses what it said.
        if (ctx.outputBlocked) throw ctx.outputBlocked;
        if (ctx.outputWebhook) outcome.payload = await guardAnswerWithWebhook(ctx, outcome.payload);
        // A JSON answer's usage is known before it is sent: its cost goes out with it.
        const settled = settleAccounting(ctx);
        headers['x-switchyard-cost-usd'] = formatCost((settled instanceof Promise ? await settled : settled).costUsd);
        if (ctx.plan.config.logging.bodies) ctx.responseBody = outcome.payload.toString();
        if (ctx.cacheDecision) ctx.cachePayload = outcome.payload;
        sendJson(input.response, 200, headers, outcome.payload);
      } else await streamFrames(input.response, headers, outcome.source);
    } catch (thrown) {
      const error = toGatewayError(thrown);
      if (ctx) {
        ctx.error = error;
        describeServed(ctx, headers);
      }
      if (error.code === 'internal_error') input.runtime.logger.error({ err: thrown, requestId: input.requestId }, 'request failed');
      if (!ctx) refused = error;
      if (!input.response.headersSent) {
        if (ctx) ctx.responseStatus = error.status;
        sendError(input.response, error, (e) => dialect.encodeError(e), headers);
      } else input.response.end();
    } finally {
      if (heldTarget) input.runtime.targetStats.ended(heldTarget);
      if (ctx) logFailedAttempts(input.runtime.logger, input.requestId, ctx.envelope.model, ctx.attempts);
      else {
        logRefused(input, dialect, refused);
        if (input.runtime.tracing !== undefined) traceRefused(input, refused);
      }
      if (ctx) {
        ctx.endedAt = performance.now();
        const done = ctx;
        const tap = (): void => {
          // A cache hit is a request (rpm, concurrency) but used no provider tokens (tpm) and cost nothing.
          if (done.admission) settleAdmission(input, done.admission, done.cachedFrom ? undefined : done.accounting);
          if (done.cacheDecision || done.cacheFlight) storeAnswer(input, done);
          runTaps(done, input.runtime.taps, (name, error) => input.runtime.logger.error({ err: error, tap: name }, 'tap failed'));
        };
        // Taps see settled tokens and cost; an estimate is counted off the request path first.
        const settled = settleAccounting(ctx);
        if (!(settled instanceof Promise)) tap();
        else {
          void settled.then(tap, (error: unknown) => {
            input.runtime.logger.error({ err: error }, 'accounting failed');
            done.cacheFlight?.finish(undefined);
            // Limits are still given back (slots freed), with what is known of the usage.
            if (done.admission) settleAdmission(input, done.admission, done.accounting);
          });
        }
      }
    }
  };
}

function buildContext(input: HandlerInput, dialect: ClientDialect, headers: Record<string, string>, rawBody: Buffer): RequestContext {
  const body = parseJsonObject(rawBody);
  const ctx = new RequestContext({
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
    caller: input.caller,
  });
  const tags = input.request.headers['x-switchyard-tags'];
  if (tags !== undefined) ctx.tags = parseTags(tags);
  // Tracing on: the request span starts now, dated from the arrival; the tracing tap ends it.
  const tracing = input.runtime.tracing;
  if (tracing !== undefined) ctx.trace = tracing.startRequest(traceStart(input, 'chat', ctx.envelope.model, body));
  return ctx;
}

/** A prompt's tokens for limits, from its length: ~4 characters a token (the tokenizer runs later, off the request path). */
export function roughTokens(characters: number): number {
  return Math.ceil(characters / 4);
}

/** Gives back what the limits reserved, corrected to the request's real tokens and cost. */
export function settleAdmission(input: HandlerInput, admission: Admission, accounting: Accounting | undefined): void {
  const usage = accounting?.usage;
  const tokens = usage ? usage.inputTokens + usage.outputTokens : 0;
  input.runtime.limits?.settle(admission, tokens, accounting?.costUsd ?? 0, input.plan.config.limits.budget_alerts);
}

const MAX_TAGS = 32;
const MAX_TAG_LENGTH = 128;

/** `x-switchyard-tags: a,b`: free labels for the log and usage grouping, trimmed, without duplicates. */
export function parseTags(header: string | string[]): string[] {
  const tags = [...new Set((Array.isArray(header) ? header.join(',') : header).split(',').map((tag) => tag.trim()).filter((tag) => tag !== ''))];
  if (tags.length > MAX_TAGS) throw new GatewayError('invalid_request', `x-switchyard-tags: at most ${MAX_TAGS} tags, got ${tags.length}`, { param: 'x-switchyard-tags' });
  const long = tags.find((tag) => tag.length > MAX_TAG_LENGTH);
  if (long) throw new GatewayError('invalid_request', `x-switchyard-tags: each tag at most ${MAX_TAG_LENGTH} characters ("${long.slice(0, 20)}…")`, { param: 'x-switchyard-tags' });
  return tags;
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

/** What a request span starts with (chat and embeddings). */
export function traceStart(
  input: HandlerInput,
  operation: RequestTraceStart['operation'],
  model: string | undefined,
  body: Record<string, unknown> | undefined,
): RequestTraceStart {
  return {
    operation,
    model,
    headers: input.request.headers,
    startedAt: input.startedAt,
    requestId: input.requestId,
    route: (input.request.url ?? '/').split('?')[0]!,
    body,
  };
}

/** A request refused before it had a context still gets its span, with the error. */
function traceRefused(input: HandlerInput, error: GatewayError | undefined): void {
  input.runtime.tracing!.startRequest(traceStart(input, 'chat', undefined, undefined)).end({
    status: error?.status ?? input.response.statusCode,
    error,
    attempts: [],
    endedAt: performance.now(),
    stream: false,
  });
}

/** A request refused before it had a context (unreadable body, too large, no model): logged all the same. */
function logRefused(input: HandlerInput, dialect: ClientDialect, error: GatewayError | undefined): void {
  input.runtime.requestLog?.recordExchange({
    id: input.requestId,
    api: dialect.name === 'anthropic-messages' ? 'messages' : 'chat.completions',
    plan: input.plan,
    startedAt: input.startedAt,
    keyId: callerKeyId(input.caller),
    model: null,
    served: undefined,
    attempts: [],
    status: error?.status ?? input.response.statusCode,
    error,
    inputTokens: 0,
    tags: [],
  });
}
