/**
 * A client that stops reading must stall the upstream, not grow the gateway's memory: the
 * upstream's writes block once the sockets' buffers are full, and everything arrives once the
 * client reads again.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { startTestGateway } from './harness.js';

const EVENT = `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { content: 'x'.repeat(16 * 1024) } }] })}\n\n`;
const TOTAL_EVENTS = 4096; // ~64 MiB

test('a slow client pauses the upstream; nothing is buffered whole', async () => {
  let written = 0;
  let finished = false;
  const upstream = http.createServer((request, response) => {
    request.resume();
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    let sent = 0;
    const pump = (): void => {
      while (sent < TOTAL_EVENTS) {
        sent++;
        written += EVENT.length;
        if (!response.write(EVENT)) return void response.once('drain', pump);
      }
      response.end('data: [DONE]\n\n', () => (finished = true));
    };
    pump();
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/v1`;
  const gateway = await startTestGateway(`
providers: { up: { type: openai-compatible, base_url: "${upstreamUrl}" } }
models: { m: { targets: [{ provider: up, model: m }] } }
`);
  try {
    const { url } = gateway;
    const response = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const request = http.request(`${url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' } }, resolve);
      request.on('error', reject);
      request.end(JSON.stringify({ model: 'm', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'x' }] }));
    });
    response.pause();
    // Let the pipeline fill every buffer between the upstream and the paused client.
    let previous = -1;
    while (written !== previous) {
      previous = written;
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    const total = EVENT.length * TOTAL_EVENTS;
    assert.ok(!finished, 'the upstream could not finish while the client was not reading');
    assert.ok(written < total / 4, `upstream wrote ${(written / 2 ** 20).toFixed(1)} MiB of ${(total / 2 ** 20).toFixed(0)} MiB before stalling`);
    let received = 0;
    response.on('data', (chunk: Buffer) => (received += chunk.length));
    response.resume();
    await new Promise((resolve) => response.on('end', resolve));
    assert.equal(received, total + 'data: [DONE]\n\n'.length);
  } finally {
    await gateway.stop();
    upstream.closeAllConnections();
    upstream.close();
  }
});
