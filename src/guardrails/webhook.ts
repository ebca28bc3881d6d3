import { request } from 'undici';
import type { WebhookConfig } from './schema.js';

/** What a guardrail webhook is sent: the request (or JSON answer) in the client's dialect, and who asked. */
export interface WebhookPayload {
  stage: 'input' | 'output';
  request_id: string;
  /** `chat.completions` or `messages`: the dialect of `body`. */
  api: string;
  model: string;
  /** The caller's key name (null: the master key, an open gateway). */
  key: string | null;
  body: Record<string, unknown>;
}

/** The webhook's answer, or what its failure means under `on_error`. */
export type WebhookVerdict =
  | { action: 'allow' }
  | { action: 'deny'; reason?: string }
  | { action: 'modify'; body: Record<string, unknown> }
  | { action: 'error'; allowed: boolean; reason: string };

/** An answer larger than this is refused: a webhook returns a verdict, not a novel. */
const MAX_ANSWER_BYTES = 16 * 1024 * 1024;

/**
 * Posts the payload to `guardrails.webhook.url` and reads its verdict within `timeout_ms`:
 * `{"action":"allow"}`, `{"action":"deny","reason":"..."}` or `{"action":"modify","body":{...}}`.
 * A timeout, a network error, a non-2xx status or an answer that is none of those is an `error`
 * verdict, allowed or not as `on_error` says (fail open or closed). Never throws.
 */
export async function askWebhook(config: WebhookConfig, payload: WebhookPayload, parent?: AbortSignal): Promise<WebhookVerdict> {
  const failed = (reason: string): WebhookVerdict => ({ action: 'error', allowed: config.on_error === 'allow', reason });
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), config.timeout_ms);
  const onParentAbort = (): void => controller.abort();
  parent?.addEventListener('abort', onParentAbort, { once: true });
  try {
    const response = await request(config.url, {
      method: 'POST',
      headers: { ...config.headers, 'content-type': 'application/json', 'user-agent': 'switchyard-guardrail' },
      body: JSON.stringify(payload),
      signal: controller.signal,
    });
    const text = await response.body.text();
    if (response.statusCode < 200 || response.statusCode >= 300) return failed(`answered ${response.statusCode}`);
    if (text.length > MAX_ANSWER_BYTES) return failed('answer too large');
    return verdictOf(text) ?? failed('answer is not {"action": "allow" | "deny" | "modify"}');
  } catch {
    return failed(controller.signal.aborted && !parent?.aborted ? `no answer within ${config.timeout_ms} ms` : 'unreachable');
  } finally {
    clearTimeout(timer);
    parent?.removeEventListener('abort', onParentAbort);
  }
}

function verdictOf(text: string): WebhookVerdict | undefined {
  let answer: unknown;
  try {
    answer = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (answer === null || typeof answer !== 'object') return undefined;
  const { action, reason, body } = answer as Record<string, unknown>;
  if (action === 'allow') return { action: 'allow' };
  if (action === 'deny') return typeof reason === 'string' ? { action: 'deny', reason: reason.slice(0, 500) } : { action: 'deny' };
  if (action === 'modify' && body !== null && typeof body === 'object' && !Array.isArray(body)) return { action: 'modify', body: body as Record<string, unknown> };
  return undefined;
}
