import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { AbortLink } from './abort.js';
import { sendUpstream } from './http.js';

test('AbortLink fires each listener once, skips removed ones, and keeps the reason', () => {
  const link = new AbortLink();
  const calls: string[] = [];
  const removed = () => calls.push('removed');
  link.on('abort', () => calls.push('a'));
  link.once('abort', removed);
  link.removeListener('abort', removed);
  link.abort('why');
  link.abort('again');
  assert.deepEqual(calls, ['a']);
  assert.equal(link.aborted, true);
  assert.equal(link.reason, 'why');
});

test('undici aborts an in-flight upstream request when the link fires', async () => {
  let closed!: () => void;
  const upstreamClosed = new Promise<void>((resolve) => (closed = resolve));
  const server = http.createServer((request, response) => {
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    response.write('data: first\n\n');
    request.socket.on('close', closed);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const link = new AbortLink();
  const response = await sendUpstream(
    { url: `http://127.0.0.1:${port}/x`, method: 'POST', headers: {}, body: '{}' },
    { signal: link, headersTimeoutMs: 5000, bodyTimeoutMs: 5000, provider: 'test' },
  );
  response.body.consume({ data() {}, end() {}, error() {} });
  link.abort(new Error('client left'));
  await upstreamClosed;
  server.close();
});
