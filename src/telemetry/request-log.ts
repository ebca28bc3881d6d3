import type { AttemptRecord, RequestContext } from '../pipeline/context.js';
import type { Plan, TargetPlan } from '../config/plan.js';
import type { GatewayError } from '../errors/gateway-error.js';
import { costUsd } from '../accounting/cost.js';
import type { RequestTap } from '../pipeline/lifecycle.js';
import type { StorageHandle } from '../storage/handle.js';
import { presentLogRecord, type LogRecord } from '../storage/records.js';
import type { WebhookSinks } from './webhooks.js';
import { BatchQueue } from './batch-queue.js';
import type { Logger } from './logger.js';

/** A logged body is cut here: the log is for reading, not for replaying a 10 MB upload. */
const MAX_LOGGED_BODY_CHARS = 256 * 1024;

export interface RequestLogOptions {
  maxQueued?: number;
  batchSize?: number;
  flushMs?: number;
  /** Called for rows dropped past the queue bound (the `switchyard_log_rows_dropped_total` metric). */
  onDrop?(count: number): void;
  /** `logging.webhooks` delivery. */
  webhooks?: WebhookSinks;
  /** A key id's name, for the `key_name` webhooks receive. */
  keyName?(id: string): string | undefined;
}

/**
 * The request log: one row per finished request, written in batches off the request path through
 * a bounded queue (telemetry/batch-queue.ts). When storage is slow or down, requests are served
 * as usual, rows wait and are retried; rows past the bound are dropped and counted, never silently.
 * The write is idempotent by request id, so a batch retried after a timeout cannot count twice.
 */
export class RequestLog {
  readonly queue: BatchQueue<LogRecord>;
  readonly webhooks: WebhookSinks | undefined;
  readonly #logger: Logger;
  readonly #keyName: (id: string) => string | undefined;

  constructor(
    private readonly storage: StorageHandle,
    logger: Logger,
    options: RequestLogOptions = {},
  ) {
    this.#logger = logger;
    this.webhooks = options.webhooks;
    this.#keyName = options.keyName ?? (() => undefined);
    this.queue = new BatchQueue<LogRecord>({
      maxQueued: options.maxQueued ?? 100_000,
      batchSize: options.batchSize ?? 400,
      flushMs: options.flushMs ?? 250,
      write: async (batch) => {
        try {
          await this.storage.get().writeRequests(batch);
          this.storage.noteOperation(true);
        } catch (error) {
          this.storage.noteOperation(false, error);
          throw error;
        }
      },
      ...(options.onDrop && { onDrop: options.onDrop }),
      onWriteError: (error, failures) => {
        // Once per outage, then every 20th failure: a long outage must not flood the log.
        if (failures === 1 || failures % 20 === 0) {
          this.#logger.warn({ err: error instanceof Error ? error.message : String(error), failures, queued: this.queue.depth }, 'request log write failed; rows kept for retry');
        }
      },
    });
  }

  tap(): RequestTap {
    return {
      name: 'request-log',
      record: (ctx) => this.#record(ctx.plan, () => logRecordOf(ctx)),
    };
  }

  /** Logs a request that has no chat context: embeddings, or a chat request refused before it had one (bad JSON, too large). */
  recordExchange(summary: ExchangeSummary): void {
    this.#record(summary.plan, () => exchangeRecordOf(summary));
  }

  #record(plan: Plan, build: () => LogRecord): void {
    const { requests, webhooks } = plan.config.logging;
    if (!requests && webhooks.length === 0) return;
    const record = build();
    if (requests) this.queue.push(record);
    if (webhooks.length > 0) this.webhooks?.push(webhooks, presentLogRecord(record, this.#keyName));
  }

  /** Writes what is queued (shutdown); returns rows that could not be written in time. */
  async close(timeoutMs: number): Promise<number> {
    const [stored] = await Promise.all([this.queue.close(timeoutMs), this.webhooks?.close(timeoutMs)]);
    return stored;
  }
}

/** The log row for a finished chat request (its accounting settled: taps run after that). */
export function logRecordOf(ctx: RequestContext): LogRecord {
  const accounting = ctx.accounting ?? { usage: { inputTokens: 0, outputTokens: 0 }, estimated: false, costUsd: 0 };
  const usage = accounting.usage;
  const now = ctx.endedAt ?? performance.now();
  const error = ctx.error;
  const record: LogRecord = {
    id: ctx.id,
    created_at: Math.round(Date.now() - (performance.now() - ctx.startedAt)),
    api: ctx.dialect.name === 'anthropic-messages' ? 'messages' : 'chat.completions',
    key_id: ctx.caller.kind === 'key' ? ctx.caller.key.id : null,
    model: ctx.envelope.model,
    provider: ctx.served?.provider.config.name ?? ctx.cachedFrom?.provider ?? null,
    upstream_model: ctx.served?.model ?? ctx.cachedFrom?.model ?? null,
    variant: ctx.variant ?? null,
    status: ctx.responseStatus ?? error?.status ?? 200,
    error_code: error?.code ?? null,
    error_message: error?.message ?? null,
    stream: ctx.envelope.stream,
    latency_ms: Math.round(now - ctx.startedAt),
    ttft_ms: ctx.firstByteAt === undefined ? null : Math.round(ctx.firstByteAt - ctx.startedAt),
    input_tokens: usage.inputTokens,
    output_tokens: usage.outputTokens,
    cached_tokens: usage.cachedInputTokens ?? 0,
    reasoning_tokens: usage.reasoningTokens ?? 0,
    tokens_estimated: accounting.estimated,
    cost_usd: accounting.costUsd,
    cache: ctx.cacheResult ?? null,
    cost_saved_usd: ctx.cachedFrom?.costUsd ?? 0,
    attempts: ctx.attempts.length,
    attempt_log: attemptLogOf(ctx.attempts, ctx.status),
    tags: ctx.tags,
    guardrails: ctx.guardrails ? ctx.guardrails.toJSON() : null,
  };
  if (ctx.plan.config.logging.bodies) {
    record.request_body = clip(ctx.rawBody.toString());
    record.response_body = ctx.responseBody === undefined ? responseText(ctx) : clip(ctx.responseBody);
  }
  return record;
}

function clip(text: string): string {
  return text.length > MAX_LOGGED_BODY_CHARS ? `${text.slice(0, MAX_LOGGED_BODY_CHARS)}…[truncated ${text.length - MAX_LOGGED_BODY_CHARS} chars]` : text;
}

/** A stream's answer as text (what the client read), decoded from the kept chunks. */
function responseText(ctx: RequestContext): string | null {
  const served = ctx.served;
  if (!ctx.transcript) return null;
  return clip(ctx.transcript.text(served ? () => served.provider.createStreamDecoder(served.model) : undefined));
}

function attemptLogOf(attempts: readonly AttemptRecord[], servedStatus: number | undefined): LogRecord['attempt_log'] {
  return attempts.map((attempt) => ({
    provider: attempt.provider,
    model: attempt.model,
    status: attempt.error ? (attempt.status ?? null) : (attempt.status ?? servedStatus ?? null),
    error_code: attempt.error?.code ?? null,
    error: attempt.error?.message ?? null,
    latency_ms: attempt.durationMs === undefined ? null : Math.round(attempt.durationMs),
  }));
}

/** What a handler without a chat context knows when it is done. */
export interface ExchangeSummary {
  id: string;
  api: 'embeddings' | 'chat.completions' | 'messages';
  plan: Plan;
  startedAt: number;
  /** The caller's key (null: the master key, an open gateway). */
  keyId: string | null;
  model: string | null;
  served: TargetPlan | undefined;
  attempts: readonly AttemptRecord[];
  status: number;
  error: GatewayError | undefined;
  inputTokens: number;
  tags: string[];
}

function exchangeRecordOf(summary: ExchangeSummary): LogRecord {
  const now = performance.now();
  const price = summary.served?.pricing;
  return {
    id: summary.id,
    created_at: Math.round(Date.now() - (now - summary.startedAt)),
    api: summary.api,
    key_id: summary.keyId,
    model: summary.model,
    provider: summary.served?.provider.config.name ?? null,
    upstream_model: summary.served?.model ?? null,
    variant: null,
    status: summary.status,
    error_code: summary.error?.code ?? null,
    error_message: summary.error?.message ?? null,
    stream: false,
    latency_ms: Math.round(now - summary.startedAt),
    ttft_ms: null,
    input_tokens: summary.inputTokens,
    output_tokens: 0,
    cached_tokens: 0,
    reasoning_tokens: 0,
    tokens_estimated: false,
    cost_usd: price ? costUsd({ inputTokens: summary.inputTokens, outputTokens: 0 }, price) : 0,
    cache: null,
    attempts: summary.attempts.length,
    attempt_log: attemptLogOf(summary.attempts, summary.error ? undefined : 200),
    tags: summary.tags,
  };
}
