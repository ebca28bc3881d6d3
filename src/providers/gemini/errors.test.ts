import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseGeminiError } from './errors.js';

const body = (code: number, status: string, message: string, details?: unknown[]): string =>
  JSON.stringify({ error: { code, message, status, ...(details ? { details } : {}) } });

function summary(status: number, text: string, headers: Record<string, string> = {}) {
  const error = parseGeminiError('gemini', status, headers, text);
  return { code: error.code, status: error.status, retryable: error.retryable, retryAfterS: error.retryAfterS, message: error.message };
}

describe('Gemini error mapping', () => {
  test('each google.rpc status maps to the right gateway code, status and retryability', () => {
    const cases: Array<[number, string, string, number, boolean]> = [
      [400, 'INVALID_ARGUMENT', 'upstream_bad_request', 400, false],
      [400, 'FAILED_PRECONDITION', 'upstream_bad_request', 400, false],
      [403, 'PERMISSION_DENIED', 'upstream_auth_failed', 502, false],
      [404, 'NOT_FOUND', 'upstream_not_found', 404, false],
      [429, 'RESOURCE_EXHAUSTED', 'upstream_rate_limited', 429, true],
      [500, 'INTERNAL', 'upstream_error', 502, true],
      [503, 'UNAVAILABLE', 'upstream_overloaded', 503, true],
      [504, 'DEADLINE_EXCEEDED', 'upstream_timeout', 504, true],
    ];
    for (const [httpStatus, rpc, code, status, retryable] of cases) {
      const result = summary(httpStatus, body(httpStatus, rpc, `message for ${rpc}`));
      assert.deepEqual(result, { code, status, retryable, retryAfterS: undefined, message: `gemini: message for ${rpc}` }, rpc);
    }
  });

  test('context-window overflow is context_length_exceeded', () => {
    const result = summary(400, body(400, 'INVALID_ARGUMENT', 'The input token count (1200000) exceeds the maximum number of tokens allowed (1048576).'));
    assert.equal(result.code, 'context_length_exceeded');
    assert.equal(result.status, 400);
    assert.equal(result.retryable, false);
  });

  test('a bad API key (400 from Google) is an auth failure', () => {
    const result = summary(
      400,
      body(400, 'INVALID_ARGUMENT', 'API key not valid. Please pass a valid API key.', [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID' }]),
    );
    assert.equal(result.code, 'upstream_auth_failed');
    assert.equal(result.message, 'gemini: API key not valid. Please pass a valid API key.');
  });

  test('RetryInfo.retryDelay gives retry-after; a header wins over it', () => {
    const quota = body(429, 'RESOURCE_EXHAUSTED', 'You exceeded your current quota.', [
      { '@type': 'type.googleapis.com/google.rpc.QuotaFailure', violations: [] },
      { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '34.4s' },
    ]);
    assert.equal(summary(429, quota).retryAfterS, 34.4);
    assert.equal(summary(429, quota, { 'retry-after': '5' }).retryAfterS, 5);
  });

  test('an error array (stream start) and non-JSON bodies are understood', () => {
    assert.deepEqual(summary(503, `[${body(503, 'UNAVAILABLE', 'overloaded')}]`), {
      code: 'upstream_overloaded',
      status: 503,
      retryable: true,
      retryAfterS: undefined,
      message: 'gemini: overloaded',
    });
    assert.equal(summary(502, '<html>Bad Gateway</html>').message, 'gemini: <html>Bad Gateway</html>');
    assert.equal(summary(500, '').message, 'gemini: HTTP 500');
    assert.equal(summary(500, '{"unexpected":true}').message, 'gemini: HTTP 500');
  });
});
