import { onAbort, type RequestSignal } from './abort.js';
import { Agent, errors as undiciErrors, type Dispatcher } from 'undici';
import { GatewayError } from '../errors/gateway-error.js';
import type { UpstreamHeaders, UpstreamRequest } from '../providers/types.js';

export interface UpstreamResponse {
  status: number;
  headers: UpstreamHeaders;
  body: UpstreamBody;
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

/** Where an upstream body's chunks go: exactly one of `end` or `error` closes it. */
export interface BodyConsumer {
  data(chunk: Buffer): void;
  end(): void;
  error(error: unknown): void;
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

/**
 * Sends one request upstream; resolves with status and headers, the body following through
 * `body.consume`. Transport failures become retryable GatewayErrors.
 *
 * Built on `dispatcher.dispatch` with our own handler rather than `dispatcher.request`: request()
 * wraps every answer in a Readable stream and an AsyncResource, which measured several µs per
 * request on the gateway's hot path; the gateway only ever wants the chunks.
 */
export function sendUpstream(upstream: UpstreamRequest, options: SendOptions): Promise<UpstreamResponse> {
  const { signal } = options;
  if (signal.aborted) return Promise.reject(transportError(signal.reason, options.provider, signal));
  const { origin, path } = splitUrl(upstream.url);
  return new Promise((resolve, reject) => {
    const exchange = new Exchange(options, resolve, reject);
    upstreamAgent().dispatch(
      {
        origin,
        path,
        method: upstream.method,
        headers: upstream.headers,
        body: upstream.body ?? null,
        headersTimeout: options.headersTimeoutMs,
        bodyTimeout: options.bodyTimeoutMs,
      },
      exchange,
    );
  });
}

/** Chunks kept for a consumer that has not attached yet before the socket is paused. */
const PENDING_LIMIT_BYTES = 256 * 1024;

type ExchangeState = 'waiting' | 'body' | 'ended' | 'failed' | 'destroyed';

/**
 * One upstream request's undici handler: the headers resolve the promise, body chunks go to the
 * consumer. Chunks are held in `pending` while there is no consumer yet or it has paused (undici
 * honours a pause only after the chunk in hand, so one more may come), and delivered in order.
 */
class Exchange implements Dispatcher.DispatchHandler {
  state: ExchangeState = 'waiting';
  #consumer: BodyConsumer | undefined;
  #consumerPaused = false;
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #failure: unknown;
  #controller: Dispatcher.DispatchController | undefined;
  readonly #options: SendOptions;
  readonly #resolve: (response: UpstreamResponse) => void;
  readonly #reject: (error: GatewayError) => void;
  readonly #stopListening: () => void;
  #readyWaiter: (() => void) | undefined;

  constructor(options: SendOptions, resolve: (response: UpstreamResponse) => void, reject: (error: GatewayError) => void) {
    this.#options = options;
    this.#resolve = resolve;
    this.#reject = reject;
    this.#stopListening = onAbort(options.signal, () => this.abort(options.signal.reason));
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    if (this.state === 'destroyed' || this.#options.signal.aborted) controller.abort(this.#abortError(this.#options.signal.reason));
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: UpstreamHeaders): void {
    if (statusCode < 200 || this.state !== 'waiting') return; // 1xx: the real answer follows
    this.state = 'body';
    this.#resolve({ status: statusCode, headers, body: new UpstreamBody(this) });
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.state !== 'body') return;
    if (this.#consumer && !this.#consumerPaused && this.#pending.length === 0) return this.#consumer.data(chunk);
    this.#pending.push(chunk);
    this.#pendingBytes += chunk.length;
    this.#wakeReadyWaiter();
    if (this.#consumerPaused || this.#pendingBytes > PENDING_LIMIT_BYTES) controller.pause();
  }

  onResponseEnd(): void {
    if (this.state !== 'body') return;
    this.state = 'ended';
    this.#stopListening();
    this.#wakeReadyWaiter();
    this.#flush();
  }

  onResponseError(_controller: Dispatcher.DispatchController | null, error: Error): void {
    this.#stopListening();
    const before = this.state;
    if (before === 'ended' || before === 'failed' || before === 'destroyed') return;
    this.state = 'failed';
    if (before === 'waiting') return this.#reject(transportError(error, this.#options.provider, this.#options.signal));
    this.#failure = error;
    this.#wakeReadyWaiter();
    this.#flush();
  }

  /** Tears the request down (client gone, deadline passed). */
  abort(reason: unknown): void {
    const error = this.#abortError(reason);
    // Not on a socket yet: onRequestStart aborts it; the caller hears now.
    if (this.#controller) this.#controller.abort(error);
    else if (this.state === 'waiting') this.onResponseError(null, error);
  }

  /** Resolves once a chunk is in hand or the body is over (ended, failed or destroyed); before consume. */
  ready(): Promise<void> {
    if (this.#pending.length > 0 || this.state !== 'body') return Promise.resolve();
    return new Promise((resolve) => (this.#readyWaiter = resolve));
  }

  /** The transport error, when the body failed before delivering a single chunk. */
  failedEmpty(): unknown {
    return this.state === 'failed' && this.#pending.length === 0 && this.#consumer === undefined ? this.#failure : undefined;
  }

  #wakeReadyWaiter(): void {
    const waiter = this.#readyWaiter;
    this.#readyWaiter = undefined;
    waiter?.();
  }

  attach(consumer: BodyConsumer): void {
    this.#consumer = consumer;
    this.#flush();
  }

  pause(): void {
    this.#consumerPaused = true;
    this.#controller?.pause();
  }

  resume(): void {
    this.#consumerPaused = false;
    this.#flush();
  }

  destroy(): void {
    if (this.state === 'ended' || this.state === 'failed' || this.state === 'destroyed') return;
    this.state = 'destroyed';
    this.#consumer = undefined;
    this.#pending = [];
    this.#stopListening();
    this.#wakeReadyWaiter();
    this.#controller?.abort(new Error('upstream body discarded'));
  }

  /** Delivers held chunks while the consumer wants them, then the end or the failure once all are out. */
  #flush(): void {
    const consumer = this.#consumer;
    if (!consumer) return;
    while (this.#pending.length > 0) {
      if (this.#consumerPaused || this.#consumer !== consumer) return;
      const chunk = this.#pending.shift()!;
      this.#pendingBytes -= chunk.length;
      consumer.data(chunk);
    }
    if (this.#consumerPaused || this.#consumer !== consumer) return;
    if (this.state === 'body') {
      if (this.#controller?.paused) this.#controller.resume();
      return;
    }
    this.#consumer = undefined; // the end or the failure is said once
    if (this.state === 'ended') consumer.end();
    else if (this.state === 'failed') consumer.error(this.#failure);
  }

  #abortError(reason: unknown): Error {
    return reason instanceof Error ? reason : new Error(String(reason ?? 'aborted'));
  }
}

/**
 * An upstream answer's body. Chunks that arrive before `consume` are kept (the socket is paused
 * past a limit), so the caller may attach after awaiting the headers.
 */
export class UpstreamBody {
  readonly #exchange: Exchange;

  constructor(exchange: Exchange) {
    this.#exchange = exchange;
  }

  /** Resolves when the first chunk has arrived or the body is over: how a stream's first token is awaited. */
  ready(): Promise<void> {
    return this.#exchange.ready();
  }

  /** After `ready`: the error that ended the body before its first chunk, if that is what happened. */
  failedEmpty(): unknown {
    return this.#exchange.failedEmpty();
  }

  /** Delivers every chunk, then `end` or `error`, to `consumer`. Call once. */
  consume(consumer: BodyConsumer): void {
    this.#exchange.attach(consumer);
  }

  /** Stops reading from the socket (backpressure) until `resume`. */
  pause(): void {
    this.#exchange.pause();
  }

  resume(): void {
    this.#exchange.resume();
  }

  /** Drops the rest of the body and closes the upstream connection; the consumer hears nothing more. */
  destroy(): void {
    this.#exchange.destroy();
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
export async function readBodyText(body: UpstreamBody, limitBytes = 64 * 1024 * 1024): Promise<string> {
  return (await readBody(body, 'upstream', undefined, limitBytes)).toString('utf8');
}

/** Reads a whole body into one Buffer, failing past `limitBytes` or on a transport error. */
export function readBody(body: UpstreamBody, provider: string, signal?: RequestSignal, limitBytes = 64 * 1024 * 1024): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    body.consume({
      data(chunk) {
        size += chunk.length;
        if (size > limitBytes) {
          body.destroy();
          reject(new GatewayError('upstream_invalid_response', `${provider}: response body exceeds ${limitBytes} bytes`, { provider }));
          return;
        }
        chunks.push(chunk);
      },
      end: () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)),
      error: (error) => reject(transportError(error, provider, signal)),
    });
  });
}
