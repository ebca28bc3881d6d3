import type { Logger } from './logger.js';

/**
 * A background job that runs soon after start and then every `intervalMs`, never twice at once;
 * a failed run is logged and the schedule goes on. Its timer never keeps the process alive.
 */
export class PeriodicJob {
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<number> | undefined;
  #stopped = false;

  constructor(
    private readonly logger: Logger,
    private readonly work: (now: number, stopped: () => boolean) => Promise<number>,
    private readonly options: { firstRunMs: number; intervalMs: number; failure: string },
  ) {}

  start(): void {
    this.#schedule(this.options.firstRunMs);
  }

  /** Runs now (or joins the run in progress); resolves with what the work returned. */
  run(now = Date.now()): Promise<number> {
    this.#running ??= this.work(now, () => this.#stopped).finally(() => (this.#running = undefined));
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
        () => this.#schedule(this.options.intervalMs),
        (error: unknown) => {
          this.logger.warn({ err: error instanceof Error ? error.message : String(error) }, this.options.failure);
          this.#schedule(this.options.intervalMs);
        },
      );
    }, delayMs);
    this.#timer.unref();
  }
}
