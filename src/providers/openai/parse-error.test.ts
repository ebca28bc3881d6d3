import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseOpenAIError } from './parse-error.js';

const parse = (status: number, body: unknown, headers: Record<string, string> = {}) => {
  const error = parseOpenAIError('oa', status, headers, typeof body === 'string' ? body : JSON.stringify(body));
  return { code: error.code, status: error.status, retryable: error.retryable, message: error.message, retryAfterS: error.retryAfterS, upstreamStatus: error.upstreamStatus };
};

test('OpenAI context-length error', () => {
  const body = { error: { message: "This model's maximum context length is 128000 tokens.", type: 'invalid_request_error', param: 'messages', code: 'context_length_exceeded' } };
  assert.deepEqual(parse(400, body), {
    code: 'context_length_exceeded', status: 400, retryable: false, upstreamStatus: 400, retryAfterS: undefined,
    message: "oa: This model's maximum context length is 128000 tokens.",
  });
});

test('context length recognised by message from compatible servers (vLLM, xAI)', () => {
  const vllm = { object: 'error', message: "This model's maximum context length is 4096 tokens. However, you requested 5000 tokens.", type: 'BadRequestError', param: null, code: 400 };
  assert.equal(parse(400, vllm).code, 'context_length_exceeded');
  assert.equal(parse(400, { code: 'Client specified an invalid argument', error: "This model's maximum prompt length is 131072 but the request contains 200000 tokens." }).code, 'context_length_exceeded');
});

test('rate limit keeps retry-after and is retryable; exhausted quota is not', () => {
  const limited = parse(429, { error: { message: 'Rate limit reached', type: 'requests', param: null, code: 'rate_limit_exceeded' } }, { 'retry-after': '7' });
  assert.deepEqual([limited.code, limited.status, limited.retryable, limited.retryAfterS], ['upstream_rate_limited', 429, true, 7]);
  const quota = parse(429, { error: { message: 'You exceeded your current quota', type: 'insufficient_quota', param: null, code: 'insufficient_quota' } });
  assert.deepEqual([quota.code, quota.retryable], ['upstream_rate_limited', false]);
});

test('content filters: Azure code, OpenAI flagged prompt', () => {
  const azure = { error: { message: 'The response was filtered', type: null, param: 'prompt', code: 'content_filter', status: 400, innererror: { code: 'ResponsibleAIPolicyViolation' } } };
  assert.equal(parse(400, azure).code, 'content_filtered');
  const openai = { error: { message: 'Invalid prompt: your prompt was flagged as potentially violating our usage policy.', type: 'invalid_request_error', param: null, code: 'invalid_prompt' } };
  assert.equal(parse(400, openai).code, 'content_filtered');
});

test('auth, server and overload statuses', () => {
  assert.deepEqual(Object.values(parse(401, { error: { message: 'Incorrect API key provided', type: 'invalid_request_error', code: 'invalid_api_key' } })).slice(0, 3), ['upstream_auth_failed', 502, false]);
  assert.deepEqual(Object.values(parse(500, { error: { message: 'boom', type: 'server_error' } })).slice(0, 3), ['upstream_error', 502, true]);
  assert.deepEqual(Object.values(parse(503, { error: { message: 'overloaded', type: 'server_error' } })).slice(0, 3), ['upstream_overloaded', 503, true]);
});

test('other shapes: Azure gateway errors, Mistral object messages, plain text, empty', () => {
  assert.equal(parse(401, { error: { code: '401', message: 'Access denied due to invalid subscription key' } }).message, 'oa: Access denied due to invalid subscription key');
  const mistral = { object: 'error', message: { detail: [{ type: 'extra_forbidden', loc: ['body', 'x'], msg: 'Extra inputs are not permitted' }] }, type: 'invalid_request_error', param: null, code: null };
  const parsed = parse(422, mistral);
  assert.equal(parsed.code, 'upstream_unprocessable');
  assert.match(parsed.message, /^oa: \{"detail":\[\{"type":"extra_forbidden"/);
  assert.equal(parse(502, '<html>Bad gateway</html>').message, 'oa: <html>Bad gateway</html>');
  assert.equal(parse(500, '').message, 'oa: HTTP 500');
  assert.equal(parse(404, { detail: 'Not Found' }).message, 'oa: Not Found');
});
