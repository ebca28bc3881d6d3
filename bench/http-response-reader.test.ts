import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HttpResponseReader } from './http-response-reader.js';

const sse = 'data: {"a":1}\n\ndata: [DONE]\n\n';
const wire = Buffer.from(
  [
    'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{"ok":true}',
    'HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n',
    `f;ext=1\r\n${sse.slice(0, 15)}\r\n`,
    `${(sse.length - 15).toString(16).toUpperCase()}\r\n${sse.slice(15)}\r\n`,
    '0\r\nx-trailer: 1\r\n\r\n',
    'HTTP/1.1 204 No Content\r\n\r\n',
    'HTTP/1.1 429 Too Many Requests\r\ncontent-length: 2\r\n\r\n{}',
  ].join(''),
);
const expected = [
  'first',
  'complete 200 11 {"ok":true}',
  'first',
  `complete 200 ${sse.length} ${sse.slice(-32)}`,
  'complete 204 0 ',
  'first',
  'complete 429 2 {}',
];

function collect(pieces: Buffer[]): string[] {
  const seen: string[] = [];
  const reader = new HttpResponseReader({
    onFirstBodyByte: () => seen.push('first'),
    onComplete: (status, bytes, tail) => seen.push(`complete ${status} ${bytes} ${tail}`),
  });
  for (const piece of pieces) reader.push(piece);
  assert.equal(reader.end(), true);
  return seen;
}

test('reads fixed-length, chunked and empty responses back to back', () => {
  assert.deepEqual(collect([wire]), expected);
});

test('gives the same events when the wire is split at every byte offset', () => {
  for (let cut = 1; cut < wire.length; cut++) {
    assert.deepEqual(collect([wire.subarray(0, cut), wire.subarray(cut)]), expected, `split at ${cut}`);
  }
});

test('gives the same events when fed one byte at a time', () => {
  const bytes = [...wire].map((byte) => Buffer.from([byte]));
  assert.deepEqual(collect(bytes), expected);
});

test('a close-delimited body ends at end(); a cut response reports false', () => {
  const seen: string[] = [];
  const reader = new HttpResponseReader({
    onFirstBodyByte: () => seen.push('first'),
    onComplete: (status, bytes) => seen.push(`complete ${status} ${bytes}`),
  });
  reader.push(Buffer.from('HTTP/1.1 200 OK\r\n\r\nabc'));
  assert.equal(reader.end(), true);
  assert.deepEqual(seen, ['first', 'complete 200 3']);

  const cut = new HttpResponseReader({ onFirstBodyByte: () => {}, onComplete: () => {} });
  cut.push(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc'));
  assert.equal(cut.end(), false);
});
