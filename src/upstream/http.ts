import type { RequestSignal } from './abort.js';
import type { EventEmitter } from 'node:events';
import { Agent, errors as undiciErrors, type Dispatcher } from 'undici';
import { GatewayError } from '../errors/gateway-error.js';
import type { UpstreamHeaders, UpstreamRequest } from '../providers/types.js';

export interface UpstreamResponse {
  status: number;
  headers: UpstreamHeaders;
  body: Dispatcher.ResponseData['body'];
}

export interface SendOptions {
  /** Aborted when the client goes away or the deadline passes; the socket is torn down at once. */
  signal: RequestSignal;
  /** Wait for response headers at most this long. */
  headersTimeoutMs: number;
  /** Max gap between body chunks. */
  bodyTimeoutMs: number;
  /** Provider config name, for error messages. */
  provider: string;
}

/**
 * One keep-alive agent for the process: undici keeps a separate connection pool per upstream
 * origin inside it, so each provider gets its own pool without a map of ours to manage.
 */
let sharedAgent: Agent | undefined;
export function upstreamAgent(): Agent {
  sharedAgent ??= new Agent({
    keepAliveTimeout: 30_000,
    keepAliveMaxTimeout: 600_000,
    connections: null,
    pipelining: 1,
  });
  return sharedAgent;
}

/** Closes idle upstream connections; in-flight requests finish first. */
export async function closeUpstreamAgent(): Promise<void> {
  const agent = sharedAgent;
  sharedAgent = undefined;
  if (agent) await agent.close();
}

/** Sends one request upstream; transport failures become retryable GatewayErrors. */
export async function sendUpstream(upstream: UpstreamRequest, options: SendOptions): Promise<UpstreamResponse> {
  const { origin, path } = splitUrl(upstream.url);
  try {
    // dispatcher.request with origin + path skips re-parsing the URL on every call.
    const response = await upstreamAgent().request({
      origin,
      path,
      method: upstream.method,
      headers: upstream.headers,
      body: upstream.body ?? null,
      // undici takes any emitter of `abort` with `aborted`/`reason` (see ./abort.ts).
      signal: options.signal as unknown as EventEmitter,
      headersTimeout: options.headersTimeoutMs,
      bodyTimeout: options.bodyTimeoutMs,
    });
    return { status: response.statusCode, headers: response.headers, body: response.body };
  } catch (error) {
    throw transportError(error, options.provider, options.signal);
  }
}

/** `http://host:port/a/b?c` → origin `http://host:port`, path `/a/b?c`. */
export function splitUrl(url: string): { origin: string; path: string } {
  const schemeEnd = url.indexOf('://');
  const pathStart = schemeEnd === -1 ? -1 : url.indexOf('/', schemeEnd + 3);
  if (pathStart === -1) return { origin: url, path: '/' };
  return { origin: url.slice(0, pathStart), path: url.slice(pathStart) };
}

/** Maps undici/network failures (and aborts) to gateway errors. */
export function transportError(error: unknown, provider: string, signal?: RequestSignal): GatewayError {
  if (error instanceof GatewayError) return error;
  if (signal?.aborted) {
    const reason: unknown = signal.reason;
    if (reason instanceof GatewayError) return reason;
    return new GatewayError('upstream_timeout', `${provider}: request aborted`, { provider, cause: error, retryable: false });
  }
  if (
    error instanceof undiciErrors.HeadersTimeoutError ||
    error instanceof undiciErrors.BodyTimeoutError ||
    error instanceof undiciErrors.ConnectTimeoutError
  ) {
    return new GatewayError('upstream_timeout', `${provider}: ${error.message}`, { provider, cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new GatewayError('upstream_unreachable', `${provider}: connection failed: ${message}`, { provider, cause: error });
}

/** Reads a whole (small) body as text: error bodies and non-streaming JSON answers. */
export async function readBodyText(body: UpstreamResponse['body'], limitBytes = 64 * 1024 * 1024): Promise<string> {
  return (await readBody(body, 'upstream', undefined, limitBytes)).toString('utf8');
}

/**
 * Reads a whole body into one Buffer, failing past `limitBytes` or on a transport error.
 * Event listeners rather than `for await`: the async iterator costs several µs per body.
 */
export function readBody(
  body: UpstreamResponse['body'],
  provider: string,
  signal?: RequestSignal,
  limitBytes = 64 * 1024 * 1024,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    body.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limitBytes) {
        body.destroy();
        reject(new GatewayError('upstream_invalid_response', `${provider}: response body exceeds ${limitBytes} bytes`, { provider }));
        return;
      }
      chunks.push(chunk);
    });
    body.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)));
    body.on('error', (error) => reject(transportError(error, provider, signal)));
  });
}
