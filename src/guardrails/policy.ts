import { tokenCounter } from '../accounting/token-counter.js';
import { GatewayError } from '../errors/gateway-error.js';
import type { RequestPolicy } from '../pipeline/lifecycle.js';
import type { RequestContext } from '../pipeline/context.js';
import { guardBody, guardTexts, textSlotsOf } from './input.js';
import { OutputGuard } from './output.js';
import { guardrailsFor, type GuardrailSet } from './resolve.js';
import { GuardrailReport, MaskTable, TextGuard } from './text-guard.js';
import type { Plan } from '../config/plan.js';
import type { Caller } from '../server/auth.js';
import { askWebhook, type WebhookPayload } from './webhook.js';
import type { WebhookConfig } from './schema.js';

/**
 * The guardrails as a request policy, before routing: PII and deny rules on the request's texts
 * (replacing them, or refusing the request), `max_input_tokens`, then the webhook; and the answer's
 * guard armed for later. A request no guardrail applies to costs one lookup and no promise.
 */
export const guardrailPolicy: RequestPolicy = {
  name: 'guardrails',
  apply(ctx) {
    const set = guardrailsFor(ctx.plan, ctx.envelope.model, ctx.caller);
    if (!set) return;
    return guardRequest(ctx, set);
  },
};

async function guardRequest(ctx: RequestContext, set: GuardrailSet): Promise<void> {
  const report = (ctx.guardrails = new GuardrailReport());
  const masks = new MaskTable();
  if (set.pii) report.ran.add('pii');
  for (const rule of set.deny) report.ran.add(`deny:${rule.name}`);
  const input = new TextGuard(set, 'input', report, masks);
  const guarded = guardBody(ctx.body, input);
  if (guarded !== ctx.body) ctx.replaceBody(guarded);
  report.masked = masks.size > 0;
  if (set.maxInputTokens !== undefined) {
    report.ran.add('max_input_tokens');
    const counts = await Promise.all(textSlotsOf(ctx.body).map((slot) => tokenCounter.count(slot.text)));
    const tokens = counts.reduce((sum, count) => sum + count, 0);
    if (tokens > set.maxInputTokens) {
      report.count({ guardrail: 'max_input_tokens', type: 'tokens', action: 'block', stage: 'input' });
      throw new GatewayError('guardrail_blocked', `blocked by guardrails: the request is ${tokens} tokens, more than max_input_tokens (${set.maxInputTokens})`, { param: 'messages' });
    }
  }
  const webhook = set.webhook;
  if (webhook) report.ran.add('webhook');
  if (webhook && webhook.on !== 'output') {
    const body = await checkWithWebhook(ctx, webhook, 'input', ctx.body);
    if (body !== ctx.body) ctx.replaceBody(body);
  }
  const output = new TextGuard(set, 'output', report, masks);
  if (output.active || masks.size > 0) ctx.outputGuard = new OutputGuard(output, masks);
  if (webhook && webhook.on !== 'input') ctx.outputWebhook = webhook;
}

/**
 * The texts of an embeddings request through the input guardrails (PII, deny rules): redacted or
 * masked (the provider never sees the values), or refused. The webhook and token limit are for chat.
 */
export function guardEmbeddingInput(plan: Plan, model: string, caller: Caller, texts: string[]): string[] {
  const set = guardrailsFor(plan, model, caller);
  if (!set) return texts;
  return [...guardTexts(texts, new TextGuard(set, 'input', new GuardrailReport(), new MaskTable()))];
}

/**
 * A JSON answer through the output webhook (`on: output | both`): the same bytes, the webhook's
 * rewrite, or a refusal. Streams are not sent: they reach the client as they come.
 */
export async function guardAnswerWithWebhook(ctx: RequestContext, payload: string | Buffer): Promise<string | Buffer> {
  const webhook = ctx.outputWebhook;
  if (!webhook) return payload;
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(payload.toString()) as Record<string, unknown>;
  } catch {
    return payload;
  }
  const checked = await checkWithWebhook(ctx, webhook, 'output', body);
  return checked === body ? payload : JSON.stringify(checked);
}

async function checkWithWebhook(ctx: RequestContext, webhook: WebhookConfig, stage: 'input' | 'output', body: Record<string, unknown>): Promise<Record<string, unknown>> {
  const payload: WebhookPayload = {
    stage,
    request_id: ctx.id,
    api: ctx.dialect.name === 'anthropic-messages' ? 'messages' : 'chat.completions',
    model: ctx.envelope.model,
    key: ctx.caller.kind === 'key' ? ctx.caller.key.name : null,
    body,
  };
  const verdict = await askWebhook(webhook, payload);
  const report = ctx.guardrails!;
  report.count({ guardrail: 'webhook', type: verdict.action, action: verdict.action === 'allow' ? 'log' : verdict.action, stage });
  switch (verdict.action) {
    case 'allow':
      return body;
    case 'modify':
      return verdict.body;
    case 'deny':
      throw new GatewayError('guardrail_blocked', `blocked by guardrails: the webhook refused the ${stage === 'input' ? 'request' : 'answer'}${verdict.reason ? `: ${verdict.reason}` : ''}`);
    case 'error':
      if (verdict.allowed) return body;
      throw new GatewayError('service_unavailable', `guardrail webhook unavailable (${verdict.reason}) and on_error is block`);
  }
}
