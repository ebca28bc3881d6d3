import type { StorageHandle } from '../storage/handle.js';
import type { Logger } from './logger.js';

const HOUR_MS = 3_600_000;
/**
 * Hours per storage call: a backlog (an upgrade over an old log) is worked off an hour at a time,
 * ~0.3 s each at 14k requests an hour on SQLite, so log writes queued behind it wait no longer.
 */
const HOURS_PER_STEP = 1;
/** Pause between steps, so a backlog yields to the log writer and admin queries. */
const PAUSE_MS = 50;

export interface UsageRollupOptions {
  intervalMs?: number;
  firstRunMs?: number;
}

/**
 * Keeps the hourly usage rollup (storage/usage.ts) up to date: every minute, the hours that have
 * closed and got rows since their last rollup are summed. /admin/usage is right without it (what is
 * not rolled up is read raw), only slower. Several instances running it is safe: each hour is
 * claimed with a lock on PostgreSQL, and SQLite has one writer.
 */
export class UsageRollupJob {
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<number> | undefined;
  #stopped = false;

  constructor(
    private readonly storage: StorageHandle,
    private readonly logger: Logger,
    private readonly options: UsageRollupOptions = {},
  ) {}

  start(): void {
    this.#schedule(this.options.firstRunMs ?? 5_000);
  }

  /** Rolls up every closed dirty hour now; resolves with how many hours were rolled up. */
  run(now = Date.now()): Promise<number> {
    this.#running ??= this.#rollup(now).finally(() => (this.#running = undefined));
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
        () => this.#schedule(this.options.intervalMs ?? 60_000),
        (error: unknown) => {
          this.logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'usage rollup failed; retrying at the next run');
          this.#schedule(this.options.intervalMs ?? 60_000);
        },
      );
    }, delayMs);
    this.#timer.unref();
  }

  async #rollup(now: number): Promise<number> {
    const currentHour = now - (now % HOUR_MS);
    let total = 0;
    for (;;) {
      if (this.#stopped) break;
      const rolled = await this.storage.get().rollupUsage(currentHour, HOURS_PER_STEP);
      total += rolled;
      if (rolled < HOURS_PER_STEP) break;
      await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
    }
    if (total > 0) this.logger.debug({ hours: total }, 'usage rolled up');
    return total;
  }
}
