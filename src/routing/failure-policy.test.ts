import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GatewayError } from '../errors/gateway-error.js';
import { upstreamError } from '../errors/upstream.js';
import { compileMatcher, failureKinds, shouldFallOver, shouldRetry } from './failure-policy.js';

const status = (code: number) => upstreamError('p', code, 'x');
const defaults = {};

test('defaults: retry the retryable statuses and transport errors; fall over on those, auth and context length', () => {
  for (const code of [408, 409, 429, 500, 502, 503, 504, 529]) {
    assert.equal(shouldRetry(defaults, status(code)), true, String(code));
    assert.equal(shouldFallOver(defaults, status(code)), true, String(code));
  }
  for (const code of [400, 404, 422]) {
    assert.equal(shouldRetry(defaults, status(code)), false, String(code));
    assert.equal(shouldFallOver(defaults, status(code)), false, String(code));
  }
  for (const code of [401, 403]) {
    assert.equal(shouldRetry(defaults, status(code)), false);
    assert.equal(shouldFallOver(defaults, status(code)), true);
  }
  const unreachable = new GatewayError('upstream_unreachable', 'p: connection refused', { provider: 'p' });
  assert.equal(shouldRetry(defaults, unreachable), true);
  const context = new GatewayError('context_length_exceeded', 'too long', { upstreamStatus: 400 });
  assert.equal(shouldRetry(defaults, context), false);
  assert.equal(shouldFallOver(defaults, context), true);
  const firstToken = new GatewayError('upstream_timeout', 'slow', { retryable: false, firstTokenTimeout: true });
  assert.equal(shouldRetry(defaults, firstToken), false);
  assert.equal(shouldFallOver(defaults, firstToken), true);
  assert.deepEqual(failureKinds(firstToken), ['first_token_timeout', 'timeout']);
});

test('retry_on / fallback_on replace the defaults with statuses and kinds', () => {
  const policy = { retryOn: compileMatcher([429, 'connection']), fallbackOn: compileMatcher(['server_error', 'timeout']) };
  assert.equal(shouldRetry(policy, status(429)), true);
  assert.equal(shouldRetry(policy, status(503)), false);
  assert.equal(shouldRetry(policy, new GatewayError('upstream_unreachable', 'x')), true);
  assert.equal(shouldFallOver(policy, status(500)), true);
  assert.equal(shouldFallOver(policy, status(401)), false);
  assert.equal(shouldFallOver(policy, new GatewayError('upstream_timeout', 'x')), true);
  const none = { retryOn: compileMatcher([]), fallbackOn: compileMatcher([]) };
  assert.equal(shouldRetry(none, status(503)), false);
  assert.equal(shouldFallOver(none, status(503)), false);
});
