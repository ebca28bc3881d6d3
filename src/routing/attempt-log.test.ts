import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { pino } from 'pino';
import { upstreamError } from '../errors/upstream.js';
import { logFailedAttempts } from './attempt.js';

function capture() {
  const lines: any[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { logger: pino({ base: undefined }, sink), lines };
}

test('a request with failed attempts logs every attempt with its error; a clean one logs nothing', () => {
  const { logger, lines } = capture();
  logFailedAttempts(logger, 'req-1', 'smart', [{ provider: 'a', model: 'gpt-a', startedAt: 0, durationMs: 12.4 }]);
  assert.equal(lines.length, 0);
  logFailedAttempts(logger, 'req-2', 'smart', [
    { provider: 'a', model: 'gpt-a', startedAt: 0, durationMs: 20.2, status: 503, error: upstreamError('a', 503, 'overloaded') },
    { provider: 'b', model: 'gpt-b', startedAt: 0, durationMs: 30 },
  ]);
  assert.equal(lines.length, 1);
  assert.equal(lines[0].msg, 'upstream attempts failed');
  assert.equal(lines[0].requestId, 'req-2');
  assert.deepEqual(lines[0].attempts, [
    { provider: 'a', model: 'gpt-a', ms: 20, status: 503, error: 'upstream_overloaded', message: 'a: overloaded' },
    { provider: 'b', model: 'gpt-b', ms: 30 },
  ]);
});
