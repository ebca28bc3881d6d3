import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createSseFrameSplitter } from './sse-frames.js';

test('raw SSE events come out whole whatever the chunk boundaries, LF and CRLF', () => {
  const wire = Buffer.from('data: {"a":1}\n\nevent: x\ndata: é\n\ndata: [DONE]\r\n\r\ndata: tail');
  const expected = ['data: {"a":1}\n\n', 'event: x\ndata: é\n\n', 'data: [DONE]\r\n\r\n', 'data: tail'];
  for (let cut = 0; cut <= wire.length; cut++) {
    for (const size of [1, 3, wire.length]) {
      const splitter = createSseFrameSplitter();
      const frames: Buffer[] = [];
      frames.push(...splitter.push(wire.subarray(0, cut)));
      for (let i = cut; i < wire.length; i += size) frames.push(...splitter.push(wire.subarray(i, Math.min(wire.length, i + size))));
      frames.push(...splitter.end());
      assert.deepEqual(frames.map(String), expected, `cut ${cut}, size ${size}`);
    }
  }
});

test('a chunk of whole events is returned without a copy', () => {
  const chunk = Buffer.from('data: 1\n\n');
  assert.equal(createSseFrameSplitter().push(chunk)[0], chunk);
});
