import { sql, type Kysely, type Selectable } from 'kysely';
import type Sqlite from 'better-sqlite3';
import type pg from 'pg';
import { migrateToLatest } from './migrations.js';
import type { Database, RequestsTable } from './schema.js';
import { openDatabase, type OpenDatabase } from './database.js';
import type { StorageSpec } from './spec.js';
import {
  decodeCursor,
  encodeCursor,
  type LogPage,
  type LogQuery,
  type GuardrailsLog,
  type LogRecord,
  type UsageQuery,
  type UsageRow,
} from './records.js';
import { GatewayError } from '../errors/gateway-error.js';
import { getKey, insertKey, keysChangedSince, listKeys, revokeKey, updateKey } from './keys.js';
import type { ApiKeyPatch, ApiKeyRecord } from '../keys/records.js';
import {
  cacheDelete,
  cacheDeleteWhere,
  cacheGet,
  cachePruneExpired,
  cacheSet,
  semanticRecordPut,
  semanticRecordsDeleteWhere,
  semanticRecordsPrune,
  semanticRecordsSince,
  type CacheEntryFilter,
} from './cache-entries.js';
import { COLUMNS, CREATED_AT_CELL, encodeRow, ID_CELL, toCells, type Cell, type EncodedRow } from './log-rows.js';
import { dirtyVersion, HOUR_MS, pruneRollups, queryUsage, rollupDirtyHours, spendOf } from './usage.js';

/**
 * Where the gateway keeps what must outlive a process: the request log and the virtual keys. One implementation over SQL for SQLite and PostgreSQL; only the batched insert
 * is written per driver, because it is the one statement that runs all the time.
 */
export interface Storage {
  readonly kind: 'sqlite' | 'memory' | 'postgres';
  /** Writes rows in one transaction; a row whose id is already stored is skipped. Returns how many were new. */
  writeRequests(rows: readonly LogRecord[]): Promise<number>;
  listRequests(query: LogQuery): Promise<LogPage>;
  getRequest(id: string): Promise<LogRecord | undefined>;
  usage(query: UsageQuery): Promise<UsageRow[]>;
  /** Rolls up to `maxHours` closed hours (ended before `closedBefore`) with new rows; returns how many. */
  rollupUsage(closedBefore: number, maxHours: number): Promise<number>;
  /** USD spent by these keys in [from, to) (budgets start from it). */
  spendOf(keyIds: readonly string[], from: number, to: number): Promise<number>;
  createKey(record: Omit<ApiKeyRecord, 'created_at' | 'updated_at' | 'revoked_at'>): Promise<ApiKeyRecord>;
  getKey(id: string): Promise<ApiKeyRecord | undefined>;
  listKeys(options?: { includeRevoked?: boolean }): Promise<ApiKeyRecord[]>;
  /** Keys changed at or after `since` (the database's clock), revoked ones included. */
  keysChangedSince(since: number): Promise<ApiKeyRecord[]>;
  updateKey(id: string, patch: ApiKeyPatch): Promise<ApiKeyRecord | undefined>;
  revokeKey(id: string): Promise<ApiKeyRecord | undefined>;
  /** Deletes up to `batchSize` requests created before `before` (with their tags and bodies); returns how many. */
  pruneRequests(before: number, batchSize: number): Promise<number>;
  /** The response cache's entries (`cache.store: database`; see cache-entries.ts). */
  cacheGet(key: string, now: number): Promise<string | undefined>;
  cacheSet(entry: Database['cache_entries']): Promise<void>;
  cacheDelete(key: string): Promise<void>;
  cacheDeleteWhere(filter: CacheEntryFilter): Promise<number>;
  cachePruneExpired(now: number): Promise<number>;
  /** The semantic cache's records (`cache.mode: semantic` with `cache.store: database`). */
  semanticRecordPut(row: Database['semantic_cache_records']): Promise<void>;
  semanticRecordsSince(since: number, now: number, limit: number): Promise<Array<{ record: string; created_at: number }>>;
  semanticRecordsDeleteWhere(filter: CacheEntryFilter): Promise<number>;
  semanticRecordsPrune(now: number): Promise<number>;
  close(): Promise<void>;
}

function fromRow(row: Selectable<RequestsTable> & { request_body?: string | null; response_body?: string | null }): LogRecord {
  const record: LogRecord = {
    id: row.id,
    created_at: Number(row.created_at),
    api: row.api,
    key_id: row.key_id,
    model: row.model,
    provider: row.provider,
    upstream_model: row.upstream_model,
    variant: row.variant,
    status: row.status,
    error_code: row.error_code,
    error_message: row.error_message,
    stream: row.stream === 1,
    latency_ms: row.latency_ms,
    ttft_ms: row.ttft_ms,
    input_tokens: row.input_tokens,
    output_tokens: row.output_tokens,
    cached_tokens: row.cached_tokens,
    reasoning_tokens: row.reasoning_tokens,
    tokens_estimated: row.tokens_estimated === 1,
    cost_usd: row.cost_usd,
    cache: row.cache,
    cost_saved_usd: Number(row.cost_saved_usd ?? 0),
    attempts: row.attempts,
    attempt_log: row.attempt_log ? (JSON.parse(row.attempt_log) as LogRecord['attempt_log']) : [],
    tags: row.tags ? (JSON.parse(row.tags) as string[]) : [],
    guardrails: row.guardrails ? (JSON.parse(row.guardrails) as GuardrailsLog) : null,
  };
  if ('request_body' in row) {
    record.request_body = row.request_body ?? null;
    record.response_body = row.response_body ?? null;
  }
  return record;
}

export class SqlStorage implements Storage {
  readonly kind: Storage['kind'];
  readonly #open: OpenDatabase;
  readonly #db: Kysely<Database>;
  readonly #writeSqlite?: (rows: readonly EncodedRow[]) => number;

  private constructor(kind: Storage['kind'], open: OpenDatabase) {
    this.kind = kind;
    this.#open = open;
    this.#db = open.db;
    if (open.kind === 'sqlite') this.#writeSqlite = sqliteWriter(open.sqlite);
  }

  /** Opens the database and runs the migrations it has not seen yet. */
  static async open(spec: StorageSpec, onPoolError: (error: Error) => void = () => {}): Promise<SqlStorage> {
    const open = openDatabase(spec, onPoolError);
    try {
      await migrateToLatest(open.db, open.kind);
    } catch (error) {
      await open.db.destroy().catch(() => {});
      throw error;
    }
    return new SqlStorage(spec.kind, open);
  }

  async writeRequests(rows: readonly LogRecord[]): Promise<number> {
    if (rows.length === 0) return 0;
    if (this.#writeSqlite) return this.#writeSqlite(rows.map(encodeRow));
    if (this.#open.kind !== 'postgres') throw new Error('unreachable');
    return writePostgres(this.#open.pool, rows);
  }

  /** SQLite only: a batch encoded by `encodeRows` (what the worker thread is sent; log-rows.ts). */
  async writeEncodedRequests(encoded: string): Promise<number> {
    if (!this.#writeSqlite) throw new Error('writeEncodedRequests: SQLite only');
    const rows = JSON.parse(encoded) as EncodedRow[];
    return rows.length === 0 ? 0 : this.#writeSqlite(rows);
  }

  async listRequests(query: LogQuery): Promise<LogPage> {
    const tag = query.tag;
    // With a tag, the page walks that tag's rows newest first (request_tags (tag, created_at,
    // request_id)) and joins each request: a tag row's created_at is its request's, so the order
    // and the cursor are the same, and a page costs its 50 rows however many rows have the tag.
    const time = tag === undefined ? sql.ref('requests.created_at') : sql.ref('t.created_at');
    const id = tag === undefined ? sql.ref('requests.id') : sql.ref('t.request_id');
    let select = this.#db
      .selectFrom('requests')
      .selectAll('requests')
      .$if(tag !== undefined, (qb) => qb.innerJoin('request_tags as t', 't.request_id', 'requests.id').where('t.tag', '=', tag!));
    if (query.model !== undefined) select = select.where('requests.model', '=', query.model);
    if (query.keyId !== undefined) select = select.where('requests.key_id', '=', query.keyId);
    if (query.provider !== undefined) select = select.where('requests.provider', '=', query.provider);
    // Errors have a partial index (status >= 400); an exact error code repeats that bound so SQLite,
    // which matches a partial index only on the same term, uses it too.
    if (query.status === 'error') select = select.where('requests.status', '>=', 400);
    else if (query.status === 'success') select = select.where('requests.status', '<', 400);
    else if (query.status !== undefined) {
      select = select.where('requests.status', '=', query.status);
      if (query.status >= 400) select = select.where('requests.status', '>=', 400);
    }
    if (query.from !== undefined) select = select.where(time, '>=', query.from);
    if (query.to !== undefined) select = select.where(time, '<', query.to);
    if (query.cursor !== undefined) {
      const cursor = decodeCursor(query.cursor);
      if (!cursor) throw new GatewayError('invalid_request', 'cursor: not a cursor this endpoint returned', { param: 'cursor' });
      select = select.where(sql<boolean>`(${time}, ${id}) < (${cursor.createdAt}, ${cursor.id})`);
    }
    const found = await select.orderBy(time, 'desc').orderBy(id, 'desc').limit(query.limit + 1).execute();
    const rows = found.slice(0, query.limit).map(fromRow);
    const last = rows.at(-1);
    return { rows, nextCursor: found.length > query.limit && last ? encodeCursor(last) : null };
  }

  async getRequest(id: string): Promise<LogRecord | undefined> {
    const row = await this.#db
      .selectFrom('requests')
      .leftJoin('request_bodies', 'request_bodies.request_id', 'requests.id')
      .selectAll('requests')
      .select(['request_bodies.request_body', 'request_bodies.response_body'])
      .where('requests.id', '=', id)
      .executeTakeFirst();
    return row ? fromRow(row) : undefined;
  }

  /** Usage per group (and time bucket): hourly rollups for whole closed hours, raw rows for the rest (usage.ts). */
  usage(query: UsageQuery): Promise<UsageRow[]> {
    return queryUsage(this.#db, query);
  }

  rollupUsage(closedBefore: number, maxHours: number): Promise<number> {
    return rollupDirtyHours(this.#db, this.#open.kind, closedBefore, maxHours);
  }

  spendOf(keyIds: readonly string[], from: number, to: number): Promise<number> {
    return spendOf(this.#db, keyIds, from, to);
  }

  createKey(record: Omit<ApiKeyRecord, 'created_at' | 'updated_at' | 'revoked_at'>): Promise<ApiKeyRecord> {
    return insertKey(this.#db, this.#open.kind, record);
  }

  getKey(id: string): Promise<ApiKeyRecord | undefined> {
    return getKey(this.#db, id);
  }

  listKeys(options: { includeRevoked?: boolean } = {}): Promise<ApiKeyRecord[]> {
    return listKeys(this.#db, options);
  }

  keysChangedSince(since: number): Promise<ApiKeyRecord[]> {
    return keysChangedSince(this.#db, since);
  }

  updateKey(id: string, patch: ApiKeyPatch): Promise<ApiKeyRecord | undefined> {
    return updateKey(this.#db, this.#open.kind, id, patch);
  }

  revokeKey(id: string): Promise<ApiKeyRecord | undefined> {
    return revokeKey(this.#db, this.#open.kind, id);
  }

  async pruneRequests(before: number, batchSize: number): Promise<number> {
    const db = this.#db;
    // One batch of expired requests, and every tag and body row of exactly those (a request may have many tags).
    const ids = (await db.selectFrom('requests').select('id').where('created_at', '<', before).limit(batchSize).execute()).map((row) => row.id);
    let count = 0;
    if (ids.length > 0) {
      await db.deleteFrom('request_tags').where('request_id', 'in', ids).execute();
      await db.deleteFrom('request_bodies').where('request_id', 'in', ids).execute();
      count = Number((await db.deleteFrom('requests').where('id', 'in', ids).executeTakeFirst()).numDeletedRows);
    }
    // Rollups of expired hours go with the last batch (one statement, not one per batch).
    if (count < batchSize) await pruneRollups(db, before);
    return count;
  }

  cacheGet(key: string, now: number): Promise<string | undefined> {
    return cacheGet(this.#db, key, now);
  }

  cacheSet(entry: Database['cache_entries']): Promise<void> {
    return cacheSet(this.#db, entry);
  }

  cacheDelete(key: string): Promise<void> {
    return cacheDelete(this.#db, key);
  }

  cacheDeleteWhere(filter: CacheEntryFilter): Promise<number> {
    return cacheDeleteWhere(this.#db, filter);
  }

  cachePruneExpired(now: number): Promise<number> {
    return cachePruneExpired(this.#db, now);
  }

  semanticRecordPut(row: Database['semantic_cache_records']): Promise<void> {
    return semanticRecordPut(this.#db, row);
  }

  semanticRecordsSince(since: number, now: number, limit: number): Promise<Array<{ record: string; created_at: number }>> {
    return semanticRecordsSince(this.#db, since, now, limit);
  }

  semanticRecordsDeleteWhere(filter: CacheEntryFilter): Promise<number> {
    return semanticRecordsDeleteWhere(this.#db, filter);
  }

  semanticRecordsPrune(now: number): Promise<number> {
    return semanticRecordsPrune(this.#db, now);
  }

  async close(): Promise<void> {
    await this.#db.destroy();
  }
}

/** SQLite: prepared statements in one transaction (synchronous, ~µs per row). */
function sqliteWriter(sqlite: Sqlite.Database): (rows: readonly EncodedRow[]) => number {
  const placeholders = COLUMNS.map(() => '?').join(', ');
  const insertRequest = sqlite.prepare(
    `insert into requests (${COLUMNS.map(([name]) => name).join(', ')}) values (${placeholders}) on conflict (id) do nothing`,
  );
  const insertTag = sqlite.prepare('insert into request_tags (request_id, tag, created_at) values (?, ?, ?) on conflict do nothing');
  const insertBody = sqlite.prepare(
    'insert into request_bodies (request_id, created_at, request_body, response_body) values (?, ?, ?, ?) on conflict do nothing',
  );
  const markDirty = sqlite.prepare(
    'insert into usage_dirty_hours (hour, version) values (?, ?) on conflict (hour) do update set version = excluded.version',
  );
  return sqlite.transaction((rows: readonly EncodedRow[]) => {
    let inserted = 0;
    const hours = new Set<number>();
    for (const [cells, tags, bodies] of rows) {
      if (insertRequest.run(cells).changes === 0) continue;
      inserted++;
      const id = cells[ID_CELL] as string;
      const createdAt = cells[CREATED_AT_CELL] as number;
      hours.add(createdAt - (createdAt % HOUR_MS));
      if (tags) for (const tag of tags) insertTag.run(id, tag, createdAt);
      if (bodies) insertBody.run(id, createdAt, bodies[0], bodies[1]);
    }
    // The rows' hours are raw again until the rollup has them (usage.ts).
    const version = dirtyVersion();
    for (const hour of hours) markDirty.run(hour, version);
    return inserted;
  }) as (rows: readonly EncodedRow[]) => number;
}

const PG_INSERT_REQUESTS =
  `insert into requests (${COLUMNS.map(([name]) => name).join(', ')}) ` +
  `select * from unnest(${COLUMNS.map(([, type], index) => `$${index + 1}::${type}[]`).join(', ')}) ` +
  'on conflict (id) do nothing returning id';
const PG_INSERT_TAGS =
  'insert into request_tags (request_id, tag, created_at) select * from unnest($1::text[], $2::text[], $3::int8[]) on conflict do nothing';
const PG_MARK_DIRTY =
  'insert into usage_dirty_hours (hour, version) select hour, $2::int8 from unnest($1::int8[]) as hour ' +
  'on conflict (hour) do update set version = excluded.version';
const PG_INSERT_BODIES =
  'insert into request_bodies (request_id, created_at, request_body, response_body) ' +
  'select * from unnest($1::text[], $2::int8[], $3::text[], $4::text[]) on conflict do nothing';

/** PostgreSQL: one statement per table for the whole batch (column arrays through unnest). */
async function writePostgres(pool: pg.Pool, rows: readonly LogRecord[]): Promise<number> {
  const columns: Cell[][] = COLUMNS.map(() => []);
  for (const row of rows) {
    const cells = toCells(row);
    for (let index = 0; index < cells.length; index++) columns[index]!.push(cells[index]!);
  }
  const client = await pool.connect();
  let failure: Error | undefined;
  try {
    await client.query('begin');
    const inserted = await client.query<{ id: string }>(PG_INSERT_REQUESTS, columns);
    const fresh = new Set(inserted.rows.map((row) => row.id));
    const tags: [string[], string[], number[]] = [[], [], []];
    const bodies: [string[], number[], Array<string | null>, Array<string | null>] = [[], [], [], []];
    const hours = new Set<number>();
    for (const row of rows) {
      if (!fresh.has(row.id)) continue;
      hours.add(row.created_at - (row.created_at % HOUR_MS));
      for (const tag of row.tags) {
        tags[0].push(row.id);
        tags[1].push(tag);
        tags[2].push(row.created_at);
      }
      if (row.request_body !== undefined || row.response_body !== undefined) {
        bodies[0].push(row.id);
        bodies[1].push(row.created_at);
        bodies[2].push(row.request_body ?? null);
        bodies[3].push(row.response_body ?? null);
      }
    }
    if (tags[0].length > 0) await client.query(PG_INSERT_TAGS, tags);
    if (bodies[0].length > 0) await client.query(PG_INSERT_BODIES, bodies);
    // The rows' hours are raw again until the rollup has them (usage.ts).
    if (hours.size > 0) await client.query(PG_MARK_DIRTY, [[...hours].sort((a, b) => a - b), dirtyVersion()]);
    await client.query('commit');
    return fresh.size;
  } catch (error) {
    failure = error instanceof Error ? error : new Error(String(error));
    await client.query('rollback').catch(() => {});
    throw error;
  } finally {
    // A client that failed mid-transaction is discarded, not returned to the pool.
    client.release(failure);
  }
}
