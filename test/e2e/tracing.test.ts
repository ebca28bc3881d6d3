/**
 * OpenTelemetry traces end to end: the gateway exports to a local OTLP/HTTP receiver (JSON
 * encoding), continues the client's W3C trace context, opens one CLIENT span per upstream call
 * under the request's SERVER span, sends `traceparent` upstream, and with no endpoint loads
 * nothing of the SDK.
 *
 * The first suite must stay first: it checks that nothing in this process loaded the SDK yet.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { startFakeOpenAI } from '../fakes/openai.js';
import type { FakeUpstream } from '../fakes/types.js';
import { tracingSdkLoaded, otlpTracesUrl } from '../../src/telemetry/tracing.js';
import { postJson, startTestGateway, waitFor, type TestGateway } from './harness.js';

const SERVER = 2;
const CLIENT = 3;
const STATUS_ERROR = 2;

interface ExportedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  start: bigint;
  end: bigint;
  status: { code?: number; message?: string };
  attributes: Record<string, string | number | boolean>;
  resource: Record<string, string | number | boolean>;
}

interface Receiver {
  url: string;
  spans: ExportedSpan[];
  posts: Array<{ path: string; contentType: string | undefined; authorization: string | undefined }>;
  close(): Promise<void>;
}

/** An OTLP/HTTP receiver: POST /v1/traces with the JSON encoding (ExportTraceServiceRequest). */
async function startReceiver(): Promise<Receiver> {
  const receiver: Receiver = { url: '', spans: [], posts: [], close: async () => {} };
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      receiver.posts.push({ path: request.url ?? '', contentType: request.headers['content-type'], authorization: request.headers.authorization });
      if (request.method !== 'POST' || request.url !== '/v1/traces') {
        response.writeHead(404).end();
        return;
      }
      let raw = Buffer.concat(chunks);
      if (request.headers['content-encoding'] === 'gzip') raw = gunzipSync(raw);
      const payload = JSON.parse(raw.toString('utf8'));
      for (const resourceSpans of payload.resourceSpans ?? []) {
        const resource = flatten(resourceSpans.resource?.attributes);
        for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
          for (const span of scopeSpans.spans ?? []) {
            receiver.spans.push({
              traceId: span.traceId,
              spanId: span.spanId,
              parentSpanId: span.parentSpanId ?? '',
              name: span.name,
              kind: span.kind,
              start: BigInt(span.startTimeUnixNano),
              end: BigInt(span.endTimeUnixNano),
              status: span.status ?? {},
              attributes: flatten(span.attributes),
              resource,
            });
          }
        }
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  receiver.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return receiver;
}

/** OTLP JSON attributes (`[{key, value: {stringValue | intValue | doubleValue | boolValue}}]`) as a plain object. */
function flatten(attributes: Array<{ key: string; value: Record<string, unknown> }> | undefined): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const { key, value } of attributes ?? []) {
    if ('stringValue' in value) out[key] = value.stringValue as string;
    else if ('intValue' in value) out[key] = Number(value.intValue);
    else if ('doubleValue' in value) out[key] = Number(value.doubleValue);
    else if ('boolValue' in value) out[key] = value.boolValue as boolean;
  }
  return out;
}

const CLIENT_TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CLIENT_SPAN_ID = '00f067aa0ba902b7';

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

describe('tracing off (no telemetry.otlp_endpoint)', () => {
  let upstream: FakeUpstream;
  let gateway: TestGateway;

  before(async () => {
    upstream = await startFakeOpenAI({ usage: { input: 5, output: 2 } });
    gateway = await startTestGateway(`
storage: memory
providers:
  up: { type: openai, base_url: "${upstream.url}", api_key: sk-up }
models:
  smart: { targets: [{ provider: up, model: gpt-4.1 }] }
`);
  });
  after(async () => {
    await gateway.stop();
    await upstream.close();
  });

  test('nothing is traced, nothing is sent upstream, and the OpenTelemetry SDK is never loaded', async () => {
    assert.equal(tracingSdkLoaded(), false, 'no other test in this process may have loaded it first');
    for (const stream of [false, true]) {
      const reply = await postJson(
        `${gateway.url}/v1/chat/completions`,
        { model: 'smart', stream, messages: [{ role: 'user', content: 'hi' }] },
        { traceparent: `00-${CLIENT_TRACE_ID}-${CLIENT_SPAN_ID}-01` },
      );
      assert.equal(reply.status, 200, reply.text);
    }
    assert.equal(gateway.tracing, undefined);
    assert.equal(tracingSdkLoaded(), false);
    for (const request of upstream.requests) {
      assert.equal(request.headers.traceparent, undefined, 'the client trace context is not forwarded when tracing is off');
    }
  });
});

describe('tracing on', () => {
  let receiver: Receiver;
  let upstream: FakeUpstream;
  let spare: FakeUpstream;
  let gateway: TestGateway;

  /** Flushes the gateway's spans until the request's SERVER span and its `count` attempt spans are in. */
  async function spansOf(requestId: string, attempts: number): Promise<{ request: ExportedSpan; attempts: ExportedSpan[] }> {
    let request: ExportedSpan | undefined;
    let children: ExportedSpan[] = [];
    await waitFor(async () => {
      await gateway.tracing!.flush();
      request = receiver.spans.find((span) => span.attributes['switchyard.request_id'] === requestId);
      children = request ? receiver.spans.filter((span) => span.parentSpanId === request!.spanId && span.traceId === request!.traceId) : [];
      return request !== undefined && children.length >= attempts;
    }, 5000);
    children.sort((a, b) => Number(a.attributes['switchyard.attempt']) - Number(b.attributes['switchyard.attempt']));
    return { request: request!, attempts: children };
  }

  before(async () => {
    receiver = await startReceiver();
    upstream = await startFakeOpenAI({});
    spare = await startFakeOpenAI({});
    gateway = await startTestGateway(`
storage: memory
circuit_breaker: { consecutive_failures: 100 }
telemetry: { otlp_endpoint: "${receiver.url}", service_name: switchyard-test, otlp_headers: { authorization: "Bearer collector-key" } }
providers:
  up: { type: openai, base_url: "${upstream.url}", api_key: sk-up }
  spare: { type: openai, base_url: "${spare.url}", api_key: sk-spare }
models:
  smart: { targets: [{ provider: up, model: gpt-4.1 }] }
  failover: { retries: 0, targets: [{ provider: up, model: gpt-4.1 }, { provider: spare, model: gpt-4.1-mini }] }
  resumable: { resume_streams: true, targets: [{ provider: up, model: gpt-4.1 }, { provider: spare, model: gpt-4.1-mini }] }
  hedged: { hedge_after_ms: 100, targets: [{ provider: up, model: gpt-4.1 }, { provider: spare, model: gpt-4.1-mini }] }
`);
  });
  after(async () => {
    await gateway.stop();
    await upstream.close();
    await spare.close();
    await receiver.close();
  });

  test('the endpoint is a base URL: /v1/traces is appended unless already there', () => {
    assert.equal(otlpTracesUrl('http://collector:4318'), 'http://collector:4318/v1/traces');
    assert.equal(otlpTracesUrl('http://collector:4318/'), 'http://collector:4318/v1/traces');
    assert.equal(otlpTracesUrl('https://cloud.example/api/otel'), 'https://cloud.example/api/otel/v1/traces');
    assert.equal(otlpTracesUrl('https://cloud.example/api/otel/v1/traces'), 'https://cloud.example/api/otel/v1/traces');
    assert.equal(gateway.tracing?.tracesUrl, `${receiver.url}/v1/traces`);
    assert.equal(tracingSdkLoaded(), true);
  });

  test('a JSON answer: the request span continues the client trace, with GenAI attributes, usage and cost', async () => {
    upstream.script = { text: 'traced answer', usage: { input: 100, output: 20, cached: 40 } };
    const reply = await postJson(
      `${gateway.url}/v1/chat/completions`,
      { model: 'smart', max_tokens: 50, temperature: 0.3, top_p: 0.9, messages: [{ role: 'user', content: 'trace me' }] },
      { traceparent: `00-${CLIENT_TRACE_ID}-${CLIENT_SPAN_ID}-01`, tracestate: 'vendor=abc' },
    );
    assert.equal(reply.status, 200, reply.text);
    const requestId = reply.headers.get('x-request-id')!;
    const { request, attempts } = await spansOf(requestId, 1);

    assert.equal(request.traceId, CLIENT_TRACE_ID, 'same trace as the client');
    assert.equal(request.parentSpanId, CLIENT_SPAN_ID, "child of the client's span");
    assert.equal(request.name, 'chat smart');
    assert.equal(request.kind, SERVER);
    assert.notEqual(request.status.code, STATUS_ERROR);
    const a = request.attributes;
    assert.equal(a['gen_ai.operation.name'], 'chat');
    assert.equal(a['gen_ai.request.model'], 'smart');
    assert.equal(a['gen_ai.response.model'], 'gpt-4.1');
    assert.equal(a['gen_ai.provider.name'], 'openai');
    assert.equal(a['gen_ai.system'], 'openai');
    assert.equal(a['gen_ai.request.max_tokens'], 50);
    assert.equal(a['gen_ai.request.temperature'], 0.3);
    assert.equal(a['gen_ai.request.top_p'], 0.9);
    assert.equal(a['gen_ai.usage.input_tokens'], 100);
    assert.equal(a['gen_ai.usage.output_tokens'], 20);
    assert.equal(a['gen_ai.usage.cache_read.input_tokens'], 40);
    assert.equal(a['http.response.status_code'], 200);
    assert.equal(a['http.route'], '/v1/chat/completions');
    assert.equal(a['switchyard.request_id'], requestId);
    assert.equal(a['switchyard.provider'], 'up');
    assert.equal(a['switchyard.attempts'], 1);
    assert.equal(a['switchyard.stream'], false);
    assert.equal(a['switchyard.cost_usd'], Number(reply.headers.get('x-switchyard-cost-usd')));
    assert.equal(a['error.type'], undefined);
    assert.equal(request.resource['service.name'], 'switchyard-test');

    const [attempt] = attempts;
    assert.equal(attempts.length, 1);
    assert.equal(attempt!.name, 'chat gpt-4.1');
    assert.equal(attempt!.kind, CLIENT);
    assert.equal(attempt!.attributes['gen_ai.request.model'], 'gpt-4.1');
    assert.equal(attempt!.attributes['gen_ai.response.model'], 'gpt-4.1');
    assert.equal(attempt!.attributes['gen_ai.provider.name'], 'openai');
    assert.equal(attempt!.attributes['gen_ai.request.max_tokens'], 50);
    assert.equal(attempt!.attributes['server.address'], '127.0.0.1');
    assert.equal(attempt!.attributes['server.port'], Number(new URL(upstream.url).port));
    assert.equal(attempt!.attributes['http.response.status_code'], 200);
    assert.equal(attempt!.attributes['switchyard.provider'], 'up');
    assert.ok(attempt!.start >= request.start && attempt!.end <= request.end, 'the call lies within the request');

    // The provider sees the attempt's span as its parent, and the client's tracestate.
    const sent = upstream.requests.at(-1)!;
    assert.equal(header(sent.headers.traceparent), `00-${CLIENT_TRACE_ID}-${attempt!.spanId}-01`);
    assert.equal(header(sent.headers.tracestate), 'vendor=abc');

    const post = receiver.posts.find((p) => p.path === '/v1/traces')!;
    assert.match(post.contentType ?? '', /application\/json/);
    assert.equal(post.authorization, 'Bearer collector-key', 'otlp_headers go with every export');
  });

  test('an invalid traceparent is ignored: the request starts a new trace', async () => {
    upstream.script = { usage: { input: 3, output: 1 } };
    const reply = await postJson(
      `${gateway.url}/v1/chat/completions`,
      { model: 'smart', messages: [{ role: 'user', content: 'x' }] },
      { traceparent: `00-${'0'.repeat(32)}-${CLIENT_SPAN_ID}-01` },
    );
    assert.equal(reply.status, 200);
    const { request, attempts } = await spansOf(reply.headers.get('x-request-id')!, 1);
    assert.match(request.traceId, /^[0-9a-f]{32}$/);
    assert.notEqual(request.traceId, '0'.repeat(32));
    assert.equal(request.parentSpanId, '');
    assert.equal(header(upstream.requests.at(-1)!.headers.traceparent), `00-${request.traceId}-${attempts[0]!.spanId}-01`);
  });

  test('a failover: two attempt spans under the request span, the first with its error', async () => {
    upstream.script = { error: { status: 503, message: 'overloaded' } };
    spare.script = { usage: { input: 7, output: 3 } };
    const reply = await postJson(`${gateway.url}/v1/chat/completions`, { model: 'failover', messages: [{ role: 'user', content: 'x' }] });
    assert.equal(reply.status, 200, reply.text);
    assert.equal(reply.headers.get('x-switchyard-attempts'), '2');
    const { request, attempts } = await spansOf(reply.headers.get('x-request-id')!, 2);

    assert.equal(request.name, 'chat failover');
    assert.equal(request.attributes['switchyard.attempts'], 2);
    assert.equal(request.attributes['switchyard.provider'], 'spare');
    assert.equal(request.attributes['gen_ai.response.model'], 'gpt-4.1-mini');
    assert.equal(request.attributes['gen_ai.usage.input_tokens'], 7);
    assert.equal(request.attributes['error.type'], undefined);
    assert.notEqual(request.status.code, STATUS_ERROR);

    assert.equal(attempts.length, 2);
    const [failed, served] = attempts as [ExportedSpan, ExportedSpan];
    assert.equal(failed.name, 'chat gpt-4.1');
    assert.equal(failed.kind, CLIENT);
    assert.equal(failed.attributes['switchyard.provider'], 'up');
    assert.equal(failed.attributes['error.type'], 'upstream_overloaded');
    assert.equal(failed.attributes['http.response.status_code'], 503);
    assert.equal(failed.status.code, STATUS_ERROR);
    assert.equal(served.name, 'chat gpt-4.1-mini');
    assert.equal(served.attributes['switchyard.provider'], 'spare');
    assert.equal(served.attributes['error.type'], undefined);
    assert.notEqual(served.status.code, STATUS_ERROR);
    assert.ok(failed.end <= served.start, 'the fallback starts after the failed call');
    // Each call carried its own span id upstream.
    assert.equal(header(upstream.requests.at(-1)!.headers.traceparent)?.split('-')[2], failed.spanId);
    assert.equal(header(spare.requests.at(-1)!.headers.traceparent)?.split('-')[2], served.spanId);
  });

  test('a request that fails on every target: request and attempt spans in error', async () => {
    upstream.script = { error: { status: 503, message: 'overloaded' } };
    spare.script = { error: { status: 503, message: 'overloaded too' } };
    const reply = await postJson(`${gateway.url}/v1/chat/completions`, { model: 'failover', messages: [{ role: 'user', content: 'x' }] });
    assert.equal(reply.status, 503);
    const { request, attempts } = await spansOf(reply.headers.get('x-request-id')!, 2);
    assert.equal(request.attributes['error.type'], 'upstream_overloaded');
    assert.equal(request.attributes['http.response.status_code'], 503);
    assert.equal(request.status.code, STATUS_ERROR);
    assert.deepEqual(attempts.map((span) => span.status.code), [STATUS_ERROR, STATUS_ERROR]);
  });

  test('a streamed, translated answer (/v1/messages): the served call lasts until the stream ends', async () => {
    upstream.script = { text: 'a streamed answer in several pieces', usage: { input: 12, output: 9 }, chunkDelayMs: 10 };
    const response = await fetch(`${gateway.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent: `00-${CLIENT_TRACE_ID}-${CLIENT_SPAN_ID}-01` },
      body: JSON.stringify({ model: 'smart', max_tokens: 64, stream: true, messages: [{ role: 'user', content: 'stream it' }] }),
    });
    assert.equal(response.status, 200);
    const text = await response.text();
    assert.match(text, /message_stop/);
    const { request, attempts } = await spansOf(response.headers.get('x-request-id')!, 1);
    assert.equal(request.name, 'chat smart');
    assert.equal(request.traceId, CLIENT_TRACE_ID);
    assert.equal(request.attributes['http.route'], '/v1/messages');
    assert.equal(request.attributes['switchyard.stream'], true);
    assert.equal(request.attributes['gen_ai.request.max_tokens'], 64);
    assert.equal(request.attributes['gen_ai.usage.input_tokens'], 12);
    assert.equal(request.attributes['gen_ai.usage.output_tokens'], 9);
    assert.equal(request.attributes['http.response.status_code'], 200);
    const [attempt] = attempts;
    assert.equal(attempt!.kind, CLIENT);
    assert.equal(attempt!.end, request.end, 'the served stream ends with the request');
    assert.ok(attempt!.end - attempt!.start >= 50_000_000n, 'the pieces took at least 50 ms to stream');
    assert.equal(header(upstream.requests.at(-1)!.headers.traceparent)?.split('-')[2], attempt!.spanId);
  });

  test('a resumed stream: the continuation is an attempt span; the cut call ends where it broke, in error', async () => {
    upstream.script = { text: 'The quick brown fox', chunkChars: 4, failAfterChunks: 3, failMode: 'disconnect' };
    spare.script = { text: 'k brown fox jumps.', chunkChars: 4, usage: { input: 30, output: 5 } };
    const reply = await postJson(`${gateway.url}/v1/chat/completions`, { model: 'resumable', stream: true, messages: [{ role: 'user', content: 'x' }] });
    assert.equal(reply.status, 200);
    assert.equal(reply.headers.get('x-switchyard-attempts'), '1', 'the header left with the first byte');
    const { request, attempts } = await spansOf(reply.headers.get('x-request-id')!, 2);
    assert.equal(request.attributes['switchyard.attempts'], 2);
    assert.equal(request.attributes['switchyard.provider'], 'spare');
    const [cut, continuation] = attempts as [ExportedSpan, ExportedSpan];
    assert.equal(cut.attributes['switchyard.provider'], 'up');
    assert.equal(cut.status.code, STATUS_ERROR);
    assert.equal(typeof cut.attributes['error.type'], 'string');
    assert.equal(continuation.attributes['switchyard.continuation'], true);
    assert.equal(continuation.attributes['switchyard.provider'], 'spare');
    assert.notEqual(continuation.status.code, STATUS_ERROR);
    assert.ok(cut.end <= continuation.start);
    assert.equal(continuation.end, request.end);
    assert.equal(header(spare.requests.at(-1)!.headers.traceparent)?.split('-')[2], continuation.spanId);
  });

  test('a hedged request: both calls are attempt spans, the loser in error', async () => {
    upstream.script = { delayMs: 1500, text: 'slow' };
    spare.script = { text: 'quick' };
    const reply = await postJson(`${gateway.url}/v1/chat/completions`, { model: 'hedged', messages: [{ role: 'user', content: 'x' }] });
    assert.equal(reply.status, 200, reply.text);
    assert.equal(reply.headers.get('x-switchyard-provider'), 'spare');
    const { request, attempts } = await spansOf(reply.headers.get('x-request-id')!, 2);
    assert.equal(request.attributes['switchyard.attempts'], 2);
    const [slow, quick] = attempts as [ExportedSpan, ExportedSpan];
    assert.equal(slow.attributes['switchyard.provider'], 'up');
    assert.equal(slow.status.code, STATUS_ERROR, 'the loser was aborted');
    assert.equal(slow.attributes['error.type'], 'hedge_lost');
    assert.equal(quick.attributes['switchyard.provider'], 'spare');
    assert.notEqual(quick.status.code, STATUS_ERROR);
    assert.ok(quick.start - slow.start >= 90_000_000n, 'the hedge started after hedge_after_ms');
  });

  test('embeddings: an embeddings span with its attempt', async () => {
    upstream.script = {};
    const reply = await postJson(`${gateway.url}/v1/embeddings`, { model: 'up/text-embedding-3-small', input: ['one', 'two'] });
    assert.equal(reply.status, 200, reply.text);
    const { request, attempts } = await spansOf(reply.headers.get('x-request-id')!, 1);
    assert.equal(request.name, 'embeddings up/text-embedding-3-small');
    assert.equal(request.attributes['gen_ai.operation.name'], 'embeddings');
    assert.equal(request.attributes['gen_ai.provider.name'], 'openai');
    assert.ok(Number(request.attributes['gen_ai.usage.input_tokens']) > 0);
    assert.equal(attempts[0]!.name, 'embeddings text-embedding-3-small');
    assert.equal(header(upstream.requests.at(-1)!.headers.traceparent)?.split('-')[2], attempts[0]!.spanId);
  });

  test('a request refused before it was read still gets its span', async () => {
    const reply = await postJson(`${gateway.url}/v1/chat/completions`, '{not json');
    assert.equal(reply.status, 400);
    const { request } = await spansOf(reply.headers.get('x-request-id')!, 0);
    assert.equal(request.name, 'chat');
    assert.equal(request.attributes['error.type'], 'invalid_json');
    assert.equal(request.attributes['http.response.status_code'], 400);
    assert.notEqual(request.status.code, STATUS_ERROR, 'a 4xx leaves a SERVER span unset');
  });
});
