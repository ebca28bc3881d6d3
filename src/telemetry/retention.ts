import type { StorageHandle } from '../storage/handle.js';
import type { Logger } from './logger.js';

const DAY_MS = 24 * 3_600_000;
/** Rows per DELETE: short transactions, so writers and readers never wait long on a lock. */
const PRUNE_BATCH = 5_000;
/** Pause between batches, so pruning a large backlog yields to the log writer and admin queries. */
const PAUSE_MS = 50;

export interface RetentionOptions {
  /** `logging.retention_days` in force now (read at each run, so a reload applies). */
  retentionDays(): number;
  intervalMs?: number;
  firstRunMs?: number;
}

/**
 * Deletes request log rows older than `logging.retention_days`, in small batches: soon after start
 * and then every hour. Several instances pruning the same database is harmless (deletes are idempotent).
 */
export class RetentionPruner {
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<number> | undefined;
  #stopped = false;

  constructor(
    private readonly storage: StorageHandle,
    private readonly logger: Logger,
    private readonly options: RetentionOptions,
  ) {}

  start(): void {
    this.#schedule(this.options.firstRunMs ?? 60_000);
  }

  /** Prunes now; resolves with the number of requests deleted. */
  run(now = Date.now()): Promise<number> {
    this.#running ??= this.#prune(now).finally(() => (this.#running = undefined));
    return this.#running;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running?.catch(() => {});
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.run().then(
        () => this.#schedule(this.options.intervalMs ?? 3_600_000),
        (error: unknown) => {
          this.logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'request log pruning failed; retrying at the next run');
          this.#schedule(this.options.intervalMs ?? 3_600_000);
        },
      );
    }, delayMs);
    this.#timer.unref();
  }

  async #prune(now: number): Promise<number> {
    const before = now - this.options.retentionDays() * DAY_MS;
    let total = 0;
    for (;;) {
      if (this.#stopped) break;
      const deleted = await this.storage.get().pruneRequests(before, PRUNE_BATCH);
      total += deleted;
      if (deleted < PRUNE_BATCH) break;
      await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
    }
    if (total > 0) this.logger.info({ deleted: total, before: new Date(before).toISOString() }, 'pruned request log');
    return total;
  }
}
