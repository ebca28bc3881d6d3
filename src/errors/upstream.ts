import { GatewayError } from './gateway-error.js';
import type { ErrorCode } from './codes.js';

/** Which gateway code an upstream HTTP status becomes, before provider-specific refinement. */
export function codeForUpstreamStatus(status: number): ErrorCode {
  if (status === 400) return 'upstream_bad_request';
  if (status === 401 || status === 403) return 'upstream_auth_failed';
  if (status === 404) return 'upstream_not_found';
  if (status === 408) return 'upstream_timeout';
  if (status === 413) return 'request_too_large';
  if (status === 422) return 'upstream_unprocessable';
  if (status === 429) return 'upstream_rate_limited';
  if (status === 503 || status === 529) return 'upstream_overloaded';
  if (status === 504) return 'upstream_timeout';
  return 'upstream_error';
}

/** Statuses routing retries on by default (PRODUCT.md "Retries"). */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([408, 409, 429, 500, 502, 503, 504, 529]);

/** Seconds from `retry-after` (seconds or HTTP date) or `retry-after-ms`, if present and sane. */
export function parseRetryAfter(headers: Record<string, string | string[] | undefined>): number | undefined {
  const ms = headerValue(headers['retry-after-ms']);
  if (ms !== undefined && /^\d+(\.\d+)?$/.test(ms)) return Number(ms) / 1000;
  const value = headerValue(headers['retry-after']);
  if (value === undefined) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value);
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, (date - Date.now()) / 1000);
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Builds the GatewayError for an upstream failure from its status and the message a provider's
 * error body carried. Providers call this after extracting their message and type.
 */
export function upstreamError(
  provider: string,
  status: number,
  message: string,
  headers: Record<string, string | string[] | undefined> = {},
  code: ErrorCode = codeForUpstreamStatus(status),
): GatewayError {
  return new GatewayError(code, `${provider}: ${message}`, {
    provider,
    upstreamStatus: status,
    retryAfterS: parseRetryAfter(headers),
    retryable: RETRYABLE_STATUSES.has(status),
  });
}
