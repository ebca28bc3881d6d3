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
  type LogRecord,
  type UsageQuery,
  type UsageRow,
} from './records.js';
import { GatewayError } from '../errors/gateway-error.js';

/**
 * Where the gateway keeps what must outlive a process: the request log now (keys and budgets
 * join it later). One implementation over SQL for SQLite and PostgreSQL; only the batched insert
 * is written per driver, because it is the one statement that runs all the time.
 */
export interface Storage {
  readonly kind: 'sqlite' | 'memory' | 'postgres';
  /** Writes rows in one transaction; a row whose id is already stored is skipped. Returns how many were new. */
  writeRequests(rows: readonly LogRecord[]): Promise<number>;
  listRequests(query: LogQuery): Promise<LogPage>;
  getRequest(id: string): Promise<LogRecord | undefined>;
  usage(query: UsageQuery): Promise<UsageRow[]>;
  /** Deletes up to `batchSize` requests created before `before` (with their tags and bodies); returns how many. */
  pruneRequests(before: number, batchSize: number): Promise<number>;
  close(): Promise<void>;
}

/** Column order of the batched insert (and its PostgreSQL array types). */
const COLUMNS = [
  ['id', 'text'],
  ['created_at', 'int8'],
  ['api', 'text'],
  ['key_id', 'text'],
  ['model', 'text'],
  ['provider', 'text'],
  ['upstream_model', 'text'],
  ['variant', 'text'],
  ['status', 'int4'],
  ['error_code', 'text'],
  ['error_message', 'text'],
  ['stream', 'int4'],
  ['latency_ms', 'int4'],
  ['ttft_ms', 'int4'],
  ['input_tokens', 'int4'],
  ['output_tokens', 'int4'],
  ['cached_tokens', 'int4'],
  ['reasoning_tokens', 'int4'],
  ['tokens_estimated', 'int4'],
  ['cost_usd', 'float8'],
  ['cache', 'text'],
  ['attempts', 'int4'],
  ['attempt_log', 'text'],
  ['tags', 'text'],
] as const;

type Cell = string | number | null;

function toCells(row: LogRecord): Cell[] {
  return [
    row.id,
    row.created_at,
    row.api,
    row.key_id,
    row.model,
    row.provider,
    row.upstream_model,
    row.variant,
    row.status,
    row.error_code,
    row.error_message,
    row.stream ? 1 : 0,
    row.latency_ms,
    row.ttft_ms,
    row.input_tokens,
    row.output_tokens,
    row.cached_tokens,
    row.reasoning_tokens,
    row.tokens_estimated ? 1 : 0,
    row.cost_usd,
    row.cache,
    row.attempts,
    row.attempt_log.length > 0 ? JSON.stringify(row.attempt_log) : null,
    row.tags.length > 0 ? JSON.stringify(row.tags) : null,
  ];
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
    attempts: row.attempts,
    attempt_log: row.attempt_log ? (JSON.parse(row.attempt_log) as LogRecord['attempt_log']) : [],
    tags: row.tags ? (JSON.parse(row.tags) as string[]) : [],
  };
  if ('request_body' in row) {
    record.request_body = row.request_body ?? null;
    record.response_body = row.response_body ?? null;
  }
  return record;
}

const HOUR_MS = 3_600_000;

export class SqlStorage implements Storage {
  readonly kind: Storage['kind'];
  readonly #open: OpenDatabase;
  readonly #db: Kysely<Database>;
  readonly #writeSqlite?: (rows: readonly LogRecord[]) => number;

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
    if (this.#writeSqlite) return this.#writeSqlite(rows);
    if (this.#open.kind !== 'postgres') throw new Error('unreachable');
    return writePostgres(this.#open.pool, rows);
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

  /**
   * Requests, tokens, cost, errors and nearest-rank p50/p95 latency per group (and time bucket),
   * in one pass over the time range: window functions rank latencies inside each group, which
   * SQLite and PostgreSQL both run (SQLite has no percentile aggregate).
   */
  async usage(query: UsageQuery): Promise<UsageRow[]> {
    const byTag = query.groupBy === 'tag';
    const time = byTag ? sql.ref('t.created_at') : sql.ref('r.created_at');
    const group = byTag ? sql.ref('t.tag') : sql.ref(`r.${query.groupBy === 'key' ? 'key_id' : query.groupBy}`);
    const width = query.interval === 'day' ? 24 * HOUR_MS : HOUR_MS;
    const bucket = query.interval ? sql`(${time} - (${time} % ${sql.lit(width)}))` : sql`0`;
    const source = byTag ? sql`request_tags t join requests r on r.id = t.request_id` : sql`requests r`;
    const result = await sql<{
      grp: string | null;
      bucket: number;
      requests: number;
      input_tokens: number | null;
      output_tokens: number | null;
      cached_tokens: number | null;
      cost_usd: number | null;
      errors: number | null;
      p50: number | null;
      p95: number | null;
    }>`
      select grp, bucket, count(*) as requests, sum(input_tokens) as input_tokens, sum(output_tokens) as output_tokens,
        sum(cached_tokens) as cached_tokens, sum(cost_usd) as cost_usd,
        sum(case when status >= 400 then 1 else 0 end) as errors,
        max(case when rn = (n + 1) / 2 then latency_ms end) as p50,
        max(case when rn = (95 * n + 99) / 100 then latency_ms end) as p95
      from (
        select ${group} as grp, ${bucket} as bucket, r.status, r.input_tokens, r.output_tokens, r.cached_tokens, r.cost_usd, r.latency_ms,
          row_number() over (partition by ${group}, ${bucket} order by r.latency_ms) as rn,
          count(*) over (partition by ${group}, ${bucket}) as n
        from ${source}
        where ${time} >= ${query.from} and ${time} < ${query.to}
      ) ranked
      group by grp, bucket
      order by bucket, requests desc, grp`.execute(this.#db);
    return result.rows.map((row) => {
      const out: UsageRow = {
        group: row.grp,
        requests: Number(row.requests),
        input_tokens: Number(row.input_tokens ?? 0),
        output_tokens: Number(row.output_tokens ?? 0),
        cached_tokens: Number(row.cached_tokens ?? 0),
        cost_usd: Number(row.cost_usd ?? 0),
        errors: Number(row.errors ?? 0),
        p50_latency_ms: row.p50 === null ? null : Number(row.p50),
        p95_latency_ms: row.p95 === null ? null : Number(row.p95),
      };
      if (query.interval) out.bucket = Number(row.bucket);
      return out;
    });
  }

  async pruneRequests(before: number, batchSize: number): Promise<number> {
    const db = this.#db;
    const deleted = await db
      .deleteFrom('requests')
      .where('id', 'in', (eb) => eb.selectFrom('requests').select('id').where('created_at', '<', before).limit(batchSize))
      .executeTakeFirst();
    await db
      .deleteFrom('request_tags')
      .where('request_id', 'in', (eb) => eb.selectFrom('request_tags').select('request_id').where('created_at', '<', before).limit(batchSize))
      .execute();
    await db
      .deleteFrom('request_bodies')
      .where('request_id', 'in', (eb) => eb.selectFrom('request_bodies').select('request_id').where('created_at', '<', before).limit(batchSize))
      .execute();
    return Number(deleted.numDeletedRows);
  }

  async close(): Promise<void> {
    await this.#db.destroy();
  }
}

/** SQLite: prepared statements in one transaction (synchronous, ~µs per row). */
function sqliteWriter(sqlite: Sqlite.Database): (rows: readonly LogRecord[]) => number {
  const placeholders = COLUMNS.map(() => '?').join(', ');
  const insertRequest = sqlite.prepare(
    `insert into requests (${COLUMNS.map(([name]) => name).join(', ')}) values (${placeholders}) on conflict (id) do nothing`,
  );
  const insertTag = sqlite.prepare('insert into request_tags (request_id, tag, created_at) values (?, ?, ?) on conflict do nothing');
  const insertBody = sqlite.prepare(
    'insert into request_bodies (request_id, created_at, request_body, response_body) values (?, ?, ?, ?) on conflict do nothing',
  );
  return sqlite.transaction((rows: readonly LogRecord[]) => {
    let inserted = 0;
    for (const row of rows) {
      if (insertRequest.run(...toCells(row)).changes === 0) continue;
      inserted++;
      for (const tag of row.tags) insertTag.run(row.id, tag, row.created_at);
      if (row.request_body !== undefined || row.response_body !== undefined) {
        insertBody.run(row.id, row.created_at, row.request_body ?? null, row.response_body ?? null);
      }
    }
    return inserted;
  }) as (rows: readonly LogRecord[]) => number;
}

const PG_INSERT_REQUESTS =
  `insert into requests (${COLUMNS.map(([name]) => name).join(', ')}) ` +
  `select * from unnest(${COLUMNS.map(([, type], index) => `$${index + 1}::${type}[]`).join(', ')}) ` +
  'on conflict (id) do nothing returning id';
const PG_INSERT_TAGS =
  'insert into request_tags (request_id, tag, created_at) select * from unnest($1::text[], $2::text[], $3::int8[]) on conflict do nothing';
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
    for (const row of rows) {
      if (!fresh.has(row.id)) continue;
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
