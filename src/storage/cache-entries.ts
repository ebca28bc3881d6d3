import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

/** What `Storage.cacheDeleteWhere` matches: a namespace and/or a model (neither: every entry). */
export interface CacheEntryFilter {
  namespace?: string;
  model?: string;
}

/** The entry's value, unless it is missing or has expired at `now`. */
export async function cacheGet(db: Kysely<Database>, key: string, now: number): Promise<string | undefined> {
  const row = await db.selectFrom('cache_entries').select(['value', 'expires_at']).where('key', '=', key).executeTakeFirst();
  return row && Number(row.expires_at) > now ? row.value : undefined;
}

/** Inserts or replaces an entry (one statement on both databases). */
export async function cacheSet(db: Kysely<Database>, entry: Database['cache_entries']): Promise<void> {
  await db
    .insertInto('cache_entries')
    .values(entry)
    .onConflict((conflict) => conflict.column('key').doUpdateSet({ value: entry.value, expires_at: entry.expires_at, namespace: entry.namespace, model: entry.model }))
    .execute();
}

export async function cacheDelete(db: Kysely<Database>, key: string): Promise<void> {
  await db.deleteFrom('cache_entries').where('key', '=', key).execute();
}

/** Deletes the matching entries; returns how many. */
export async function cacheDeleteWhere(db: Kysely<Database>, filter: CacheEntryFilter): Promise<number> {
  let query = db.deleteFrom('cache_entries');
  if (filter.namespace !== undefined) query = query.where('namespace', '=', filter.namespace);
  if (filter.model !== undefined) query = query.where('model', '=', filter.model);
  return Number((await query.executeTakeFirst()).numDeletedRows);
}

/** Deletes entries that expired before `now` (through the expiry index); returns how many. */
export async function cachePruneExpired(db: Kysely<Database>, now: number): Promise<number> {
  return Number((await db.deleteFrom('cache_entries').where('expires_at', '<=', now).executeTakeFirst()).numDeletedRows);
}

/** Inserts or replaces a semantic cache record. */
export async function semanticRecordPut(db: Kysely<Database>, row: Database['semantic_cache_records']): Promise<void> {
  await db
    .insertInto('semantic_cache_records')
    .values(row)
    .onConflict((conflict) => conflict.column('key').doUpdateSet({ record: row.record, created_at: row.created_at, expires_at: row.expires_at }))
    .execute();
}

/** Live records written after `since` (epoch ms), oldest first, at most `limit`. */
export async function semanticRecordsSince(db: Kysely<Database>, since: number, now: number, limit: number): Promise<Array<{ record: string; created_at: number }>> {
  const rows = await db
    .selectFrom('semantic_cache_records')
    .select(['record', 'created_at'])
    .where('created_at', '>', since)
    .where('expires_at', '>', now)
    .orderBy('created_at')
    .limit(limit)
    .execute();
  return rows.map((row) => ({ record: row.record, created_at: Number(row.created_at) }));
}

/** Deletes the matching semantic records (and the expired ones); returns how many matched. */
export async function semanticRecordsDeleteWhere(db: Kysely<Database>, filter: CacheEntryFilter): Promise<number> {
  let query = db.deleteFrom('semantic_cache_records');
  if (filter.namespace !== undefined) query = query.where('namespace', '=', filter.namespace);
  if (filter.model !== undefined) query = query.where('model', '=', filter.model);
  return Number((await query.executeTakeFirst()).numDeletedRows);
}

/** Deletes semantic records that expired before `now`; returns how many. */
export async function semanticRecordsPrune(db: Kysely<Database>, now: number): Promise<number> {
  return Number((await db.deleteFrom('semantic_cache_records').where('expires_at', '<=', now).executeTakeFirst()).numDeletedRows);
}
