import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GatewayError, toGatewayError } from '../errors/gateway-error.js';
import { closeUpstreamAgent } from '../upstream/http.js';
import { AbortLink } from '../upstream/abort.js';
import { sendError } from './respond.js';
import { newRequestId } from './request-id.js';
import { dialectForPath, findRoute } from './routes.js';
import type { GatewayRuntime } from './types.js';
import { accessFor, authenticate, type Caller } from './auth.js';

export interface Gateway {
  readonly server: http.Server;
  /** The bound address, e.g. `http://127.0.0.1:4000`. */
  url(): string;
  listen(port: number, host: string): Promise<void>;
  /** Stops accepting, lets in-flight requests and streams finish up to `timeoutMs`, then closes. */
  drain(timeoutMs: number): Promise<{ forced: number }>;
  inFlight(): number;
}

/** Builds the HTTP server: path dispatch, request ids, client-abort wiring, drain. */
export function createGateway(runtime: GatewayRuntime): Gateway {
  // A count, not a Set of responses: adding and deleting every response in a long-lived Set made
  // V8 promote each request's whole object graph to the old generation (measured: 5× the scavenge
  // time and a full GC every second under load; docs/PERFORMANCE.md, "Long-lived collections").
  // Drain only needs the number; closeAllConnections ends whatever is still open.
  let active = 0;
  let draining = false;

  const server = http.createServer((request, response) => {
    active++;
    // One listener per request: drain bookkeeping, and aborting the upstream call when the
    // client leaves before the answer is complete.
    const controller = new AbortLink();
    response.on('close', () => {
      active--;
      if (!response.writableFinished) controller.abort(new GatewayError('client_disconnected', 'client disconnected'));
    });
    if (draining) response.setHeader('connection', 'close');
    dispatch(runtime, request, response, controller).catch((error: unknown) => {
      runtime.logger.error({ err: error }, 'unhandled request failure');
      if (!response.headersSent) sendError(response, toGatewayError(error), (e) => dialectForPath(request.url ?? '/').encodeError(e));
      else response.destroy();
    });
  });
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 0; // streams may be long; per-provider timeouts bound upstream waits.

  return {
    server,
    url() {
      const address = server.address() as AddressInfo;
      return `http://${address.address.includes(':') ? `[${address.address}]` : address.address}:${address.port}`;
    },
    listen(port, host) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve();
        });
      });
    },
    async drain(timeoutMs) {
      draining = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const deadline = Date.now() + timeoutMs;
      while (active > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
      const forced = active;
      server.closeAllConnections();
      await closed;
      await closeUpstreamAgent();
      return { forced };
    },
    inFlight: () => active,
  };
}

async function dispatch(
  runtime: GatewayRuntime,
  request: IncomingMessage,
  response: ServerResponse,
  signal: AbortLink,
): Promise<void> {
  const startedAt = performance.now();
  const url = request.url ?? '/';
  const query = url.indexOf('?');
  const pathname = query === -1 ? url : url.slice(0, query);
  const requestId = newRequestId();
  const route = findRoute(pathname);
  if (!route) {
    const error = new GatewayError('not_found', `no route for ${request.method} ${pathname}`);
    sendError(response, error, (e) => dialectForPath(pathname).encodeError(e), { 'x-request-id': requestId });
    return;
  }
  // An `ANY` route answers each method itself (e.g. /admin/keys: GET and POST).
  if (route.method !== 'ANY' && request.method !== route.method) {
    const error = new GatewayError('method_not_allowed', `${pathname} accepts ${route.method}, not ${request.method}`);
    sendError(response, error, (e) => route.dialect.encodeError(e), { 'x-request-id': requestId, allow: route.method });
    return;
  }
  const plan = runtime.plan();
  let caller: Caller;
  try {
    caller = authenticate(plan, runtime.keys, request, accessFor(pathname));
  } catch (error) {
    sendError(response, toGatewayError(error), (e) => route.dialect.encodeError(e), { 'x-request-id': requestId });
    return;
  }
  await route.handler({ request, response, runtime, plan, requestId, signal, startedAt, caller });
}
