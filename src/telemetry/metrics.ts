import { Gauge, Registry } from 'prom-client';
import type { RequestContext } from '../pipeline/context.js';
import type { RequestTap } from '../pipeline/lifecycle.js';
import { AggregatedMetric } from './aggregates.js';

/** Request latency buckets (seconds): LLM calls run from ~100 ms to minutes. */
const DURATION_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300];
/** Time to first token buckets (seconds): what users feel in a streamed answer. */
const TTFT_BUCKETS = [0.025, 0.05, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2.5, 5, 10, 30];

type Series = ReturnType<AggregatedMetric['series']>;

/** Label combinations kept per metric before new model names are counted as `other`. */
export const MAX_SERIES = 2_000;

/**
 * The Prometheus metrics of PRODUCT.md, in a registry of their own (one per gateway, so tests can
 * run several). Recording is O(1) per request: the series for a label combination is found once
 * and cached (see aggregates.ts for why not prom-client's own counters on this path).
 */
export class GatewayMetrics {
  readonly registry = new Registry();
  readonly #requests = new AggregatedMetric(
    'switchyard_requests_total',
    'Requests answered, by the model name the client sent, the provider that served it and the HTTP status.',
    'counter',
    ['model', 'provider', 'status'],
    [],
    this.registry,
  );
  readonly #duration = new AggregatedMetric(
    'switchyard_request_duration_seconds',
    'Time from the request arriving to the last byte of the answer.',
    'histogram',
    ['model', 'provider'],
    DURATION_BUCKETS,
    this.registry,
  );
  readonly #ttft = new AggregatedMetric(
    'switchyard_time_to_first_token_seconds',
    'Time from the request arriving to the first byte of the upstream answer body.',
    'histogram',
    ['model', 'provider'],
    TTFT_BUCKETS,
    this.registry,
  );
  readonly #tokens = new AggregatedMetric(
    'switchyard_tokens_total',
    'Tokens processed: input (prompt, cached included) or output (completion, reasoning included).',
    'counter',
    ['direction'],
    [],
    this.registry,
  );
  readonly #cost = new AggregatedMetric(
    'switchyard_cost_usd_total',
    'Spend in USD: usage (or its estimate) at the target\'s config pricing or the shipped catalog price.',
    'counter',
    [],
    [],
    this.registry,
  );
  readonly cacheRequests = new AggregatedMetric('switchyard_cache_requests_total', 'Cache lookups by result (hit, miss, semantic-hit, bypass).', 'counter', ['result'], [], this.registry);
  readonly guardrailHits = new AggregatedMetric(
    'switchyard_guardrail_hits_total',
    'What guardrails found, by guardrail (pii, deny, max_input_tokens, webhook), type (PII entity, deny rule, webhook verdict), action and stage.',
    'counter',
    ['guardrail', 'type', 'action', 'stage'],
    [],
    this.registry,
  );
  readonly rateLimited = new AggregatedMetric('switchyard_ratelimited_total', 'Requests refused by a rate limit or budget.', 'counter', [], [], this.registry);
  readonly limitStoreErrors = new AggregatedMetric(
    'switchyard_limit_store_errors_total',
    'Limit checks and settlements that failed because the limit store (Redis) or the spend lookup was unavailable (limits.on_store_error then applies).',
    'counter',
    [],
    [],
    this.registry,
  );
  readonly #upstreamErrors = new AggregatedMetric(
    'switchyard_upstream_errors_total',
    'Failed upstream calls (retries, fallbacks and hedges included), by provider and error code.',
    'counter',
    ['provider', 'reason'],
    [],
    this.registry,
  );
  readonly logRowsDropped = new AggregatedMetric(
    'switchyard_log_rows_dropped_total',
    'Request log rows dropped because the write queue was full (storage slow or down past the bound), by sink.',
    'counter',
    ['sink'],
    [],
    this.registry,
  );
  readonly #queues = new Map<string, () => number>();
  readonly queueDepth = (() => {
    const queues = this.#queues;
    return new Gauge({
      name: 'switchyard_log_queue_depth',
      help: 'Request log rows waiting to be written, by sink.',
      labelNames: ['sink'],
      registers: [this.registry],
      collect() {
        for (const [sink, depth] of queues) this.set({ sink }, depth());
      },
    });
  })();
  readonly #cacheByResult = new Map<string, Series>();
  readonly #bySeriesKey = new Map<string, { requests: Series; duration: Series; ttft: Series }>();
  readonly #inputTokens = this.#tokens.series('input');
  readonly #outputTokens = this.#tokens.series('output');
  readonly #costTotal = this.#cost.series();

  /** Records one finished chat request. */
  record(ctx: RequestContext): void {
    // A request refused before routing keeps its model name out of the labels: clients choose those
    // strings, and each would become a series forever.
    const answeredBy = ctx.served?.provider.config.name ?? ctx.cachedFrom?.provider;
    const model = answeredBy !== undefined ? ctx.envelope.model : 'unrouted';
    const provider = answeredBy ?? 'none';
    if (ctx.cacheResult !== undefined) AggregatedMetric.inc(this.#cacheSeries(ctx.cacheResult));
    // Label values come from the config (entity names, deny rule names), never from request text.
    if (ctx.guardrails !== undefined) for (const hit of ctx.guardrails.hits) AggregatedMetric.inc(this.guardrailHits.series(hit.guardrail, hit.type, hit.action, hit.stage), hit.count);
    const status = ctx.responseStatus ?? ctx.error?.status ?? 200;
    const series = this.#seriesFor(model, provider, status);
    AggregatedMetric.inc(series.requests);
    this.#duration.observe(series.duration, ((ctx.endedAt ?? performance.now()) - ctx.startedAt) / 1000);
    if (ctx.firstByteAt !== undefined) this.#ttft.observe(series.ttft, (ctx.firstByteAt - ctx.startedAt) / 1000);
    const accounting = ctx.accounting;
    if (accounting) {
      AggregatedMetric.inc(this.#inputTokens, accounting.usage.inputTokens);
      AggregatedMetric.inc(this.#outputTokens, accounting.usage.outputTokens);
      AggregatedMetric.inc(this.#costTotal, accounting.costUsd);
    }
    for (const attempt of ctx.attempts) {
      // A call the gateway itself cut short (client gone, hedge lost) is no upstream error.
      const code = attempt.error?.code;
      if (code !== undefined && code !== 'client_disconnected' && code !== 'hedge_lost') AggregatedMetric.inc(this.#upstreamErrors.series(attempt.provider, code));
    }
  }

  /** One series per cache result (hit, miss, bypass): a closed set, found once each. */
  #cacheSeries(result: string): Series {
    let series = this.#cacheByResult.get(result);
    if (!series) this.#cacheByResult.set(result, (series = this.cacheRequests.series(result)));
    return series;
  }

  /** Reports a write queue's depth (rows waiting for storage or a webhook) at scrape time. */
  watchQueue(sink: string, depth: () => number): void {
    this.#queues.set(sink, depth);
  }

  /** The tap that feeds these metrics from every finished chat request. */
  tap(): RequestTap {
    return { name: 'metrics', record: (ctx) => this.record(ctx) };
  }

  #seriesFor(model: string, provider: string, status: number): { requests: Series; duration: Series; ttft: Series } {
    const key = `${model}\u0000${provider}\u0000${status}`;
    let found = this.#bySeriesKey.get(key);
    if (!found) {
      // `provider/model` names are the client's choice: past a bound, new ones share one series.
      if (this.#bySeriesKey.size >= MAX_SERIES && model !== 'other') return this.#seriesFor('other', provider, status);
      found = {
        requests: this.#requests.series(model, provider, String(status)),
        duration: this.#duration.series(model, provider),
        ttft: this.#ttft.series(model, provider),
      };
      this.#bySeriesKey.set(key, found);
    }
    return found;
  }
}
