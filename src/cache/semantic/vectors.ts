import { keyFilter, type KeyFilter } from '../key.js';
import type { SemanticRecord } from './record.js';
import type { RecordSync } from './sync.js';
import { VectorIndex, type Neighbour } from './vector-index.js';

/** Where the semantic cache finds the nearest cached prompts: an in-process index, or PostgreSQL with pgvector. */
export interface VectorStore {
  readonly kind: 'index' | 'pgvector';
  /** Loads what exists and starts following other instances. */
  start(): Promise<void>;
  nearest(partition: string, vector: Float32Array, k: number): Promise<Neighbour[]>;
  /** Adds a record for every instance. */
  add(record: SemanticRecord): Promise<void>;
  /** Drops a record whose answer is gone from the cache store (this instance only: the others meet it themselves). */
  forget(key: string): void;
  /** Removes the matching records everywhere. */
  clear(filter: KeyFilter): Promise<void>;
  /** The Redis connection's state, when Redis shares the records (for /health/ready). */
  connection(): string | undefined;
  close(): Promise<void>;
}

/** How often expired records leave the index, besides when a lookup meets one. */
const SWEEP_EVERY_MS = 60_000;

/**
 * The in-process index (usearch) of this instance, loaded from the shared records at start and
 * kept current by the record sync (Redis pub/sub, or polling the database).
 */
export class IndexedVectors implements VectorStore {
  readonly kind = 'index';
  readonly #index: VectorIndex;
  #sweeper: NodeJS.Timeout | undefined;
  #listening = false;

  constructor(
    private readonly sync: RecordSync,
    maxEntries: number,
    now: () => number = Date.now,
  ) {
    this.#index = new VectorIndex(maxEntries, now);
  }

  /** Loads the shared records; listens to other instances from the first call on (a failed load is retried by calling again). */
  async start(): Promise<void> {
    if (!this.#listening) {
      this.#listening = true;
      this.sync.listen({
        added: (record) => this.#index.add(record),
        cleared: (filter) => this.#index.removeMatching(keyFilter(filter.namespace, filter.model)),
        resync: () => void this.#load().catch(() => {}),
      });
      this.#sweeper = setInterval(() => this.#index.sweep(), SWEEP_EVERY_MS);
      this.#sweeper.unref();
    }
    await this.#load();
  }

  async nearest(partition: string, vector: Float32Array, k: number): Promise<Neighbour[]> {
    return this.#index.nearest(partition, vector, k);
  }

  async add(record: SemanticRecord): Promise<void> {
    this.#index.add(record);
    await this.sync.publish(record);
  }

  forget(key: string): void {
    this.#index.remove(key);
  }

  async clear(filter: KeyFilter): Promise<void> {
    this.#index.removeMatching(filter);
    await this.sync.clear(filter);
  }

  connection(): string | undefined {
    return this.sync.connection?.();
  }

  async close(): Promise<void> {
    clearInterval(this.#sweeper);
    await this.sync.close();
  }

  async #load(): Promise<void> {
    for (const record of await this.sync.load()) this.#index.add(record);
  }
}
