import type { IncomingHttpHeaders } from 'node:http';
import type { Config } from '../config/schema.js';
import type { TargetPlan } from '../config/plan.js';
import type { GatewayError } from '../errors/gateway-error.js';
import type { Usage } from '../ir/chat.js';
import type { AttemptRecord } from '../pipeline/context.js';
import type { RequestTap } from '../pipeline/lifecycle.js';
import { redactUrl, type Logger } from './logger.js';

/**
 * OpenTelemetry traces (docs/TRACING.md): one SERVER span per request, one CLIENT span per upstream
 * call, exported by OTLP/HTTP when `telemetry.otlp_endpoint` is set.
 *
 * This module is the only one the rest of the gateway imports, and it imports nothing of
 * OpenTelemetry: the SDK and the exporter (tracing-otel.ts) are loaded by `startTracing` with a
 * dynamic import, and only when an endpoint is configured. Loaded at startup, large module graphs
 * make V8 promote far more of each request's garbage (see storage/handle.ts). With tracing off,
 * `runtime.tracing` is undefined and every hook is a single `undefined` check.
 */
export interface Tracing {
  /** Where spans go: the endpoint with `/v1/traces`. */
  readonly tracesUrl: string;
  /**
   * Starts the request's SERVER span (at `startedAt`, the arrival), continuing the client's
   * `traceparent`/`tracestate` when valid. Ended by `RequestTrace.end` (chat: by the tap, once
   * tokens and cost are settled).
   */
  startRequest(start: RequestTraceStart): RequestTrace;
  /** Ends a chat request's spans once its accounting settled (taps run after it). */
  tap(): RequestTap;
  /** Exports every ended span now; resolves when done or after `timeoutMs`. */
  flush(timeoutMs?: number): Promise<void>;
  /** Flushes and stops the exporter, waiting at most `timeoutMs`. */
  shutdown(timeoutMs: number): Promise<void>;
}

export interface RequestTraceStart {
  operation: 'chat' | 'embeddings';
  /** The model name the client sent; absent when the request was refused before it was read. */
  model?: string | undefined;
  headers: IncomingHttpHeaders;
  /** performance.now() at arrival. */
  startedAt: number;
  requestId: string;
  /** The route served, e.g. `/v1/chat/completions`. */
  route: string;
  /** The client's JSON body, for `gen_ai.request.max_tokens`, `temperature`, `top_p`. */
  body?: Record<string, unknown>;
}

/** What is known of a request when it is over. */
export interface RequestTraceEnd {
  /** The HTTP status the client got (200 once a stream started). */
  status: number;
  /** Why the request failed, or why a started stream was cut. */
  error?: GatewayError | undefined;
  served?: TargetPlan | undefined;
  attempts: readonly AttemptRecord[];
  /** performance.now() when the answer was over. */
  endedAt: number;
  /** The answer was streamed: the served call lasted until `endedAt`, not until its first byte. */
  stream: boolean;
  /** The served call's upstream HTTP status. */
  upstreamStatus?: number | undefined;
  usage?: Usage | undefined;
  costUsd?: number | undefined;
  tokensEstimated?: boolean;
  cache?: string | undefined;
  variant?: string | undefined;
}

/** One request's spans. */
export interface RequestTrace {
  /**
   * Opens the CLIENT span of one upstream call (retry, fallback, hedge or resumed-stream
   * continuation) under the request span, and sets `attempt.traceHeaders`: the `traceparent`
   * (and `tracestate`) the call sends upstream. `continues`: this call continues a stream that
   * error cut (`resume_streams`); the call that was streaming ends there, with that error.
   */
  startAttempt(attempt: AttemptRecord, target: TargetPlan, continues?: GatewayError): void;
  /**
   * The call's record is complete. Spans are ended with the request; a call still in flight
   * then (a hedge's loser, being aborted) is ended here instead, with how it really ended.
   */
  attemptSettled(attempt: AttemptRecord): void;
  /** Ends the attempt spans and the request span. Only the first call counts. */
  end(result: RequestTraceEnd): void;
}

export interface TracingSettings {
  endpoint: string;
  headers: Record<string, string>;
  serviceName: string;
}

/** The settings `telemetry` gives, or undefined when tracing is off (no `otlp_endpoint`). */
export function tracingSettings(config: Config): TracingSettings | undefined {
  const telemetry = config.telemetry;
  if (!telemetry?.otlp_endpoint) return undefined;
  return { endpoint: telemetry.otlp_endpoint, headers: telemetry.otlp_headers, serviceName: telemetry.service_name };
}

/** Same settings? (a reload that changes them has no effect until a restart). */
export function sameTracingSettings(a: TracingSettings | undefined, b: TracingSettings | undefined): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

/**
 * `telemetry.otlp_endpoint` read like OTEL_EXPORTER_OTLP_ENDPOINT: a base URL to which
 * `/v1/traces` is appended, unless it already ends with `/v1/traces`.
 */
export function otlpTracesUrl(endpoint: string): string {
  const url = new URL(endpoint);
  const path = url.pathname.replace(/\/+$/, '');
  if (!path.endsWith('/v1/traces')) url.pathname = `${path}/v1/traces`;
  else url.pathname = path;
  return url.toString();
}

let sdkLoaded = false;

/** Whether the OpenTelemetry SDK was loaded in this process (only `startTracing` with an endpoint loads it). */
export function tracingSdkLoaded(): boolean {
  return sdkLoaded;
}

/**
 * The tracer when `telemetry.otlp_endpoint` is set (the SDK and exporter are imported now), else
 * undefined without loading anything.
 */
export async function startTracing(settings: TracingSettings | undefined, logger: Logger): Promise<Tracing | undefined> {
  if (!settings) return undefined;
  const { createOtelTracing } = await import('./tracing-otel.js');
  sdkLoaded = true;
  const tracing = createOtelTracing(settings, logger);
  logger.info({ traces: redactUrl(tracing.tracesUrl), service: settings.serviceName }, 'OpenTelemetry traces exported by OTLP/HTTP');
  return tracing;
}

