/**
 * Every error the gateway can answer with, in one table: stable code → HTTP status, the error
 * `type` each client dialect uses, and whether routing may retry the same target.
 */
export interface ErrorSpec {
  status: number;
  openaiType: string;
  anthropicType: string;
  retryable: boolean;
}

const spec = (status: number, openaiType: string, anthropicType: string, retryable = false): ErrorSpec => ({
  status,
  openaiType,
  anthropicType,
  retryable,
});

export const ERROR_CODES = {
  // Client input
  invalid_json: spec(400, 'invalid_request_error', 'invalid_request_error'),
  invalid_request: spec(400, 'invalid_request_error', 'invalid_request_error'),
  unsupported_feature: spec(400, 'invalid_request_error', 'invalid_request_error'),
  request_too_large: spec(413, 'invalid_request_error', 'request_too_large'),
  not_found: spec(404, 'invalid_request_error', 'not_found_error'),
  method_not_allowed: spec(405, 'invalid_request_error', 'invalid_request_error'),
  unsupported_media_type: spec(415, 'invalid_request_error', 'invalid_request_error'),
  // Routing
  model_not_found: spec(404, 'invalid_request_error', 'not_found_error'),
  model_not_allowed: spec(403, 'permission_error', 'permission_error'),
  conflict: spec(409, 'invalid_request_error', 'invalid_request_error'),
  // Keys and limits
  invalid_api_key: spec(401, 'authentication_error', 'authentication_error'),
  /** A valid key on a route it may not use (an ordinary key on /admin). */
  permission_denied: spec(403, 'permission_error', 'permission_error'),
  rate_limit_exceeded: spec(429, 'rate_limit_error', 'rate_limit_error'),
  budget_exceeded: spec(429, 'rate_limit_error', 'rate_limit_error'),
  // Upstream, as seen by the client after the gateway gave up
  upstream_bad_request: spec(400, 'invalid_request_error', 'invalid_request_error'),
  upstream_not_found: spec(404, 'invalid_request_error', 'not_found_error'),
  upstream_unprocessable: spec(422, 'invalid_request_error', 'invalid_request_error'),
  upstream_auth_failed: spec(502, 'upstream_error', 'api_error'),
  upstream_rate_limited: spec(429, 'rate_limit_error', 'rate_limit_error', true),
  upstream_overloaded: spec(503, 'server_error', 'overloaded_error', true),
  upstream_error: spec(502, 'server_error', 'api_error', true),
  upstream_timeout: spec(504, 'timeout_error', 'timeout_error', true),
  upstream_unreachable: spec(502, 'server_error', 'api_error', true),
  upstream_invalid_response: spec(502, 'server_error', 'api_error'),
  content_filtered: spec(400, 'invalid_request_error', 'invalid_request_error'),
  /** A guardrail refused the request or its answer (docs/GUARDRAILS.md); never retried elsewhere. */
  guardrail_blocked: spec(400, 'invalid_request_error', 'invalid_request_error'),
  context_length_exceeded: spec(400, 'invalid_request_error', 'invalid_request_error'),
  client_disconnected: spec(499, 'invalid_request_error', 'invalid_request_error'),
  /** A hedged call aborted because the other call answered first (never sent to a client). */
  hedge_lost: spec(499, 'invalid_request_error', 'invalid_request_error'),
  // The gateway itself
  service_unavailable: spec(503, 'server_error', 'overloaded_error'),
  internal_error: spec(500, 'server_error', 'api_error'),
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERROR_CODES;
