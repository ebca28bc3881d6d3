// Direct access to the benchmark's database, beside SqlStorage: EXPLAIN, sizes, index sets, and
// cleaning up after the insert-cost run. Nothing here is what the gateway runs.
import Sqlite from 'better-sqlite3';
import pg from 'pg';
import type { Captured } from './capture.js';

/** The indexes of migration 0001 (the baseline the benchmark compares against). */
export const INDEXES_0001: Array<{ name: string; table: string; columns: string }> = [
  { name: 'requests_created', table: 'requests', columns: 'created_at, id' },
  { name: 'requests_model_created', table: 'requests', columns: 'model, created_at, id' },
  { name: 'requests_key_created', table: 'requests', columns: 'key_id, created_at, id' },
  { name: 'requests_provider_created', table: 'requests', columns: 'provider, created_at, id' },
  { name: 'requests_status_created', table: 'requests', columns: 'status, created_at, id' },
  { name: 'request_tags_tag_created', table: 'request_tags', columns: 'tag, created_at' },
  { name: 'request_tags_created', table: 'request_tags', columns: 'created_at' },
  { name: 'request_bodies_created', table: 'request_bodies', columns: 'created_at' },
];

const TABLES = ['requests', 'request_tags', 'request_bodies'];

export interface SizeRow {
  name: string;
  /** `table`, `index` or `total`. */
  kind: string;
  bytes: number;
}

export interface IndexInfo {
  name: string;
  table: string;
  definition: string;
}

export interface Raw {
  readonly kind: 'sqlite' | 'postgres';
  explain(statement: Captured): Promise<string[]>;
  exec(ddl: string): Promise<void>;
  /** Runs a statement on this connection; returns the row count. */
  query(statement: Captured): Promise<number>;
  sizes(): Promise<SizeRow[]>;
  indexes(): Promise<IndexInfo[]>;
  /** Drops every secondary index not in 0001 and creates 0001's missing ones; returns ms. */
  restore0001Indexes(): Promise<number>;
  /** Forgets migrations after 0001, so the next SqlStorage.open runs them again. */
  forgetMigrationsAfter0001(): Promise<void>;
  /** Deletes rows created at or after `from` (the insert-cost rows). */
  deleteSince(from: number): Promise<void>;
  /** Ids of existing rows near the given times. */
  idsNear(times: number[]): Promise<string[]>;
  stats(): Promise<{ rows: number; tagRows: number; minCreatedAt: number | null; maxCreatedAt: number | null }>;
  /** PostgreSQL: VACUUM ANALYZE, as autovacuum would have done on a live table. SQLite: nothing. */
  maintenance(): Promise<void>;
  close(): Promise<void>;
}

export function rawSqlite(path: string): Raw {
  const db = new Sqlite(path);
  db.pragma('busy_timeout = 5000');
  return {
    kind: 'sqlite',
    async explain(statement) {
      const rows = db.prepare(`explain query plan ${statement.sql}`).all(...(statement.params as unknown[])) as Array<{ id: number; parent: number; detail: string }>;
      const depth = new Map<number, number>([[0, -1]]);
      return rows.map((row) => {
        const level = (depth.get(row.parent) ?? -1) + 1;
        depth.set(row.id, level);
        return `${'  '.repeat(level)}${row.detail}`;
      });
    },
    async exec(ddl) {
      db.exec(ddl);
    },
    async query(statement) {
      return db.prepare(statement.sql).all(...(statement.params as unknown[])).length;
    },
    async sizes() {
      const pageSize = db.pragma('page_size', { simple: true }) as number;
      const pageCount = db.pragma('page_count', { simple: true }) as number;
      const freelist = db.pragma('freelist_count', { simple: true }) as number;
      const out: SizeRow[] = [{ name: 'database file', kind: 'total', bytes: pageSize * pageCount }];
      if (freelist > 0) out.push({ name: 'free pages', kind: 'total', bytes: pageSize * freelist });
      try {
        const rows = db.prepare("select name, sum(pgsize) as bytes from dbstat where aggregate = 1 group by name order by bytes desc").all() as Array<{ name: string; bytes: number }>;
        const kinds = new Map((db.prepare("select name, type from sqlite_master").all() as Array<{ name: string; type: string }>).map((r) => [r.name, r.type]));
        for (const row of rows) out.push({ name: row.name, kind: kinds.get(row.name) ?? (row.name.startsWith('sqlite_autoindex') ? 'index' : 'table'), bytes: row.bytes });
      } catch {
        // dbstat is compiled into better-sqlite3's SQLite; other builds may lack it.
      }
      return out;
    },
    async indexes() {
      return (db.prepare("select name, tbl_name as 'table', coalesce(sql, '(primary key)') as definition from sqlite_master where type = 'index' order by tbl_name, name").all() as IndexInfo[]).filter((i) =>
        TABLES.includes(i.table),
      );
    },
    async restore0001Indexes() {
      const started = performance.now();
      const existing = db.prepare("select name from sqlite_master where type = 'index' and sql is not null and tbl_name in ('requests', 'request_tags', 'request_bodies')").all() as Array<{ name: string }>;
      const wanted = new Set(INDEXES_0001.map((i) => i.name));
      for (const { name } of existing) if (!wanted.has(name)) db.exec(`drop index "${name}"`);
      for (const index of INDEXES_0001) db.exec(`create index if not exists ${index.name} on ${index.table} (${index.columns})`);
      return performance.now() - started;
    },
    async forgetMigrationsAfter0001() {
      db.prepare("delete from switchyard_migrations where name > '0001_request_log'").run();
      db.exec('drop table if exists usage_hourly; drop table if exists usage_dirty_hours');
    },
    async deleteSince(from) {
      db.transaction(() => {
        db.prepare('delete from request_tags where created_at >= ?').run(from);
        db.prepare('delete from request_bodies where created_at >= ?').run(from);
        db.prepare('delete from requests where created_at >= ?').run(from);
        db.prepare('delete from usage_dirty_hours where hour >= ?').run(from - (from % 3_600_000));
      })();
      db.pragma('wal_checkpoint(TRUNCATE)');
    },
    async idsNear(times) {
      const find = db.prepare('select id from requests where created_at >= ? order by created_at limit 1');
      return times.map((t) => (find.get(t) as { id: string } | undefined)?.id).filter((id): id is string => id !== undefined);
    },
    async stats() {
      const r = db.prepare('select count(*) as n, min(created_at) as lo, max(created_at) as hi from requests').get() as { n: number; lo: number | null; hi: number | null };
      const t = db.prepare('select count(*) as n from request_tags').get() as { n: number };
      return { rows: r.n, tagRows: t.n, minCreatedAt: r.lo, maxCreatedAt: r.hi };
    },
    async maintenance() {
      db.pragma('wal_checkpoint(TRUNCATE)');
    },
    async close() {
      db.close();
    },
  };
}

export async function rawPostgres(url: string): Promise<Raw> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const q = async <R extends pg.QueryResultRow>(text: string, values: unknown[] = []) => (await client.query<R>(text, values)).rows;
  return {
    kind: 'postgres',
    async explain(statement) {
      const write = /^\s*(delete|update|insert)/i.test(statement.sql);
      if (write) await q('begin');
      try {
        const rows = await q<{ 'QUERY PLAN': string }>(`explain (analyze, buffers) ${statement.sql}`, statement.params);
        return rows.map((row) => row['QUERY PLAN']);
      } finally {
        if (write) await q('rollback');
      }
    },
    async exec(ddl) {
      await q(ddl);
    },
    async query(statement) {
      return (await q(statement.sql, statement.params)).length;
    },
    async sizes() {
      const out: SizeRow[] = [];
      for (const table of TABLES) {
        const [row] = await q<{ heap: string; indexes: string; total: string }>(
          `select pg_table_size($1::regclass) as heap, pg_indexes_size($1::regclass) as indexes, pg_total_relation_size($1::regclass) as total`,
          [table],
        );
        out.push({ name: `${table} (heap+toast)`, kind: 'table', bytes: Number(row!.heap) });
        out.push({ name: `${table} (all indexes)`, kind: 'indexes', bytes: Number(row!.indexes) });
      }
      const indexes = await q<{ name: string; bytes: string }>(
        `select c.relname as name, pg_relation_size(c.oid) as bytes from pg_index i join pg_class c on c.oid = i.indexrelid
         join pg_class t on t.oid = i.indrelid join pg_namespace n on n.oid = t.relnamespace
         where n.nspname = current_schema() and t.relname = any($1) order by bytes desc`,
        [TABLES],
      );
      for (const index of indexes) out.push({ name: index.name, kind: 'index', bytes: Number(index.bytes) });
      const [total] = await q<{ total: string }>(`select sum(pg_total_relation_size(t::regclass)) as total from unnest($1::text[]) t`, [TABLES]);
      out.unshift({ name: 'all three tables', kind: 'total', bytes: Number(total!.total) });
      return out;
    },
    async indexes() {
      return q<IndexInfo>(
        `select indexname as name, tablename as table, indexdef as definition from pg_indexes where schemaname = current_schema() and tablename = any($1) order by tablename, indexname`,
        [TABLES],
      );
    },
    async restore0001Indexes() {
      const started = performance.now();
      const existing = await q<{ name: string }>(
        `select c.relname as name from pg_index i join pg_class c on c.oid = i.indexrelid join pg_class t on t.oid = i.indrelid
         join pg_namespace n on n.oid = t.relnamespace where n.nspname = current_schema() and t.relname = any($1) and not i.indisprimary`,
        [TABLES],
      );
      const wanted = new Set(INDEXES_0001.map((i) => i.name));
      for (const { name } of existing) if (!wanted.has(name)) await q(`drop index "${name}"`);
      for (const index of INDEXES_0001) await q(`create index if not exists ${index.name} on ${index.table} (${index.columns})`);
      return performance.now() - started;
    },
    async forgetMigrationsAfter0001() {
      await q("delete from switchyard_migrations where name > '0001_request_log'");
      await q('drop table if exists usage_hourly');
      await q('drop table if exists usage_dirty_hours');
    },
    async deleteSince(from) {
      await q('begin');
      await q('delete from request_tags where created_at >= $1', [from]);
      await q('delete from request_bodies where created_at >= $1', [from]);
      await q('delete from requests where created_at >= $1', [from]);
      await q('delete from usage_dirty_hours where hour >= $1', [from - (from % 3_600_000)]);
      await q('commit');
    },
    async idsNear(times) {
      const ids: string[] = [];
      for (const t of times) {
        const [row] = await q<{ id: string }>('select id from requests where created_at >= $1 order by created_at limit 1', [t]);
        if (row) ids.push(row.id);
      }
      return ids;
    },
    async stats() {
      const [r] = await q<{ n: string; lo: string | null; hi: string | null }>('select count(*) as n, min(created_at) as lo, max(created_at) as hi from requests');
      const [t] = await q<{ n: string }>('select count(*) as n from request_tags');
      return { rows: Number(r!.n), tagRows: Number(t!.n), minCreatedAt: r!.lo === null ? null : Number(r!.lo), maxCreatedAt: r!.hi === null ? null : Number(r!.hi) };
    },
    async maintenance() {
      for (const table of TABLES) await q(`vacuum (analyze) ${table}`);
    },
    async close() {
      await client.end();
    },
  };
}

/** A schema of the bench's own in the PostgreSQL database, and the URL whose search_path selects it. */
export async function postgresSchema(baseUrl: string, schema: string, create: boolean): Promise<{ url: string; existed: boolean; drop(): Promise<void> }> {
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  const found = await admin.query('select 1 from pg_namespace where nspname = $1', [schema]);
  const existed = found.rowCount === 1;
  if (!existed && create) await admin.query(`create schema "${schema}"`);
  await admin.end();
  const url = new URL(baseUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    url: url.toString(),
    existed,
    async drop() {
      const client = new pg.Client({ connectionString: baseUrl });
      await client.connect();
      await client.query(`drop schema if exists "${schema}" cascade`);
      await client.end();
    },
  };
}
