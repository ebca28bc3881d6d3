import type { ErrorCode } from '../../errors/codes.js';
import { codeForUpstreamStatus, upstreamError } from '../../errors/upstream.js';
import type { GatewayError } from '../../errors/gateway-error.js';
import type { UpstreamHeaders } from '../types.js';
import type { AnthropicWireError } from './anthropic-api-types.js';

/** The HTTP status Anthropic uses for each error type, for errors that arrive inside a stream. */
const STATUS_BY_TYPE: Record<string, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  billing_error: 402,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  timeout_error: 504,
  overloaded_error: 529,
};

const CONTEXT_LENGTH = /prompt is too long|exceeds? (the )?(model's )?context|context (window|limit)|maximum context length/i;
const CONTENT_FILTER = /content filtering policy|blocked by content filter/i;

function refineCode(status: number, error: AnthropicWireError): ErrorCode {
  const message = error.message ?? '';
  if (CONTEXT_LENGTH.test(message)) return 'context_length_exceeded';
  if (CONTENT_FILTER.test(message)) return 'content_filtered';
  if (error.type === 'overloaded_error') return 'upstream_overloaded';
  if (error.type === 'billing_error') return 'upstream_auth_failed';
  return codeForUpstreamStatus(status);
}

/** The `error` object of an Anthropic error body, if the body is one. */
function errorObject(body: string): AnthropicWireError | undefined {
  try {
    const parsed = JSON.parse(body) as { error?: AnthropicWireError };
    return parsed && typeof parsed.error === 'object' && parsed.error !== null ? parsed.error : undefined;
  } catch {
    return undefined;
  }
}

/**
 * An Anthropic HTTP error answer (`{"type":"error","error":{"type","message"}}`) → GatewayError
 * with the provider's message kept, retry-after honoured, context-length and content-filter
 * errors recognised, 529 overloaded → upstream_overloaded.
 */
export function parseAnthropicError(provider: string, status: number, headers: UpstreamHeaders, body: string): GatewayError {
  const error = errorObject(body) ?? {};
  const message = error.message ?? (body.trim().slice(0, 500) || `HTTP ${status}`);
  return upstreamError(provider, status, message, headers, refineCode(status, error));
}

/** An `event: error` inside a stream → GatewayError, using the status Anthropic gives that type. */
export function anthropicStreamError(provider: string, error: AnthropicWireError | undefined): GatewayError {
  const status = STATUS_BY_TYPE[error?.type ?? ''] ?? 500;
  return upstreamError(provider, status, error?.message ?? 'stream error', {}, refineCode(status, error ?? {}));
}
