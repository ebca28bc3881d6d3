/**
 * The OpenTelemetry side of tracing.ts, imported only when `telemetry.otlp_endpoint` is set: the
 * SDK's tracer with a BatchSpanProcessor and the OTLP/HTTP (JSON) exporter, W3C trace context in
 * and out, and the GenAI semantic conventions (docs/TRACING.md).
 *
 * Span timing: the request span starts when the context is built, with the arrival time as its
 * start, so its id exists before the first upstream call and each attempt's CLIENT span can be
 * started live as the call starts: its own span id is then what the call's `traceparent` names,
 * and the provider's spans hang under the right attempt. Attempt spans are ended together with
 * the request (their end times taken from the attempt records), once tokens and cost are settled,
 * so the routing code only opens them and the attributes are set in one place.
 */
import { createRequire } from 'node:module';
import {
  DiagLogLevel,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  defaultTextMapGetter,
  defaultTextMapSetter,
  diag,
  trace,
  type Attributes,
  type Context,
  type DiagLogger,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { defaultResource, detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { TargetPlan } from '../config/plan.js';
import type { GatewayError } from '../errors/gateway-error.js';
import type { AttemptRecord, RequestContext } from '../pipeline/context.js';
import type { RequestTap } from '../pipeline/lifecycle.js';
import type { Provider } from '../providers/types.js';
import type { Logger } from './logger.js';
import { otlpTracesUrl, type RequestTrace, type RequestTraceEnd, type RequestTraceStart, type Tracing, type TracingSettings } from './tracing.js';

/**
 * `gen_ai.provider.name` for a provider type: the convention's well-known value where one exists,
 * else the type itself (together, fireworks, openrouter, ollama, vllm, openai-compatible, mock).
 */
const GEN_AI_PROVIDER: Readonly<Record<string, string>> = {
  openai: 'openai',
  azure: 'azure.ai.openai',
  anthropic: 'anthropic',
  gemini: 'gcp.gemini',
  bedrock: 'aws.bedrock',
  mistral: 'mistral_ai',
  groq: 'groq',
  deepseek: 'deepseek',
  xai: 'x_ai',
};

export function genAiProviderName(type: string): string {
  return GEN_AI_PROVIDER[type] ?? type;
}

/** Bounded waits: a collector that does not answer never holds a shutdown for long. */
const EXPORT_TIMEOUT_MS = 10_000;

export function createOtelTracing(settings: TracingSettings, logger: Logger): Tracing {
  routeDiagnostics(logger);
  const tracesUrl = otlpTracesUrl(settings.endpoint);
  const exporter = new OTLPTraceExporter({ url: tracesUrl, headers: settings.headers, timeoutMillis: EXPORT_TIMEOUT_MS });
  // OTEL_RESOURCE_ATTRIBUTES adds attributes (deployment.environment...); the config names the service.
  const resource = defaultResource()
    .merge(detectResources({ detectors: [envDetector] }))
    .merge(resourceFromAttributes({ 'service.name': settings.serviceName, 'service.version': packageVersion() }));
  // The sampler is the SDK's default (parent-based, always on), or OTEL_TRACES_SAMPLER's: a client
  // that sent an unsampled traceparent gets no recorded spans, and the flag goes on upstream.
  const provider = new BasicTracerProvider({
    resource,
    spanProcessors: [new BatchSpanProcessor(exporter)], // OTEL_BSP_* apply
  });
  const tracer = provider.getTracer('switchyard', packageVersion());
  const propagator = new W3CTraceContextPropagator();
  const shared: Shared = { tracer, propagator, addresses: new WeakMap() };

  return {
    tracesUrl,
    startRequest: (start) => new OtelRequestTrace(shared, start),
    tap: () => ({ name: 'tracing', record: (ctx) => ctx.trace?.end(chatResult(ctx)) }) satisfies RequestTap,
    flush: (timeoutMs = EXPORT_TIMEOUT_MS) => bounded(provider.forceFlush(), timeoutMs),
    shutdown: (timeoutMs) => bounded(provider.shutdown(), timeoutMs),
  };
}

interface Shared {
  tracer: Tracer;
  propagator: W3CTraceContextPropagator;
  /** `server.address` / `server.port` per provider, parsed once. */
  addresses: WeakMap<Provider, Attributes>;
}

interface OpenAttempt {
  record: AttemptRecord;
  target: TargetPlan;
  span: Span;
  /** A stream this call was serving broke, and the next call continued it (from `cutAt`). */
  cut?: GatewayError;
  cutAt?: number;
  ended?: boolean;
}

class OtelRequestTrace implements RequestTrace {
  readonly #shared: Shared;
  readonly #operation: string;
  readonly #span: Span;
  /** The request span in a context: the parent of every attempt span. */
  readonly #context: Context;
  /** Epoch ms minus performance.now(), taken at the start: converts the records' times. */
  readonly #offset: number;
  /** `gen_ai.request.*` parameters, repeated on each attempt span. */
  readonly #params: Attributes;
  readonly #attempts: OpenAttempt[] = [];
  /** Set once the request ended: what attempts still in flight then are ended with. */
  #result: RequestTraceEnd | undefined;
  #endedAt = 0;

  constructor(shared: Shared, start: RequestTraceStart) {
    this.#shared = shared;
    this.#operation = start.operation;
    this.#offset = Date.now() - performance.now();
    this.#params = requestParams(start.body);
    // An invalid or absent traceparent leaves the root context: the request starts a new trace.
    const parent = shared.propagator.extract(ROOT_CONTEXT, start.headers, defaultTextMapGetter);
    this.#span = shared.tracer.startSpan(
      spanName(start.operation, start.model),
      {
        kind: SpanKind.SERVER,
        startTime: this.#epoch(start.startedAt),
        attributes: {
          'gen_ai.operation.name': start.operation,
          ...(start.model !== undefined && { 'gen_ai.request.model': start.model }),
          ...this.#params,
          'http.request.method': 'POST',
          'http.route': start.route,
          'switchyard.request_id': start.requestId,
        },
      },
      parent,
    );
    this.#context = trace.setSpan(parent, this.#span);
  }

  startAttempt(attempt: AttemptRecord, target: TargetPlan, continues?: GatewayError): void {
    if (this.#result !== undefined) return;
    const continuation = continues !== undefined;
    if (continuation) {
      // The call that was streaming: the latest one without an error of its own.
      const streaming = this.#attempts.findLast((open) => open.record.error === undefined && open.cut === undefined);
      if (streaming) {
        streaming.cut = continues;
        streaming.cutAt = attempt.startedAt;
      }
    }
    const provider = target.provider;
    const span = this.#shared.tracer.startSpan(
      spanName(this.#operation, target.model),
      {
        kind: SpanKind.CLIENT,
        startTime: this.#epoch(attempt.startedAt),
        attributes: {
          'gen_ai.operation.name': this.#operation,
          ...providerAttributes(provider),
          'gen_ai.request.model': target.model,
          ...this.#params,
          ...this.#address(provider),
          'switchyard.provider': provider.config.name,
          'switchyard.attempt': this.#attempts.length + 1,
          ...(continuation && { 'switchyard.continuation': true }),
        },
      },
      this.#context,
    );
    this.#attempts.push({ record: attempt, target, span });
    if (provider.local) return; // answered in-process: no HTTP call to carry the context
    const headers: Record<string, string> = {};
    this.#shared.propagator.inject(trace.setSpan(this.#context, span), headers, defaultTextMapSetter);
    attempt.traceHeaders = headers;
  }

  attemptSettled(attempt: AttemptRecord): void {
    if (this.#result === undefined) return; // the request's end ends it
    const open = this.#attempts.find((entry) => entry.record === attempt);
    if (open) this.#endAttempt(open, this.#result, this.#endedAt);
  }

  end(result: RequestTraceEnd): void {
    if (this.#result !== undefined) return;
    this.#result = result;
    const endedAt = (this.#endedAt = this.#epoch(result.endedAt));
    for (const attempt of this.#attempts) {
      const inFlight = attempt.record.durationMs === undefined && attempt.target !== result.served;
      if (!inFlight) this.#endAttempt(attempt, result, endedAt);
    }

    const span = this.#span;
    const served = result.served;
    const attributes: Attributes = {
      'http.response.status_code': result.status,
      'switchyard.attempts': result.attempts.length,
      'switchyard.stream': result.stream,
    };
    if (served) {
      Object.assign(attributes, providerAttributes(served.provider));
      attributes['switchyard.provider'] = served.provider.config.name;
      if (result.status < 400) attributes['gen_ai.response.model'] = served.model;
    }
    const usage = result.usage;
    if (usage) {
      attributes['gen_ai.usage.input_tokens'] = usage.inputTokens;
      attributes['gen_ai.usage.output_tokens'] = usage.outputTokens;
      if (usage.cachedInputTokens) attributes['gen_ai.usage.cache_read.input_tokens'] = usage.cachedInputTokens;
      if (usage.cacheWriteInputTokens) attributes['gen_ai.usage.cache_creation.input_tokens'] = usage.cacheWriteInputTokens;
      if (usage.reasoningTokens) attributes['gen_ai.usage.reasoning.output_tokens'] = usage.reasoningTokens;
      if (result.tokensEstimated) attributes['switchyard.tokens_estimated'] = true;
    }
    if (result.costUsd !== undefined) attributes['switchyard.cost_usd'] = result.costUsd;
    if (result.cache !== undefined) attributes['switchyard.cache'] = result.cache;
    if (result.variant !== undefined) attributes['switchyard.variant'] = result.variant;
    span.setAttributes(attributes);
    // A SERVER span is in error for a 5xx failure; a 4xx (the client's request, limits, a client
    // that left) keeps the status unset, as the HTTP conventions say, but still names its error.
    if (result.error) {
      span.setAttribute('error.type', result.error.code);
      if (result.error.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR, message: result.error.message });
    } else if (result.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end(endedAt);
  }

  #endAttempt(open: OpenAttempt, result: RequestTraceEnd, requestEnd: number): void {
    if (open.ended) return;
    open.ended = true;
    const { record, target, span, cut, cutAt } = open;
    // The call that answered a stream lasted until the stream ended; a cut stream is its error.
    const answered = target === result.served && record.error === undefined && cut === undefined;
    const error: GatewayError | undefined = record.error ?? cut ?? (answered ? result.error : undefined);
    const status = record.status ?? (answered || cut ? result.upstreamStatus : undefined);
    if (status !== undefined) span.setAttribute('http.response.status_code', status);
    if (error) {
      span.setAttribute('error.type', error.code);
      span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
    } else if (answered) span.setAttribute('gen_ai.response.model', target.model);
    let end: number;
    if (cutAt !== undefined) end = this.#epoch(cutAt);
    else if ((answered && result.stream) || record.durationMs === undefined) end = requestEnd;
    else end = this.#epoch(record.startedAt + record.durationMs);
    span.end(end);
  }

  #epoch(performanceMs: number): number {
    return performanceMs + this.#offset;
  }

  #address(provider: Provider): Attributes {
    let address = this.#shared.addresses.get(provider);
    if (address === undefined) {
      address = serverAddress(provider);
      this.#shared.addresses.set(provider, address);
    }
    return address;
  }
}

/** A finished chat request, as the tap sees it (accounting settled). */
function chatResult(ctx: RequestContext): RequestTraceEnd {
  const accounting = ctx.accounting;
  return {
    status: ctx.responseStatus ?? ctx.error?.status ?? 200,
    error: ctx.error,
    served: ctx.served,
    attempts: ctx.attempts,
    endedAt: ctx.endedAt ?? performance.now(),
    stream: ctx.envelope.stream,
    upstreamStatus: ctx.status,
    usage: accounting?.usage,
    costUsd: accounting?.costUsd,
    tokensEstimated: accounting?.estimated ?? false,
    cache: ctx.cacheResult,
    variant: ctx.variant,
  };
}

/** `{operation} {model}`, or the operation alone when the model is not known. */
function spanName(operation: string, model: string | undefined): string {
  return model === undefined ? operation : `${operation} ${model}`;
}

function providerAttributes(provider: Provider): Attributes {
  const name = genAiProviderName(provider.config.type);
  // `gen_ai.provider.name` is the current convention's; `gen_ai.system` the name it had before
  // (semconv <= 1.36), which many backends still read.
  return { 'gen_ai.provider.name': name, 'gen_ai.system': name };
}

/** The client's sampling parameters that the conventions name, when present as numbers. */
function requestParams(body: Record<string, unknown> | undefined): Attributes {
  const params: Attributes = {};
  if (!body) return params;
  const maxTokens = body.max_tokens ?? body.max_completion_tokens;
  if (typeof maxTokens === 'number') params['gen_ai.request.max_tokens'] = maxTokens;
  if (typeof body.temperature === 'number') params['gen_ai.request.temperature'] = body.temperature;
  if (typeof body.top_p === 'number') params['gen_ai.request.top_p'] = body.top_p;
  return params;
}

function serverAddress(provider: Provider): Attributes {
  if (provider.local || !URL.canParse(provider.config.baseUrl)) return {};
  const url = new URL(provider.config.baseUrl);
  const port = url.port !== '' ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  return { 'server.address': url.hostname.replace(/^\[|\]$/g, ''), 'server.port': port };
}

function bounded(work: Promise<void>, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, timeoutMs);
    timer.unref();
  });
  return Promise.race([work.catch(() => {}), timeout]).finally(() => clearTimeout(timer));
}

function packageVersion(): string {
  try {
    // Two folders up from src/telemetry and from dist/telemetry alike.
    return (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/**
 * The SDK reports export failures through its diagnostics channel: into the gateway's log, at
 * most one line per 30 s (a collector that is down would otherwise log at the export rate).
 */
function routeDiagnostics(logger: Logger): void {
  let lastAt = 0;
  let suppressed = 0;
  const report = (message: string, args: unknown[]): void => {
    const now = Date.now();
    if (now - lastAt < 30_000) {
      suppressed++;
      return;
    }
    lastAt = now;
    const detail = args.map((arg) => (arg instanceof Error ? arg.message : typeof arg === 'string' ? arg : safeJson(arg))).join(' ');
    logger.warn({ detail, suppressedSinceLast: suppressed }, `tracing: ${message}`);
    suppressed = 0;
  };
  const silent = (): void => {};
  const diagLogger: DiagLogger = {
    error: (message, ...args) => report(message, args),
    warn: (message, ...args) => report(message, args),
    info: silent,
    debug: silent,
    verbose: silent,
  };
  diag.setLogger(diagLogger, { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}
