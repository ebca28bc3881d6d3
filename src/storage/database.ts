import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import Sqlite from 'better-sqlite3';
import pg from 'pg';
import type { Database } from './schema.js';
import type { StorageSpec } from './spec.js';

/** An open database: Kysely for queries and migrations, plus the raw driver for the batched insert. */
export type OpenDatabase =
  | { kind: 'sqlite'; db: Kysely<Database>; sqlite: Sqlite.Database }
  | { kind: 'postgres'; db: Kysely<Database>; pool: pg.Pool };

// int8 (bigint) columns hold epoch milliseconds and counts: well inside 2^53, so read them as numbers.
const pgTypes = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === 20 ? (value: string) => Number(value) : oid === 1700 ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

export function openDatabase(spec: StorageSpec, onPoolError: (error: Error) => void): OpenDatabase {
  if (spec.kind === 'postgres') {
    const pool = new pg.Pool({ connectionString: spec.url, max: 4, types: pgTypes, connectionTimeoutMillis: 5_000, idleTimeoutMillis: 30_000 });
    // An idle client whose server went away emits 'error' on the pool: unhandled, it would end the process.
    pool.on('error', onPoolError);
    // A checked-out client has no pool listener: if its connection ends mid-query ("Connection terminated
    // unexpectedly"), the query fails and the client also emits 'error', which would be an uncaught
    // exception. Every client gets a listener of its own (the failed query reports the error).
    pool.on('connect', (client) => client.on('error', () => {}));
    return { kind: 'postgres', pool, db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }) };
  }
  const path = spec.kind === 'memory' ? ':memory:' : spec.path;
  if (spec.kind === 'sqlite') mkdirSync(dirname(path), { recursive: true });
  const sqlite = new Sqlite(path);
  if (spec.kind === 'sqlite') {
    // WAL: readers (admin queries, other instances on the same file) don't block the writer.
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
  }
  sqlite.pragma('busy_timeout = 5000');
  return { kind: 'sqlite', sqlite, db: new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) }) };
}
