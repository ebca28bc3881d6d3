// The floor: the least a Node gateway must do — a node:http server that forwards each request
// through a keep-alive undici Pool and pipes the answer bytes back without parsing them. Every
// ratio in the bench report divides by this process's numbers.
// Run directly: `node bench/floor.js --upstream http://127.0.0.1:N --port 0`.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';
import { announceReady, argValue, isEntryPoint } from './child-entry.js';

export interface FloorProxy {
  port: number;
  close(): Promise<void>;
}

// Hop-by-hop headers are the connection's own business and must not be forwarded.
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'proxy-connection']);

function forwardableHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
  }
  return out;
}

/** Starts the pass-through proxy in front of `upstreamOrigin` (e.g. http://127.0.0.1:1234). */
export async function startFloorProxy(upstreamOrigin: string, port = 0): Promise<FloorProxy> {
  const pool = new Pool(upstreamOrigin, { connections: null, pipelining: 1, keepAliveTimeout: 60_000 });
  const upstreamHost = new URL(upstreamOrigin).host;

  const forward = (request: http.IncomingMessage, response: http.ServerResponse, body: Buffer) => {
    const headers = forwardableHeaders(request.headers);
    headers.host = upstreamHost;
    pool
      .request({ path: request.url ?? '/', method: request.method as 'POST', headers, body })
      .then((upstream) => {
        response.writeHead(upstream.statusCode, forwardableHeaders(upstream.headers));
        // Plain pipe (stream.pipeline allocates an AbortController per call); tear the upstream
        // body down by hand if the client goes away mid-stream, and vice versa.
        upstream.body.pipe(response);
        upstream.body.once('error', () => response.destroy());
        response.once('close', () => {
          if (!response.writableFinished) upstream.body.destroy();
        });
      })
      .catch((error: Error) => {
        if (response.headersSent) return response.destroy();
        response.writeHead(502, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ error: { message: error.message, type: 'bad_gateway' } }));
      });
  };

  const server = http.createServer((request, response) => {
    response.sendDate = false;
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => forward(request, response, chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await pool.close();
    },
  };
}

if (isEntryPoint(import.meta.url)) {
  const floor = await startFloorProxy(argValue('upstream', 'http://127.0.0.1:8000'), Number(argValue('port', '0')));
  // Exit normally on SIGTERM so `--cpu-prof` (BENCH_PROFILE=1) gets to write its profile.
  process.once('SIGTERM', () => process.exit(0));
  announceReady({ port: floor.port, pid: process.pid });
}
