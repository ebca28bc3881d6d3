import type { ErrorCode } from '../../errors/codes.js';
import type { GatewayError } from '../../errors/gateway-error.js';
import { codeForUpstreamStatus, upstreamError } from '../../errors/upstream.js';
import type { UpstreamHeaders } from '../types.js';

/** The HTTP status each Bedrock exception carries (bedrock-runtime API reference). */
const EXCEPTION_STATUS: Record<string, number> = {
  ValidationException: 400,
  ServiceQuotaExceededException: 400,
  AccessDeniedException: 403,
  ResourceNotFoundException: 404,
  ModelTimeoutException: 408,
  ThrottlingException: 429,
  ModelNotReadyException: 429,
  ModelErrorException: 424,
  ModelStreamErrorException: 424,
  InternalServerException: 500,
  ServiceUnavailableException: 503,
};

const EXCEPTION_CODE: Record<string, ErrorCode> = {
  ThrottlingException: 'upstream_rate_limited',
  ModelNotReadyException: 'upstream_rate_limited',
  ServiceQuotaExceededException: 'upstream_rate_limited',
  ServiceUnavailableException: 'upstream_overloaded',
  ModelTimeoutException: 'upstream_timeout',
  ResourceNotFoundException: 'upstream_not_found',
  AccessDeniedException: 'upstream_auth_failed',
  UnrecognizedClientException: 'upstream_auth_failed',
  InvalidSignatureException: 'upstream_auth_failed',
  IncompleteSignatureException: 'upstream_auth_failed',
  MissingAuthenticationTokenException: 'upstream_auth_failed',
  ExpiredTokenException: 'upstream_auth_failed',
  ModelErrorException: 'upstream_error',
  ModelStreamErrorException: 'upstream_error',
  InternalServerException: 'upstream_error',
};

const CONTEXT_LENGTH = /too long|too many (input )?tokens|context (length|limit|window)|maximum context|exceeds? the max(imum)? (number of )?(input )?tokens/i;
const CONTENT_FILTER = /content filter|blocked by (the )?content|content policy/i;

/**
 * Maps a Bedrock error answer to a GatewayError. The exception name comes from the
 * `x-amzn-errortype` header (`ValidationException:http://...`), else from the body's `__type`;
 * the message from the JSON body's `message` (some AWS front ends write `Message`).
 */
export function parseBedrockError(provider: string, status: number, headers: UpstreamHeaders, body: string): GatewayError {
  const json = parseJsonObject(body);
  const type = exceptionName(headerValue(headers['x-amzn-errortype']) ?? stringField(json, '__type') ?? stringField(json, 'code'));
  const message = stringField(json, 'message') ?? stringField(json, 'Message') ?? (body.trim().slice(0, 500) || `HTTP ${status}`);
  return upstreamError(provider, status, type ? `${type}: ${message}` : message, headers, refineCode(type, status, message));
}

/**
 * Maps an exception frame inside a ConverseStream (`:exception-type: throttlingException`, body
 * `{"message": ...}`) to the error the same exception would have been as an HTTP answer.
 */
export function parseStreamException(provider: string, exceptionType: string, body: string): GatewayError {
  const type = exceptionType.charAt(0).toUpperCase() + exceptionType.slice(1);
  const json = parseJsonObject(body);
  const message = stringField(json, 'message') ?? stringField(json, 'Message') ?? (body.trim().slice(0, 500) || type);
  const status = EXCEPTION_STATUS[type] ?? 500;
  return upstreamError(provider, status, `${type}: ${message}`, {}, refineCode(type, status, message));
}

function refineCode(type: string | undefined, status: number, message: string): ErrorCode {
  if ((type === 'ValidationException' || type === 'ModelErrorException' || status === 400) && CONTEXT_LENGTH.test(message)) {
    return 'context_length_exceeded';
  }
  if (status === 400 && CONTENT_FILTER.test(message)) return 'content_filtered';
  return (type && EXCEPTION_CODE[type]) || codeForUpstreamStatus(status);
}

/** `ValidationException:http://internal...` or `com.amazon.coral.service#UnrecognizedClientException` → the bare name. */
function exceptionName(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  const name = raw.split(':')[0]!.split('#').pop()!.trim();
  return name === '' ? undefined : name;
}

function parseJsonObject(body: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(body);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function stringField(json: Record<string, unknown> | undefined, key: string): string | undefined {
  const value = json?.[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
