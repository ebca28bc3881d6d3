import type { StorageHandle } from '../../storage/handle.js';
import type { KeyFilter } from '../key.js';
import { decodeRecord, encodeRecord, type SemanticRecord } from './record.js';
import type { RecordSync, SyncListener } from './sync.js';

export interface DatabaseRecordSyncOptions {
  /** How often to look for other instances' records (ms); 0 when Redis pub/sub announces them instead. */
  pollMs: number;
  now?: () => number;
  onError?: (error: unknown) => void;
}

/** Rows read per query, at start and per poll. */
const PAGE = 1_000;
/** A poll re-reads this far back: rows from instances whose clocks run a little behind are not missed (re-adding is a no-op). */
const POLL_OVERLAP_MS = 5_000;
/** Expired records are deleted at most this often, by a write. */
const PRUNE_EVERY_MS = 60_000;

/**
 * Records in the `storage:` database (table `semantic_cache_records`): on PostgreSQL, every
 * instance on it shares them. Without Redis, each instance polls for rows newer than the newest it
 * has seen; clears by other instances are not heard, but a record whose answer is gone is dropped
 * when a lookup meets it.
 */
export class DatabaseRecordSync implements RecordSync {
  readonly kind = 'database';
  #timer: NodeJS.Timeout | undefined;
  #newest = 0;
  #lastPruneAt = 0;
  readonly #now: () => number;

  constructor(
    private readonly storage: StorageHandle,
    private readonly options: DatabaseRecordSyncOptions,
  ) {
    this.#now = options.now ?? Date.now;
  }

  async load(): Promise<SemanticRecord[]> {
    return this.#readSince(0);
  }

  async publish(record: SemanticRecord): Promise<void> {
    const now = this.#now();
    const storage = this.storage.get();
    await storage.semanticRecordPut({ key: record.key, namespace: record.namespace, model: record.model, record: encodeRecord(record), created_at: now, expires_at: record.expiresAt });
    if (now - this.#lastPruneAt >= PRUNE_EVERY_MS) {
      this.#lastPruneAt = now;
      await storage.semanticRecordsPrune(now);
    }
  }

  async clear(filter: KeyFilter): Promise<void> {
    await this.storage.get().semanticRecordsDeleteWhere({
      ...(filter.namespace !== undefined && { namespace: filter.namespace }),
      ...(filter.model !== undefined && { model: filter.model }),
    });
  }

  listen(listener: SyncListener): void {
    if (this.options.pollMs <= 0 || this.#timer) return;
    const poll = async (): Promise<void> => {
      try {
        for (const record of await this.#readSince(Math.max(0, this.#newest - POLL_OVERLAP_MS))) listener.added(record);
      } catch (error) {
        this.options.onError?.(error);
      }
    };
    this.#timer = setInterval(() => void poll(), this.options.pollMs);
    this.#timer.unref();
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Every live record written after `since`, page by page. */
  async #readSince(since: number): Promise<SemanticRecord[]> {
    const records: SemanticRecord[] = [];
    let from = since;
    for (;;) {
      const rows = await this.storage.get().semanticRecordsSince(from, this.#now(), PAGE);
      for (const row of rows) {
        const record = decodeRecord(row.record);
        if (record) records.push(record);
        this.#newest = Math.max(this.#newest, row.created_at);
      }
      if (rows.length < PAGE) return records;
      // The next page starts again at the last row's millisecond (rows sharing it are not skipped;
      // re-adding is a no-op), unless a whole page was that one millisecond.
      const last = rows[rows.length - 1]!.created_at;
      from = last - 1 > from ? last - 1 : last;
    }
  }
}
