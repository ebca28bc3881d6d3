import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ERROR_CODES } from '../../errors/codes.js';
import { parseBedrockError, parseStreamException } from './errors.js';

const typeHeader = (type: string) => ({ 'x-amzn-errortype': `${type}:http://internal.amazon.com/coral/com.amazon.bedrock/`, 'content-type': 'application/json' });

const cases = [
  { type: 'ValidationException', status: 400, message: 'Malformed input request', code: 'upstream_bad_request', retryable: false },
  { type: 'AccessDeniedException', status: 403, message: "You don't have access to the model", code: 'upstream_auth_failed', retryable: false },
  { type: 'ResourceNotFoundException', status: 404, message: 'Model not found', code: 'upstream_not_found', retryable: false },
  { type: 'ThrottlingException', status: 429, message: 'Too many requests, please wait before trying again.', code: 'upstream_rate_limited', retryable: true },
  { type: 'ModelTimeoutException', status: 408, message: 'Model has timed out', code: 'upstream_timeout', retryable: true },
  { type: 'ModelNotReadyException', status: 429, message: 'Model is not ready', code: 'upstream_rate_limited', retryable: true },
  { type: 'ServiceUnavailableException', status: 503, message: 'Service unavailable', code: 'upstream_overloaded', retryable: true },
  { type: 'InternalServerException', status: 500, message: 'Internal error', code: 'upstream_error', retryable: true },
  { type: 'ModelErrorException', status: 424, message: 'The model failed', code: 'upstream_error', retryable: false },
  { type: 'UnrecognizedClientException', status: 403, message: 'The security token included in the request is invalid.', code: 'upstream_auth_failed', retryable: false },
] as const;

for (const entry of cases) {
  test(`${entry.type} (${entry.status}) → ${entry.code}`, () => {
    const error = parseBedrockError('aws', entry.status, typeHeader(entry.type), JSON.stringify({ message: entry.message }));
    assert.equal(error.code, entry.code);
    assert.equal(error.status, ERROR_CODES[entry.code].status);
    assert.equal(error.upstreamStatus, entry.status);
    assert.equal(error.retryable, entry.retryable);
    assert.equal(error.provider, 'aws');
    assert.equal(error.message, `aws: ${entry.type}: ${entry.message}`);
  });
}

test('context-length validation errors become context_length_exceeded', () => {
  for (const message of [
    'Input is too long for requested model.',
    'The model returned the following errors: prompt is too long: 205000 tokens > 200000 maximum',
    'Too many input tokens. Max input tokens: 8192, request input token count: 9000',
    "This model's maximum context length is 32768 tokens.",
    'The model returned the following errors: input length and `max_tokens` exceed context limit: 199000 + 8192 > 200000',
  ]) {
    const error = parseBedrockError('aws', 400, typeHeader('ValidationException'), JSON.stringify({ message }));
    assert.equal(error.code, 'context_length_exceeded', message);
    assert.equal(error.status, 400);
    assert.equal(error.retryable, false);
  }
});

test('retry-after is kept; type read from __type when the header is absent; Message spelled either way', () => {
  const throttled = parseBedrockError('aws', 429, { ...typeHeader('ThrottlingException'), 'retry-after': '3' }, '{"message":"slow down"}');
  assert.equal(throttled.retryAfterS, 3);
  const fromBody = parseBedrockError('aws', 403, {}, '{"__type":"com.amazon.coral.service#ExpiredTokenException","Message":"The security token included in the request is expired"}');
  assert.equal(fromBody.code, 'upstream_auth_failed');
  assert.equal(fromBody.message, 'aws: ExpiredTokenException: The security token included in the request is expired');
});

test('non-JSON bodies keep their text; empty bodies name the status', () => {
  assert.equal(parseBedrockError('aws', 502, {}, '<html>Bad Gateway</html>').message, 'aws: <html>Bad Gateway</html>');
  const empty = parseBedrockError('aws', 503, {}, '');
  assert.equal(empty.message, 'aws: HTTP 503');
  assert.equal(empty.code, 'upstream_overloaded');
});

test('in-stream exceptions map like their HTTP counterparts', () => {
  const table = [
    ['throttlingException', 'upstream_rate_limited', 429, true],
    ['modelStreamErrorException', 'upstream_error', 424, false],
    ['validationException', 'upstream_bad_request', 400, false],
    ['internalServerException', 'upstream_error', 500, true],
    ['serviceUnavailableException', 'upstream_overloaded', 503, true],
  ] as const;
  for (const [type, code, status, retryable] of table) {
    const error = parseStreamException('aws', type, '{"message":"boom","originalStatusCode":500}');
    assert.equal(error.code, code, type);
    assert.equal(error.upstreamStatus, status, type);
    assert.equal(error.retryable, retryable, type);
    assert.equal(error.message, `aws: ${type[0]!.toUpperCase()}${type.slice(1)}: boom`);
  }
  assert.equal(parseStreamException('aws', 'validationException', '{"message":"Input is too long for requested model."}').code, 'context_length_exceeded');
});
