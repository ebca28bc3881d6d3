import { request } from 'undici';
import { BatchQueue } from './batch-queue.js';
import { redactUrl, type Logger } from './logger.js';

/** A webhook that does not answer within this long is retried. */
const TIMEOUT_MS = 10_000;

export interface WebhookOptions {
  maxQueued?: number;
  batchSize?: number;
  flushMs?: number;
  retryBaseMs?: number;
  onDrop?(count: number): void;
}

/**
 * `logging.webhooks`: each URL gets the request log rows as JSON batches, `{"data": [rows]}`
 * (the /admin/logs row shape), POSTed off the request path through its own bounded queue, so one
 * slow receiver holds up neither requests nor the others. Network errors, timeouts, 408, 429 and
 * 5xx are retried with backoff (a receiver may see a batch twice: rows carry their `id`); any
 * other 4xx means the receiver refuses the rows, which are dropped and counted.
 */
export class WebhookSinks {
  readonly #queues = new Map<string, BatchQueue<Record<string, unknown>>>();

  constructor(
    private readonly logger: Logger,
    private readonly options: WebhookOptions = {},
  ) {}

  push(urls: readonly string[], row: Record<string, unknown>): void {
    for (const url of urls) this.#queueFor(url).push(row);
  }

  /** Rows waiting across every webhook. */
  get depth(): number {
    let depth = 0;
    for (const queue of this.#queues.values()) depth += queue.depth;
    return depth;
  }

  async close(timeoutMs: number): Promise<number> {
    const left = await Promise.all([...this.#queues.values()].map((queue) => queue.close(timeoutMs)));
    return left.reduce((sum, count) => sum + count, 0);
  }

  #queueFor(url: string): BatchQueue<Record<string, unknown>> {
    let queue = this.#queues.get(url);
    if (!queue) {
      const where = redactUrl(url);
      queue = new BatchQueue<Record<string, unknown>>({
        maxQueued: this.options.maxQueued ?? 10_000,
        batchSize: this.options.batchSize ?? 100,
        flushMs: this.options.flushMs ?? 1_000,
        retryBaseMs: this.options.retryBaseMs ?? 500,
        retryMaxMs: 60_000,
        write: (batch) => this.#post(url, where, batch),
        ...(this.options.onDrop && { onDrop: this.options.onDrop }),
        onWriteError: (error, failures) => {
          if (failures === 1 || failures % 20 === 0) this.logger.warn({ webhook: where, err: (error as Error).message, failures }, 'webhook delivery failed; retrying');
        },
      });
      this.#queues.set(url, queue);
    }
    return queue;
  }

  async #post(url: string, where: string, batch: readonly Record<string, unknown>[]): Promise<void> {
    const response = await request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'switchyard-webhook' },
      body: JSON.stringify({ data: batch }),
      headersTimeout: TIMEOUT_MS,
      bodyTimeout: TIMEOUT_MS,
    });
    await response.body.dump();
    const status = response.statusCode;
    if (status < 300) return;
    if (status === 408 || status === 429 || status >= 500) throw new Error(`${where} answered ${status}`);
    this.logger.error({ webhook: where, status, rows: batch.length }, 'webhook refused a batch; its rows are dropped');
    this.options.onDrop?.(batch.length);
  }
}

