import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { GatewayError } from '../errors/gateway-error.js';
import { collectChunks } from '../../test/helpers/upstream-body.js';
import { AbortLink } from './abort.js';
import { closeUpstreamAgent, readBody, sendUpstream, type SendOptions } from './http.js';

type Route = (request: http.IncomingMessage, response: http.ServerResponse) => void;

/** A throwaway upstream whose handler each test sets; records when a request's socket closes. */
const routes = new Map<string, Route>();
const closedSockets: string[] = [];
const server = http.createServer((request, response) => {
  request.socket.once('close', () => closedSockets.push(request.url ?? ''));
  routes.get(request.url ?? '')?.(request, response);
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
after(async () => {
  server.closeAllConnections();
  server.close();
  await closeUpstreamAgent();
});

const options = (signal: SendOptions['signal'] = new AbortLink()): SendOptions => ({
  signal,
  headersTimeoutMs: 5000,
  bodyTimeoutMs: 5000,
  provider: 'up',
});
const send = (path: string, signal?: SendOptions['signal']) =>
  sendUpstream({ url: `${origin}${path}`, method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }, options(signal));

async function waitFor(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await sleep(10);
  assert.ok(check(), 'condition not reached within 2 s');
}

test('status, headers and a body that arrived before anyone consumed it', async () => {
  routes.set('/early', (_request, response) => {
    response.writeHead(201, { 'x-upstream': 'yes' });
    response.write('first,');
    setTimeout(() => response.end('second'), 20);
  });
  const response = await send('/early');
  assert.equal(response.status, 201);
  assert.equal(response.headers['x-upstream'], 'yes');
  await sleep(60); // the whole body is in by now, kept for the consumer
  assert.equal((await readBody(response.body, 'up')).toString(), 'first,second');
});

test('a large body arriving before consume pauses the socket and still arrives whole, in order', async () => {
  const total = 4 * 1024 * 1024;
  const payload = Buffer.alloc(total);
  for (let i = 0; i < total; i++) payload[i] = i % 251;
  routes.set('/large', (_request, response) => {
    response.writeHead(200, { 'content-length': String(total) });
    response.end(payload);
  });
  const response = await send('/large');
  await sleep(100);
  const body = await readBody(response.body, 'up');
  assert.equal(body.length, total);
  assert.ok(body.equals(payload));
});

test('readBody refuses a body past its limit and closes the upstream connection', async () => {
  routes.set('/too-big', (_request, response) => {
    response.writeHead(200);
    response.write(Buffer.alloc(64 * 1024));
    response.write(Buffer.alloc(64 * 1024)); // stays open: only the gateway can end this
  });
  const response = await send('/too-big');
  await assert.rejects(readBody(response.body, 'up', undefined, 100 * 1024), (error: GatewayError) => {
    assert.equal(error.code, 'upstream_invalid_response');
    return true;
  });
  await waitFor(() => closedSockets.includes('/too-big'));
});

test('destroy drops the rest of a stream: the consumer hears nothing more and the socket closes', async () => {
  routes.set('/destroy', (_request, response) => {
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    const timer = setInterval(() => response.write('data: tick\n\n'), 5);
    response.on('close', () => clearInterval(timer));
  });
  const response = await send('/destroy');
  const heard: string[] = [];
  response.body.consume({
    data: () => {
      heard.push('data');
      if (heard.length === 2) response.body.destroy();
    },
    end: () => heard.push('end'),
    error: () => heard.push('error'),
  });
  await waitFor(() => closedSockets.includes('/destroy'));
  await sleep(30);
  assert.deepEqual(heard, ['data', 'data']);
});

test('pause holds chunks back until resume', async () => {
  routes.set('/pause', (_request, response) => {
    response.writeHead(200);
    response.write('a');
    setTimeout(() => response.write('b'), 20);
    setTimeout(() => response.end('c'), 40);
  });
  const response = await send('/pause');
  const chunks: string[] = [];
  let ended = false;
  response.body.consume({
    data: (chunk) => {
      chunks.push(chunk.toString());
      if (chunks.length === 1) response.body.pause();
    },
    end: () => (ended = true),
    error: (error) => assert.fail(String(error)),
  });
  await sleep(120);
  assert.deepEqual(chunks, ['a']);
  assert.equal(ended, false);
  response.body.resume();
  await waitFor(() => ended);
  assert.equal(chunks.join(''), 'abc');
});

test('an abort before the headers rejects with the signal reason and closes the upstream request', async () => {
  routes.set('/hang', () => {});
  const link = new AbortLink();
  const pending = send('/hang', link);
  await sleep(30);
  link.abort(new GatewayError('client_disconnected', 'client disconnected'));
  await assert.rejects(pending, (error: GatewayError) => error.code === 'client_disconnected');
  await waitFor(() => closedSockets.includes('/hang'));
});

test('an abort mid-body reaches the consumer as an error; a standard AbortSignal works too', async () => {
  routes.set('/slow', (_request, response) => {
    response.writeHead(200);
    response.write('part');
  });
  const controller = new AbortController();
  const response = await send('/slow', controller.signal);
  const reading = collectChunks(response.body);
  await sleep(20);
  controller.abort(new Error('deadline'));
  const { chunks, error } = await reading;
  assert.equal(Buffer.concat(chunks).toString(), 'part');
  assert.match(String(error), /deadline/);
  await waitFor(() => closedSockets.includes('/slow'));
});

test('an already aborted signal rejects before anything is sent', async () => {
  let reached = false;
  routes.set('/never', (_request, response) => {
    reached = true;
    response.end();
  });
  const link = new AbortLink();
  link.abort(new GatewayError('client_disconnected', 'gone'));
  await assert.rejects(send('/never', link), (error: GatewayError) => error.code === 'client_disconnected');
  await sleep(30);
  assert.equal(reached, false);
});

test('a refused connection is upstream_unreachable, retryable', async () => {
  const probe = http.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  const failure = sendUpstream({ url: `http://127.0.0.1:${port}/x`, method: 'POST', headers: {}, body: '{}' }, options());
  await assert.rejects(failure, (error: GatewayError) => {
    assert.equal(error.code, 'upstream_unreachable');
    assert.equal(error.retryable, true);
    return true;
  });
});

test('a resume after the end does not end the body twice', async () => {
  routes.set('/short', (_request, response) => response.end('x'));
  const response = await send('/short');
  let ends = 0;
  response.body.consume({ data: () => response.body.pause(), end: () => ends++, error: (error) => assert.fail(String(error)) });
  await sleep(30);
  response.body.resume();
  response.body.resume();
  await sleep(10);
  assert.equal(ends, 1);
});
