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
