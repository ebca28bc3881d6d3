import type { GatewayError } from '../../errors/gateway-error.js';
import type { ErrorCode } from '../../errors/codes.js';
import { codeForUpstreamStatus, upstreamError } from '../../errors/upstream.js';
import type { UpstreamHeaders } from '../types.js';
import type { GeminiErrorBody } from './api-types.js';

/** google.rpc status names and the HTTP status Google maps each to. */
const HTTP_STATUS_BY_RPC_STATUS: Record<string, number> = {
  INVALID_ARGUMENT: 400,
  FAILED_PRECONDITION: 400,
  OUT_OF_RANGE: 400,
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  NOT_FOUND: 404,
  ABORTED: 409,
  ALREADY_EXISTS: 409,
  RESOURCE_EXHAUSTED: 429,
  CANCELLED: 499,
  UNKNOWN: 500,
  INTERNAL: 500,
  DATA_LOSS: 500,
  UNIMPLEMENTED: 501,
  UNAVAILABLE: 503,
  DEADLINE_EXCEEDED: 504,
};

const CONTEXT_LENGTH = /input token count.*exceeds the maximum|exceeds the maximum number of tokens|context (window|length)|too many tokens/i;
const INVALID_KEY = /API key not valid|API key expired|API_KEY_INVALID/i;

/**
 * An error answer from Gemini (`{"error": {"code", "message", "status", "details"}}`, possibly
 * wrapped in the JSON array a stream starts with) as a GatewayError keeping Google's message.
 * Context-window overflows become `context_length_exceeded`, a bad API key (which Google answers
 * with 400) `upstream_auth_failed`; RetryInfo.retryDelay counts when no retry-after header came.
 */
export function parseGeminiError(provider: string, status: number, headers: UpstreamHeaders, body: string): GatewayError {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    const text = body.trim().slice(0, 500);
    return upstreamError(provider, status, text || `HTTP ${status}`, headers);
  }
  return geminiErrorFromJson(provider, status, headers, parsed);
}

/**
 * The GatewayError for an already-parsed error body. `status` is the HTTP status; in a stream
 * (HTTP 200) the body's own code or rpc status decides.
 */
export function geminiErrorFromJson(provider: string, status: number, headers: UpstreamHeaders, json: unknown): GatewayError {
  const body = (Array.isArray(json) ? json[0] : json) as GeminiErrorBody | undefined;
  const error = body?.error ?? {};
  const effectiveStatus =
    status >= 400 ? status : typeof error.code === 'number' && error.code >= 400 ? error.code : (HTTP_STATUS_BY_RPC_STATUS[error.status ?? ''] ?? 500);
  const message = error.message || error.status || `HTTP ${effectiveStatus}`;
  const retryDelay = retryDelaySeconds(error.details);
  const retryHeaders = retryDelay !== undefined && headers['retry-after'] === undefined ? { ...headers, 'retry-after': String(retryDelay) } : headers;
  return upstreamError(provider, effectiveStatus, message, retryHeaders, codeFor(effectiveStatus, error));
}

function codeFor(status: number, error: NonNullable<GeminiErrorBody['error']>): ErrorCode {
  const message = error.message ?? '';
  const reasons = (error.details ?? []).map((detail) => String(detail.reason ?? '')).join(' ');
  if (INVALID_KEY.test(message) || INVALID_KEY.test(reasons)) return 'upstream_auth_failed';
  if (status === 400 && CONTEXT_LENGTH.test(message)) return 'context_length_exceeded';
  return codeForUpstreamStatus(status);
}

/** Seconds from a google.rpc.RetryInfo detail (`"retryDelay": "34.4s"`). */
function retryDelaySeconds(details: Array<Record<string, unknown>> | undefined): number | undefined {
  for (const detail of details ?? []) {
    if (typeof detail['@type'] !== 'string' || !detail['@type'].endsWith('google.rpc.RetryInfo')) continue;
    const match = /^(\d+(?:\.\d+)?)s$/.exec(String(detail.retryDelay ?? ''));
    if (match) return Number(match[1]);
  }
  return undefined;
}
