import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createSseDecoder } from '../../src/protocol/sse.js';

test('SSE decoder yields the same events whatever the chunk boundaries', () => {
  const wire = Buffer.from('event: a\r\ndata: {"x":"é"}\r\n\r\ndata: two\n\n: comment\n\ndata: last');
  const whole = createSseDecoder();
  const expected = [...whole.push(wire), ...whole.end()];
  assert.deepEqual(expected, [{ event: 'a', data: '{"x":"é"}' }, { data: 'two' }, { data: 'last' }]);
  for (let cut = 1; cut < wire.length; cut++) {
    const decoder = createSseDecoder();
    const events = [...decoder.push(wire.subarray(0, cut)), ...decoder.push(wire.subarray(cut)), ...decoder.end()];
    assert.deepEqual(events, expected, `split at byte ${cut}`);
  }
});
