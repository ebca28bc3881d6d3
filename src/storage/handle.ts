import { fullJitterDelay } from '../routing/backoff.js';
import type { Logger } from '../telemetry/logger.js';
import { describeStorage, type StorageSpec } from './spec.js';
import type { Storage } from './store.js';

export type StorageStatus = 'connecting' | 'ok' | 'unreachable' | 'closed';

/**
 * The configured storage, opened (and migrated) in the background: the gateway serves while the
 * database is still coming up or down, and users of the storage (the request log queue, admin
 * routes) ask `get()`, which fails fast until it is open. Opening is retried with backoff.
 */
export class StorageHandle {
  readonly description: string;
  status: StorageStatus = 'connecting';
  lastError: string | undefined;
  #storage: (Storage & { readonly failure?: Error | undefined }) | undefined;
  #opening: Promise<Storage> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #failures = 0;
  #closed = false;

  constructor(
    readonly spec: StorageSpec,
    private readonly logger: Logger,
  ) {
    this.description = describeStorage(spec);
  }

  /** Starts opening; resolves once open or after the first failure (the retries go on in the background). */
  async start(): Promise<void> {
    await this.#open().catch(() => {});
  }

  /** The open storage; throws while it is not (callers retry or answer 503). */
  get(): Storage {
    const failure = this.#storage?.failure;
    if (failure) {
      // The SQLite worker died: say so, and open a new one (its database file is intact).
      this.logger.error({ err: failure.message }, 'storage worker lost; reopening');
      this.#storage = undefined;
      this.status = 'connecting';
      this.lastError = failure.message;
      void this.#open().catch(() => {});
    }
    if (this.#storage) return this.#storage;
    throw new Error(`storage ${this.description} is not available${this.lastError ? `: ${this.lastError}` : ''}`);
  }

  /** Notes a failed operation on an open store (for /health/ready), or a recovery. */
  noteOperation(ok: boolean, error?: unknown): void {
    if (!this.#storage) return;
    this.status = ok ? 'ok' : 'unreachable';
    this.lastError = ok ? undefined : error instanceof Error ? error.message : String(error);
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.status = 'closed';
    clearTimeout(this.#timer);
    await this.#opening?.catch(() => {});
    await this.#storage?.close();
  }

  #open(): Promise<Storage> {
    // The drivers load here, not at start: loaded with the rest of the gateway at startup, their
    // modules made V8 promote far more of each request's garbage (~10 µs/request of GC, measured).
    this.#opening ??= openStorage(this.spec, (error) => this.logger.warn({ err: error.message }, 'storage connection lost')).then(
      (storage) => {
        this.#opening = undefined;
        if (this.#closed) {
          void storage.close();
          throw new Error('closed');
        }
        this.#storage = storage;
        this.status = 'ok';
        this.lastError = undefined;
        this.logger.info({ storage: this.description }, 'storage ready');
        return storage;
      },
      (error: unknown) => {
        this.#opening = undefined;
        this.#failures++;
        this.status = 'unreachable';
        this.lastError = error instanceof Error ? error.message : String(error);
        const retryInMs = Math.max(500, fullJitterDelay(this.#failures, 1_000, 60_000));
        this.logger.error({ storage: this.description, err: this.lastError, retryInMs }, 'storage unavailable; requests are served and log rows wait');
        if (!this.#closed) {
          this.#timer = setTimeout(() => void this.#open().catch(() => {}), retryInMs);
          this.#timer.unref();
        }
        throw error;
      },
    );
    return this.#opening;
  }
}

/**
 * PostgreSQL in this thread (its client is asynchronous); SQLite, which is synchronous, in a worker
 * thread of its own (worker-storage.ts) so that no query ever holds the event loop.
 */
async function openStorage(spec: StorageSpec, onPoolError: (error: Error) => void): Promise<Storage & { readonly failure?: Error | undefined }> {
  if (spec.kind === 'postgres') {
    const { SqlStorage } = await import('./store.js');
    return SqlStorage.open(spec, onPoolError);
  }
  const { WorkerStorage } = await import('./worker-storage.js');
  return WorkerStorage.open(spec);
}
