import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createAnthropicProvider } from './index.js';

const provider = createAnthropicProvider({ name: 'claude', type: 'anthropic', baseUrl: 'https://api.anthropic.com', headers: {}, timeoutMs: 1000 });
const body = (type: string, message: string) => JSON.stringify({ type: 'error', error: { type, message }, request_id: 'req_1' });

function mapped(status: number, text: string, headers: Record<string, string> = {}) {
  const error = provider.parseError(status, headers, text);
  return { code: error.code, status: error.status, retryable: error.retryable, message: error.message, retryAfterS: error.retryAfterS, provider: error.provider, upstreamStatus: error.upstreamStatus };
}

test('each Anthropic error status and type maps to the right gateway code', () => {
  const cases: Array<[number, string, string, string, number, boolean]> = [
    [400, 'invalid_request_error', 'messages.0.role: Input should be user', 'upstream_bad_request', 400, false],
    [401, 'authentication_error', 'invalid x-api-key', 'upstream_auth_failed', 502, false],
    [402, 'billing_error', 'Your credit balance is too low', 'upstream_auth_failed', 502, false],
    [403, 'permission_error', 'no access', 'upstream_auth_failed', 502, false],
    [404, 'not_found_error', 'model: claude-9', 'upstream_not_found', 404, false],
    [413, 'request_too_large', 'Request exceeds the maximum allowed number of bytes.', 'request_too_large', 413, false],
    [429, 'rate_limit_error', 'Number of request tokens has exceeded your per-minute rate limit', 'upstream_rate_limited', 429, true],
    [500, 'api_error', 'Internal server error', 'upstream_error', 502, true],
    [504, 'timeout_error', 'Request timed out', 'upstream_timeout', 504, true],
    [529, 'overloaded_error', 'Overloaded', 'upstream_overloaded', 503, true],
  ];
  for (const [status, type, message, code, gatewayStatus, retryable] of cases) {
    const error = mapped(status, body(type, message));
    assert.deepEqual(
      [error.code, error.status, error.retryable, error.message, error.provider, error.upstreamStatus],
      [code, gatewayStatus, retryable, `claude: ${message}`, 'claude', status],
      `${status} ${type}`,
    );
  }
});

test('context-length and content-filter errors are recognised from the message', () => {
  assert.equal(mapped(400, body('invalid_request_error', 'prompt is too long: 208310 tokens > 200000 maximum')).code, 'context_length_exceeded');
  assert.equal(
    mapped(400, body('invalid_request_error', 'input length and `max_tokens` exceed context limit: 198000 + 8192 > 200000, decrease input length or `max_tokens` and try again')).code,
    'context_length_exceeded',
  );
  assert.equal(mapped(400, body('invalid_request_error', 'Output blocked by content filtering policy')).code, 'content_filtered');
});

test('retry-after is honoured; a non-JSON body keeps its text', () => {
  assert.equal(mapped(429, body('rate_limit_error', 'slow'), { 'retry-after': '17' }).retryAfterS, 17);
  const html = mapped(502, '<html>Bad Gateway</html>');
  assert.deepEqual([html.code, html.message, html.retryable], ['upstream_error', 'claude: <html>Bad Gateway</html>', true]);
  assert.equal(mapped(503, '').message, 'claude: HTTP 503');
  assert.equal(mapped(503, body('overloaded_error', 'Overloaded')).code, 'upstream_overloaded');
  assert.equal(mapped(500, body('overloaded_error', 'Overloaded')).code, 'upstream_overloaded', 'the overloaded type wins over a generic status');
});
