// The bench's mock OpenAI upstream: raw node:http, precomputed bytes, as little CPU per request
// as possible so the load generator + upstream core is never what limits a measurement.
// Run directly: `node bench/upstream.js --port 0 --gap-ms 1` prints {"ready":true,"port":N}.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { announceReady, argValue, isEntryPoint } from './child-entry.js';
import { completionBody, streamFrames } from './upstream-payloads.js';

export interface BenchUpstreamOptions {
  host?: string;
  port?: number;
  /** Gap between streamed events after the first (which is always written at once); 0 = no gap. */
  chunkGapMs?: number;
}

export interface BenchUpstream {
  /** Origin, e.g. http://127.0.0.1:1234 (the OpenAI base_url is this + /v1). */
  origin: string;
  port: number;
  close(): Promise<void>;
}

const CHAT_PATH = '/v1/chat/completions';
const JSON_HEADERS = ['content-type', 'application/json', 'openai-processing-ms', '12'];
const SSE_HEADERS = ['content-type', 'text/event-stream; charset=utf-8', 'cache-control', 'no-cache'];

interface ActiveStream {
  response: http.ServerResponse;
  frames: Buffer[];
  next: number;
}

/**
 * Writes the remaining events of every open stream, one event per stream per tick: one shared
 * interval instead of a timer per stream keeps the mock cheap at 64 concurrent streams.
 */
function createStreamTicker(gapMs: number) {
  const active = new Set<ActiveStream>();
  let timer: NodeJS.Timeout | undefined;
  const tick = () => {
    for (const stream of active) {
      stream.response.write(stream.frames[stream.next++]);
      if (stream.next === stream.frames.length) {
        stream.response.end();
        active.delete(stream);
      }
    }
    if (active.size === 0 && timer) {
      clearInterval(timer);
      timer = undefined;
    }
  };
  return {
    add(stream: ActiveStream): void {
      active.add(stream);
      stream.response.once('close', () => active.delete(stream));
      timer ??= setInterval(tick, gapMs);
    },
    stop(): void {
      if (timer) clearInterval(timer);
      active.clear();
    },
  };
}

function sendError(response: http.ServerResponse, status: number, message: string, param: string | null): void {
  const body = JSON.stringify({ error: { message, type: 'invalid_request_error', param, code: null } });
  response.writeHead(status, { 'content-type': 'application/json' }).end(body);
}

/** Starts the mock upstream on loopback; answers POST /v1/chat/completions, streaming or not. */
export async function startBenchUpstream(options: BenchUpstreamOptions = {}): Promise<BenchUpstream> {
  const gapMs = options.chunkGapMs ?? 1;
  const created = Math.floor(Date.now() / 1000);
  // Answers echo the requested model; the bench uses one or two names, so cache per name.
  const completions = new Map<string, Buffer>();
  const streams = new Map<string, Buffer[]>();
  const ticker = createStreamTicker(gapMs);

  const answer = (body: string, response: http.ServerResponse) => {
    let request: { model?: unknown; messages?: unknown; stream?: unknown };
    try {
      request = JSON.parse(body) as typeof request;
    } catch {
      return sendError(response, 400, 'We could not parse the JSON body of your request.', null);
    }
    if (typeof request.model !== 'string') return sendError(response, 400, "Missing required parameter: 'model'.", 'model');
    if (!Array.isArray(request.messages) || request.messages.length === 0) {
      return sendError(response, 400, "Missing required parameter: 'messages'.", 'messages');
    }
    const model = request.model;
    if (request.stream !== true) {
      let bytes = completions.get(model);
      if (!bytes) completions.set(model, (bytes = completionBody(model, created)));
      response.writeHead(200, [...JSON_HEADERS, 'content-length', String(bytes.length)]);
      response.end(bytes);
      return;
    }
    let frames = streams.get(model);
    if (!frames) streams.set(model, (frames = streamFrames(model, created)));
    response.writeHead(200, SSE_HEADERS);
    if (gapMs <= 0) {
      for (const frame of frames) response.write(frame);
      response.end();
      return;
    }
    response.write(frames[0]);
    ticker.add({ response, frames, next: 1 });
  };

  const server = http.createServer((request, response) => {
    response.sendDate = false;
    if (request.method !== 'POST' || request.url !== CHAT_PATH) {
      request.resume();
      return sendError(response, 404, `Invalid URL (${request.method} ${request.url})`, null);
    }
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (piece: string) => (body += piece));
    request.on('end', () => answer(body, response));
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://${options.host ?? '127.0.0.1'}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        ticker.stop();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

if (isEntryPoint(import.meta.url)) {
  const upstream = await startBenchUpstream({
    port: Number(argValue('port', '0')),
    chunkGapMs: Number(argValue('gap-ms', '1')),
  });
  announceReady({ port: upstream.port, pid: process.pid });
}
