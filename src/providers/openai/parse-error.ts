import type { ErrorCode } from '../../errors/codes.js';
import { GatewayError } from '../../errors/gateway-error.js';
import { codeForUpstreamStatus, upstreamError } from '../../errors/upstream.js';
import type { UpstreamHeaders } from '../types.js';
import type { OpenAIErrorBody } from './api-types.js';

const CONTEXT_LENGTH_MESSAGE = /maximum context length|context length exceeded|context window|maximum prompt length|prompt is too long/i;
const CONTENT_FILTER_CODES = new Set(['content_filter', 'content_policy_violation', 'ResponsibleAIPolicyViolation']);

/** An upstream error answer (status, headers, raw body) → GatewayError keeping the provider's message. */
export function parseOpenAIError(provider: string, status: number, headers: UpstreamHeaders, bodyText: string): GatewayError {
  let body: unknown;
  try {
    body = JSON.parse(bodyText);
  } catch {
    const text = bodyText.trim().slice(0, 1000);
    return upstreamError(provider, status, text || `HTTP ${status}`, headers);
  }
  return errorFromBody(provider, status, headers, body);
}

/**
 * A parsed error body → GatewayError. Takes OpenAI's `{"error":{message,type,param,code}}` and the
 * shapes compatible servers use (top-level `message`/`detail`, `error` as a string).
 */
export function errorFromBody(provider: string, status: number, headers: UpstreamHeaders, body: unknown): GatewayError {
  const record = isRecord(body) ? body : {};
  const detail: OpenAIErrorBody = isRecord(record.error) ? record.error : record;
  const message =
    text(detail.message) ?? text(record.message) ?? text(record.detail) ?? text(record.error) ?? `HTTP ${status}`;
  const code = refineCode(status, detail, message);
  const error = upstreamError(provider, status, message, headers, code);
  // An exhausted quota is a 429 that waiting will not fix: fail over, do not retry the same target.
  if (detail.code === 'insufficient_quota') return withRetryable(error, false);
  return error;
}

function refineCode(status: number, detail: OpenAIErrorBody, message: string): ErrorCode {
  const codes = [detail.code, detail.type, detail.innererror?.code].filter((value): value is string => typeof value === 'string');
  if (codes.includes('context_length_exceeded')) return 'context_length_exceeded';
  if (codes.some((code) => CONTENT_FILTER_CODES.has(code))) return 'content_filtered';
  if (codes.includes('invalid_prompt') && /flagged|usage polic/i.test(message)) return 'content_filtered';
  if (status < 500 && status !== 429 && CONTEXT_LENGTH_MESSAGE.test(message)) return 'context_length_exceeded';
  return codeForUpstreamStatus(status);
}

function withRetryable(error: GatewayError, retryable: boolean): GatewayError {
  return new GatewayError(error.code, error.message, {
    provider: error.provider,
    upstreamStatus: error.upstreamStatus,
    retryAfterS: error.retryAfterS,
    retryable,
  });
}

function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value || undefined;
  // Mistral's validation errors put an object in `message`.
  if (isRecord(value) || Array.isArray(value)) return JSON.stringify(value);
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
