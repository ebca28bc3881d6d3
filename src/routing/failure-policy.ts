import type { GatewayError } from '../errors/gateway-error.js';
import type { FAILURE_KINDS } from '../config/schema.js';

export type FailureKind = (typeof FAILURE_KINDS)[number];

/** Which failures a rule matches: HTTP statuses from the provider and kinds of error. */
export interface FailureMatcher {
  readonly statuses: ReadonlySet<number>;
  readonly kinds: ReadonlySet<FailureKind>;
}

/**
 * What to do after a failed upstream call: try the same target again (`retry_on`, within
 * `retries`), or move on to the next target / fallback model (`fallback_on`). Undefined matchers
 * mean the defaults below.
 */
export interface FailurePolicy {
  readonly retryOn?: FailureMatcher;
  readonly fallbackOn?: FailureMatcher;
}

/** The kinds of a gateway error, for matching `retry_on` / `fallback_on` entries. */
export function failureKinds(error: GatewayError): FailureKind[] {
  switch (error.code) {
    case 'upstream_unreachable':
      return ['connection'];
    case 'upstream_timeout':
      return error.firstTokenTimeout ? ['first_token_timeout', 'timeout'] : ['timeout'];
    case 'upstream_rate_limited':
      return ['rate_limit'];
    case 'upstream_overloaded':
      return ['overloaded'];
    case 'upstream_error':
      return error.upstreamStatus !== undefined && error.upstreamStatus >= 500 ? ['server_error'] : [];
    case 'upstream_auth_failed':
      return ['auth'];
    case 'context_length_exceeded':
      return ['context_length'];
    case 'content_filtered':
      return ['content_filter'];
    default:
      return [];
  }
}

export function compileMatcher(entries: ReadonlyArray<number | FailureKind> | undefined): FailureMatcher | undefined {
  if (!entries) return undefined;
  const statuses = new Set<number>();
  const kinds = new Set<FailureKind>();
  for (const entry of entries) {
    if (typeof entry === 'number') statuses.add(entry);
    else kinds.add(entry);
  }
  return { statuses, kinds };
}

function matches(matcher: FailureMatcher, error: GatewayError): boolean {
  if (error.upstreamStatus !== undefined && matcher.statuses.has(error.upstreamStatus)) return true;
  return failureKinds(error).some((kind) => matcher.kinds.has(kind));
}

/**
 * Same target again? Default: the error is retryable (connection errors, timeouts, 408, 409, 429,
 * 500, 502, 503, 504, 529; see errors/upstream.ts). A first-token timeout is not retried on the same
 * target by default: a target that was that slow once is tried last, not again at once.
 */
export function shouldRetry(policy: FailurePolicy, error: GatewayError): boolean {
  if (policy.retryOn) return matches(policy.retryOn, error);
  return error.retryable && !error.firstTokenTimeout;
}

/**
 * Next target? Default: whatever is retryable, plus failures another target may not have: this
 * provider refused the gateway's own key (401/403), the prompt exceeds this model's context
 * window, or the first token took too long.
 */
export function shouldFallOver(policy: FailurePolicy, error: GatewayError): boolean {
  if (policy.fallbackOn) return matches(policy.fallbackOn, error);
  return (
    error.retryable ||
    error.firstTokenTimeout ||
    error.code === 'upstream_auth_failed' ||
    error.code === 'context_length_exceeded'
  );
}
