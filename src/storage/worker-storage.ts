import { Worker } from 'node:worker_threads';
import { GatewayError } from '../errors/gateway-error.js';
import { ERROR_CODES, type ErrorCode } from '../errors/codes.js';
import { encodeRows } from './log-rows.js';
import type { LogPage, LogQuery, LogRecord, UsageQuery, UsageRow } from './records.js';
import type { StorageSpec } from './spec.js';
import type { Storage } from './store.js';
import type { ApiKeyPatch, ApiKeyRecord } from '../keys/records.js';
import type { CacheEntryFilter } from './cache-entries.js';
import type { Database } from './schema.js';

type Operation =
  | 'writeEncodedRequests'
  | 'listRequests'
  | 'getRequest'
  | 'usage'
  | 'rollupUsage'
  | 'spendOf'
  | 'createKey'
  | 'getKey'
  | 'listKeys'
  | 'keysChangedSince'
  | 'updateKey'
  | 'revokeKey'
  | 'pruneRequests'
  | 'cacheGet'
  | 'cacheSet'
  | 'cacheDelete'
  | 'cacheDeleteWhere'
  | 'cachePruneExpired'
  | 'semanticRecordPut'
  | 'semanticRecordsSince'
  | 'semanticRecordsDeleteWhere'
  | 'semanticRecordsPrune'
  | 'close';

export interface StorageCall {
  id: number;
  op: Operation;
  args: unknown[];
}

export interface StorageReply {
  id: number;
  value?: unknown;
  error?: { message: string; code?: string; param?: string };
}

/**
 * SQLite in a worker thread. better-sqlite3 is synchronous: on the event loop, every batch of log
 * rows and every /admin/usage aggregation (seconds over millions of rows) would stall all requests
 * for as long as it ran. Here the database lives in its own thread, and the gateway's thread only
 * posts calls and gets results. Calls are answered in order (one connection, one thread).
 */
export class WorkerStorage implements Storage {
  readonly kind: Storage['kind'];
  readonly #worker: Worker;
  /**
   * Calls awaiting their reply, oldest first: an array searched from the front (replies mostly come
   * in order, and a handful are in flight), not a Map, whose per-call set/delete on a long-lived
   * table made V8 promote what the callbacks hold (docs/PERFORMANCE.md, "Long-lived collections").
   */
  #pending: Array<{ id: number; resolve(value: unknown): void; reject(error: Error): void }> = [];
  #nextId = 0;
  #failure: Error | undefined;

  private constructor(kind: Storage['kind'], worker: Worker) {
    this.kind = kind;
    this.#worker = worker;
    worker.on('message', (reply: StorageReply) => {
      const index = this.#pending.findIndex((call) => call.id === reply.id);
      if (index < 0) return;
      const pending = this.#pending[index]!;
      this.#pending.splice(index, 1);
      if (reply.error) pending.reject(rebuildError(reply.error));
      else pending.resolve(reply.value);
    });
    const fail = (error: Error): void => {
      this.#failure = error;
      const pending = this.#pending;
      this.#pending = [];
      for (const call of pending) call.reject(error);
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the storage worker exited (code ${code})`)));
  }

  /** Starts the worker, which opens and migrates the database; rejects if that fails. */
  static open(spec: StorageSpec & { kind: 'sqlite' | 'memory' }): Promise<WorkerStorage> {
    const worker = startWorker(spec);
    return new Promise((resolve, reject) => {
      const onReady = (reply: StorageReply): void => {
        if (reply.id !== -1) return;
        worker.off('message', onReady);
        worker.off('error', onError);
        if (reply.error) {
          void worker.terminate();
          reject(rebuildError(reply.error));
        } else resolve(new WorkerStorage(spec.kind, worker));
      };
      const onError = (error: Error): void => reject(error);
      worker.on('message', onReady);
      worker.once('error', onError);
    });
  }

  /** Set once the worker died: every later call fails, and the handle opens a new one. */
  get failure(): Error | undefined {
    return this.#failure;
  }

  writeRequests(rows: readonly LogRecord[]): Promise<number> {
    if (rows.length === 0) return Promise.resolve(0);
    return this.#call('writeEncodedRequests', [encodeRows(rows)]) as Promise<number>;
  }

  listRequests(query: LogQuery): Promise<LogPage> {
    return this.#call('listRequests', [query]) as Promise<LogPage>;
  }

  getRequest(id: string): Promise<LogRecord | undefined> {
    return this.#call('getRequest', [id]) as Promise<LogRecord | undefined>;
  }

  usage(query: UsageQuery): Promise<UsageRow[]> {
    return this.#call('usage', [query]) as Promise<UsageRow[]>;
  }

  rollupUsage(closedBefore: number, maxHours: number): Promise<number> {
    return this.#call('rollupUsage', [closedBefore, maxHours]) as Promise<number>;
  }

  spendOf(keyIds: readonly string[], from: number, to: number): Promise<number> {
    return this.#call('spendOf', [keyIds, from, to]) as Promise<number>;
  }

  createKey(record: Omit<ApiKeyRecord, 'created_at' | 'updated_at' | 'revoked_at'>): Promise<ApiKeyRecord> {
    return this.#call('createKey', [record]) as Promise<ApiKeyRecord>;
  }

  getKey(id: string): Promise<ApiKeyRecord | undefined> {
    return this.#call('getKey', [id]) as Promise<ApiKeyRecord | undefined>;
  }

  listKeys(options: { includeRevoked?: boolean } = {}): Promise<ApiKeyRecord[]> {
    return this.#call('listKeys', [options]) as Promise<ApiKeyRecord[]>;
  }

  keysChangedSince(since: number): Promise<ApiKeyRecord[]> {
    return this.#call('keysChangedSince', [since]) as Promise<ApiKeyRecord[]>;
  }

  updateKey(id: string, patch: ApiKeyPatch): Promise<ApiKeyRecord | undefined> {
    return this.#call('updateKey', [id, patch]) as Promise<ApiKeyRecord | undefined>;
  }

  revokeKey(id: string): Promise<ApiKeyRecord | undefined> {
    return this.#call('revokeKey', [id]) as Promise<ApiKeyRecord | undefined>;
  }

  pruneRequests(before: number, batchSize: number): Promise<number> {
    return this.#call('pruneRequests', [before, batchSize]) as Promise<number>;
  }

  cacheGet(key: string, now: number): Promise<string | undefined> {
    return this.#call('cacheGet', [key, now]) as Promise<string | undefined>;
  }

  cacheSet(entry: Database['cache_entries']): Promise<void> {
    return this.#call('cacheSet', [entry]) as Promise<void>;
  }

  cacheDelete(key: string): Promise<void> {
    return this.#call('cacheDelete', [key]) as Promise<void>;
  }

  cacheDeleteWhere(filter: CacheEntryFilter): Promise<number> {
    return this.#call('cacheDeleteWhere', [filter]) as Promise<number>;
  }

  cachePruneExpired(now: number): Promise<number> {
    return this.#call('cachePruneExpired', [now]) as Promise<number>;
  }

  semanticRecordPut(row: Database['semantic_cache_records']): Promise<void> {
    return this.#call('semanticRecordPut', [row]) as Promise<void>;
  }

  semanticRecordsSince(since: number, now: number, limit: number): Promise<Array<{ record: string; created_at: number }>> {
    return this.#call('semanticRecordsSince', [since, now, limit]) as Promise<Array<{ record: string; created_at: number }>>;
  }

  semanticRecordsDeleteWhere(filter: CacheEntryFilter): Promise<number> {
    return this.#call('semanticRecordsDeleteWhere', [filter]) as Promise<number>;
  }

  semanticRecordsPrune(now: number): Promise<number> {
    return this.#call('semanticRecordsPrune', [now]) as Promise<number>;
  }

  async close(): Promise<void> {
    if (!this.#failure) await this.#call('close', []).catch(() => {});
    await this.#worker.terminate();
  }

  #call(op: Operation, args: unknown[]): Promise<unknown> {
    if (this.#failure) return Promise.reject(this.#failure);
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.push({ id, resolve, reject });
      this.#worker.postMessage({ id, op, args } satisfies StorageCall);
    });
  }
}

export function rebuildError(error: NonNullable<StorageReply['error']>): Error {
  // Only the gateway's own codes become a GatewayError; a driver's (SQLITE_BUSY, ...) stays a plain error.
  if (error.code !== undefined && Object.hasOwn(ERROR_CODES, error.code)) {
    return new GatewayError(error.code as ErrorCode, error.message, error.param === undefined ? {} : { param: error.param });
  }
  return Object.assign(new Error(error.message), error.code === undefined ? {} : { code: error.code });
}

/**
 * The worker runs sqlite-worker.js next to this file. From the TypeScript sources (tests, `tsx`),
 * the worker must register tsx itself before importing the .ts entry: loader hooks are per thread.
 */
function startWorker(spec: StorageSpec): Worker {
  const fromSources = import.meta.url.endsWith('.ts');
  const entry = new URL(fromSources ? './sqlite-worker.ts' : './sqlite-worker.js', import.meta.url).href;
  const source = fromSources
    ? `import('tsx/esm/api').then((api) => { api.register(); return import(${JSON.stringify(entry)}); })`
    : `import(${JSON.stringify(entry)})`;
  return new Worker(source, { eval: true, workerData: { spec } });
}
