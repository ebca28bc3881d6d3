import { fullJitterDelay } from '../routing/backoff.js';

export interface BatchQueueOptions<T> {
  /** Items held at most; past it new items are dropped and counted, never blocking the caller. */
  maxQueued: number;
  /** Items per write. */
  batchSize: number;
  /** A partial batch is written after this long. */
  flushMs: number;
  /** Writes one batch; a rejection keeps the batch and retries it after a backoff. */
  write(batch: readonly T[]): Promise<void>;
  onDrop?(count: number): void;
  onWriteError?(error: unknown, failures: number): void;
  /** Backoff between failed writes (full jitter, doubling up to the max; defaults 250 ms and 5 s). */
  retryBaseMs?: number;
  retryMaxMs?: number;
}

export type QueueState = 'ok' | 'retrying' | 'closed';

/**
 * A bounded in-memory queue that writes items in batches, off the request path: `push` is O(1)
 * and never waits. One write is in flight at a time; a failed batch stays at the head and is
 * retried with backoff while new items wait behind it, so a store that is down loses nothing
 * until the bound, and what is dropped past the bound is reported through `onDrop`.
 */
export class BatchQueue<T> {
  readonly #options: BatchQueueOptions<T>;
  #items: T[] = [];
  /** Index of the oldest item not yet written (the array is compacted now and then). */
  #head = 0;
  #writing = false;
  #timer: NodeJS.Timeout | undefined;
  #failures = 0;
  #closed = false;
  #dropped = 0;
  #written = 0;
  #idle: Array<() => void> = [];

  constructor(options: BatchQueueOptions<T>) {
    this.#options = options;
  }

  /** Queues one item; false when it was dropped (queue full or closed). */
  push(item: T): boolean {
    if (this.#closed || this.depth >= this.#options.maxQueued) {
      this.#dropped++;
      this.#options.onDrop?.(1);
      return false;
    }
    this.#items.push(item);
    if (this.#failures === 0 && this.depth >= this.#options.batchSize) this.#schedule(0);
    else this.#schedule(this.#options.flushMs);
    return true;
  }

  get depth(): number {
    return this.#items.length - this.#head;
  }

  get state(): QueueState {
    return this.#closed ? 'closed' : this.#failures > 0 ? 'retrying' : 'ok';
  }

  get dropped(): number {
    return this.#dropped;
  }

  get written(): number {
    return this.#written;
  }

  /**
   * Writes everything queued now (retrying failures, at their backoff, until `timeoutMs`);
   * resolves with what is left.
   */
  async drain(timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (this.depth > 0 && Date.now() < deadline) {
      // A partial batch goes now; a failing store keeps its backoff (no hot retry loop).
      if (!this.#writing && this.#failures === 0) {
        clearTimeout(this.#timer);
        this.#timer = undefined;
        void this.#writeBatch();
      }
      await new Promise<void>((resolve) => {
        this.#idle.push(resolve);
        setTimeout(resolve, Math.max(1, Math.min(50, deadline - Date.now())));
      });
    }
    return this.depth;
  }

  /** Drains up to `timeoutMs`, then stops; items still queued are counted as dropped. */
  async close(timeoutMs: number): Promise<number> {
    const left = await this.drain(timeoutMs);
    this.#closed = true;
    clearTimeout(this.#timer);
    if (left > 0) {
      this.#dropped += left;
      this.#options.onDrop?.(left);
      this.#items = [];
      this.#head = 0;
    }
    return left;
  }

  #schedule(delayMs: number): void {
    if (this.#writing || this.#closed) return;
    if (this.#timer !== undefined) {
      if (delayMs > 0) return; // a flush is already due
      clearTimeout(this.#timer);
    }
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#writeBatch();
    }, delayMs);
    this.#timer.unref();
  }

  async #writeBatch(): Promise<void> {
    if (this.#writing || this.depth === 0) return;
    this.#writing = true;
    const end = Math.min(this.#items.length, this.#head + this.#options.batchSize);
    const batch = this.#items.slice(this.#head, end);
    let retryIn: number | undefined;
    try {
      await this.#options.write(batch);
      // Written items are let go now, not at the next compaction: kept in the array under steady
      // load they lived through young-generation collections and were promoted to the old one.
      this.#items.fill(undefined as T, this.#head, end);
      this.#head = end;
      this.#written += batch.length;
      this.#failures = 0;
      this.#compact();
    } catch (error) {
      this.#failures++;
      this.#options.onWriteError?.(error, this.#failures);
      retryIn = fullJitterDelay(this.#failures - 1, this.#options.retryBaseMs ?? 250, this.#options.retryMaxMs ?? 5_000);
    } finally {
      this.#writing = false;
    }
    for (const resolve of this.#idle.splice(0)) resolve();
    if (this.depth === 0 || this.#closed) return;
    if (retryIn !== undefined) this.#schedule(Math.max(1, retryIn));
    else this.#schedule(this.depth >= this.#options.batchSize ? 0 : this.#options.flushMs);
  }

  /** Drops written items from the front once they are most of the array. */
  #compact(): void {
    if (this.#head === this.#items.length) {
      this.#items = [];
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
  }
}
