import type { KeyFilter } from '../key.js';
import type { SemanticRecord } from './record.js';

/** What another instance did to the shared records. */
export interface SyncListener {
  added(record: SemanticRecord): void;
  cleared(filter: { namespace?: string; model?: string }): void;
  /** Announcements may have been missed (a reconnect): reload everything. */
  resync(): void;
}

/**
 * Where the semantic cache's records are shared between instances, and how each instance hears of
 * the others' (docs/CACHE.md): nowhere (`memory`), Redis keys plus pub/sub, or a database table
 * (polled, or announced through Redis pub/sub when `redis` is configured). Every instance keeps its
 * own index; this only persists records and carries news of them.
 */
export interface RecordSync {
  readonly kind: 'memory' | 'redis' | 'database';
  /** Every live record, at start and after a resync. */
  load(): Promise<SemanticRecord[]>;
  /** Persists a record until it expires and tells the other instances. */
  publish(record: SemanticRecord): Promise<void>;
  /** Removes the matching records for every instance (`DELETE /admin/cache`). */
  clear(filter: KeyFilter): Promise<void>;
  /** Starts hearing of other instances' records. */
  listen(listener: SyncListener): void;
  /** The Redis connection's state, when Redis carries the records or their announcements (for /health/ready). */
  connection?(): string;
  close(): Promise<void>;
}

/** `cache.store: memory`: the records live in this instance's index only. */
export class LocalRecordSync implements RecordSync {
  readonly kind = 'memory';
  async load(): Promise<SemanticRecord[]> {
    return [];
  }
  async publish(): Promise<void> {}
  async clear(): Promise<void> {}
  listen(): void {}
  async close(): Promise<void> {}
}

/** A pub/sub announcement: a record added, or records cleared. */
export type Announcement = { add: string } | { clear: { namespace?: string; model?: string } };
