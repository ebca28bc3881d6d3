import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from './schema.js';
import { USAGE_GROUPS, type UsageGroup, type UsageQuery, type UsageRow } from './records.js';
import { addHistogram, addLatency, encodeHistogram, percentiles, type LatencyCounts } from './latency-histogram.js';

/**
 * /admin/usage over millions of rows. Closed hours are rolled up (usage_hourly: one row per hour,
 * dimension and group, with a mergeable latency histogram), so a month is ~720 small rows per
 * group instead of a scan of every request. What is not rolled up is read raw: the partial hours at
 * either end of the range, the current hour, and any hour in usage_dirty_hours.
 *
 * The dirty mark is the invariant: the log writer marks a row's hour dirty in the same transaction
 * as the row (with a fresh version), and the rollup clears the mark only if its version is still
 * the one read before aggregating. An hour that is not dirty therefore has a rollup equal to its
 * raw rows, and a row that arrives late (after an outage) makes its hour raw again until re-rolled.
 */

export const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Rollup rows store a group that is NULL (no key, no variant) as '': primary keys cannot hold NULL. */
const NULL_GROUP = '';

type Dialect = 'sqlite' | 'postgres';

interface RawGroupRow {
  grp: string | null;
  bucket: number;
  latency_ms: number;
  requests: number;
  input_tokens: number;
  output_tokens: number;
  cached_tokens: number;
  cost_usd: number;
  errors: number;
  cache_hits: number;
  cost_saved_usd: number;
}

interface Totals {
  group: string | null;
  bucket: number;
  requests: number;
  input_tokens: number;
  output_tokens: number;
  cached_tokens: number;
  cost_usd: number;
  errors: number;
  cache_hits: number;
  cost_saved_usd: number;
  latency: LatencyCounts;
}

function groupColumn(groupBy: UsageGroup): RawBuilder<unknown> {
  if (groupBy === 'tag') return sql.ref('t.tag');
  return sql.ref(`r.${groupBy === 'key' ? 'key_id' : groupBy}`);
}

/**
 * Sums per group, time bucket and exact latency over the given time ranges of raw rows: grouping
 * by latency keeps percentiles exact and lets them merge with the rollup's histograms.
 */
async function aggregateRaw(db: Kysely<Database>, groupBy: UsageGroup, ranges: ReadonlyArray<readonly [number, number]>, width: number | undefined): Promise<RawGroupRow[]> {
  if (ranges.length === 0) return [];
  const byTag = groupBy === 'tag';
  const time = byTag ? sql.ref('t.created_at') : sql.ref('r.created_at');
  const bucket = width === undefined ? sql`0` : sql`(${time} - (${time} % ${sql.lit(width)}))`;
  const source = byTag ? sql`request_tags t join requests r on r.id = t.request_id` : sql`requests r`;
  const where = sql.join(ranges.map(([from, to]) => sql`(${time} >= ${from} and ${time} < ${to})`), sql` or `);
  const result = await sql<RawGroupRow>`
    select ${groupColumn(groupBy)} as grp, ${bucket} as bucket, r.latency_ms as latency_ms, count(*) as requests,
      sum(r.input_tokens) as input_tokens, sum(r.output_tokens) as output_tokens, sum(r.cached_tokens) as cached_tokens,
      sum(r.cost_usd) as cost_usd, sum(case when r.status >= 400 then 1 else 0 end) as errors,
      sum(case when r.cache in ('hit', 'semantic-hit') then 1 else 0 end) as cache_hits, sum(r.cost_saved_usd) as cost_saved_usd
    from ${source}
    where ${where}
    group by 1, 2, 3`.execute(db);
  return result.rows;
}

function totalsFor(totals: Map<string, Totals>, group: string | null, bucket: number): Totals {
  const id = `${bucket}\u0000${group ?? '\u0001'}`;
  let entry = totals.get(id);
  if (!entry) {
    entry = { group, bucket, requests: 0, input_tokens: 0, output_tokens: 0, cached_tokens: 0, cost_usd: 0, errors: 0, cache_hits: 0, cost_saved_usd: 0, latency: new Map() };
    totals.set(id, entry);
  }
  return entry;
}

function addRaw(totals: Map<string, Totals>, rows: readonly RawGroupRow[]): void {
  for (const row of rows) {
    const entry = totalsFor(totals, row.grp, Number(row.bucket));
    const requests = Number(row.requests);
    entry.requests += requests;
    entry.input_tokens += Number(row.input_tokens ?? 0);
    entry.output_tokens += Number(row.output_tokens ?? 0);
    entry.cached_tokens += Number(row.cached_tokens ?? 0);
    entry.cost_usd += Number(row.cost_usd ?? 0);
    entry.errors += Number(row.errors ?? 0);
    entry.cache_hits += Number(row.cache_hits ?? 0);
    entry.cost_saved_usd += Number(row.cost_saved_usd ?? 0);
    addLatency(entry.latency, Number(row.latency_ms), requests);
  }
}

/** [from, to) split into whole hours that may be rolled up and the raw edges around them. */
function splitRange(from: number, to: number): { hours?: [number, number]; edges: Array<[number, number]> } {
  const firstHour = Math.ceil(from / HOUR_MS) * HOUR_MS;
  const lastHour = Math.floor(to / HOUR_MS) * HOUR_MS;
  if (firstHour >= lastHour) return { edges: [[from, to]] };
  const edges: Array<[number, number]> = [];
  if (from < firstHour) edges.push([from, firstHour]);
  if (lastHour < to) edges.push([lastHour, to]);
  return { hours: [firstHour, lastHour], edges };
}

/** Consecutive hours as ranges, so a run of dirty hours is one condition in the raw query. */
function hourRanges(hours: readonly number[]): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  for (const hour of [...hours].sort((a, b) => a - b)) {
    const last = ranges.at(-1);
    if (last && last[1] === hour) last[1] = hour + HOUR_MS;
    else ranges.push([hour, hour + HOUR_MS]);
  }
  return ranges;
}

/**
 * How [from, to) is read: `rolled` whole hours from usage_hourly (skipping `dirty` ones), and
 * `raw` ranges from the rows (the partial hours at the ends and the dirty hours).
 */
async function planRange(db: Kysely<Database>, from: number, to: number): Promise<{ rolled?: [number, number]; dirty: Set<number>; raw: Array<[number, number]> }> {
  const { hours, edges } = splitRange(from, to);
  if (!hours) return { dirty: new Set(), raw: edges };
  const [firstHour, lastHour] = hours;
  const marked = await db.selectFrom('usage_dirty_hours').select('hour').where('hour', '>=', firstHour).where('hour', '<', lastHour).execute();
  const dirty = new Set(marked.map((row) => Number(row.hour)));
  return { rolled: hours, dirty, raw: [...edges, ...hourRanges([...dirty])] };
}

export async function queryUsage(db: Kysely<Database>, query: UsageQuery): Promise<UsageRow[]> {
  const width = query.interval === 'day' ? DAY_MS : query.interval === 'hour' ? HOUR_MS : undefined;
  const bucketOf = (time: number): number => (width === undefined ? 0 : time - (time % width));
  const totals = new Map<string, Totals>();
  const { rolled: hours, dirty: dirtyHours, raw: rawRanges } = await planRange(db, query.from, query.to);
  if (hours) {
    const [firstHour, lastHour] = hours;
    const rolled = await db
      .selectFrom('usage_hourly')
      .selectAll()
      .where('dimension', '=', query.groupBy)
      .where('hour', '>=', firstHour)
      .where('hour', '<', lastHour)
      .execute();
    for (const row of rolled) {
      const hour = Number(row.hour);
      if (dirtyHours.has(hour)) continue;
      const entry = totalsFor(totals, row.value === NULL_GROUP ? null : row.value, bucketOf(hour));
      entry.requests += Number(row.requests);
      entry.input_tokens += Number(row.input_tokens);
      entry.output_tokens += Number(row.output_tokens);
      entry.cached_tokens += Number(row.cached_tokens);
      entry.cost_usd += Number(row.cost_usd);
      entry.errors += Number(row.errors);
      entry.cache_hits += Number(row.cache_hits);
      entry.cost_saved_usd += Number(row.cost_saved_usd);
      addHistogram(entry.latency, row.latency);
    }
  }
  addRaw(totals, await aggregateRaw(db, query.groupBy, rawRanges, width));

  const rows = [...totals.values()].sort(
    (a, b) => a.bucket - b.bucket || b.requests - a.requests || (a.group ?? '\uffff').localeCompare(b.group ?? '\uffff'),
  );
  return rows.map((entry) => {
    const [p50, p95] = percentiles(entry.latency, [50, 95]);
    const row: UsageRow = {
      group: entry.group,
      requests: entry.requests,
      input_tokens: entry.input_tokens,
      output_tokens: entry.output_tokens,
      cached_tokens: entry.cached_tokens,
      cost_usd: entry.cost_usd,
      errors: entry.errors,
      cache_hits: entry.cache_hits,
      cost_saved_usd: entry.cost_saved_usd,
      p50_latency_ms: p50 ?? null,
      p95_latency_ms: p95 ?? null,
    };
    if (width !== undefined) row.bucket = entry.bucket;
    return row;
  });
}

/** Rows for usage_hourly: one per dimension and group of the hour's raw rows. */
async function rollupRows(db: Kysely<Database>, hour: number): Promise<Database['usage_hourly'][]> {
  const out: Database['usage_hourly'][] = [];
  for (const dimension of USAGE_GROUPS) {
    const totals = new Map<string, Totals>();
    addRaw(totals, await aggregateRaw(db, dimension, [[hour, hour + HOUR_MS]], undefined));
    for (const entry of totals.values()) {
      out.push({
        dimension,
        hour,
        value: entry.group ?? NULL_GROUP,
        requests: entry.requests,
        input_tokens: entry.input_tokens,
        output_tokens: entry.output_tokens,
        cached_tokens: entry.cached_tokens,
        cost_usd: entry.cost_usd,
        errors: entry.errors,
        cache_hits: entry.cache_hits,
        cost_saved_usd: entry.cost_saved_usd,
        latency: encodeHistogram(entry.latency),
      });
    }
  }
  return out;
}

/** Rows per INSERT: well under SQLite's bound on statement parameters. */
const INSERT_CHUNK = 500;

async function rollupHour(db: Kysely<Database>, hour: number, version: number): Promise<void> {
  const rows = await rollupRows(db, hour);
  await db.deleteFrom('usage_hourly').where('hour', '=', hour).execute();
  for (let start = 0; start < rows.length; start += INSERT_CHUNK) {
    await db.insertInto('usage_hourly').values(rows.slice(start, start + INSERT_CHUNK)).execute();
  }
  // Cleared only if no row arrived since the version was read (such a row is in no rollup yet).
  await db.deleteFrom('usage_dirty_hours').where('hour', '=', hour).where('version', '=', version).execute();
}

/**
 * Rolls up to `maxHours` dirty hours that ended before `closedBefore` (the current hour stays raw:
 * it is still being written). Returns how many hours were rolled up.
 *
 * SQLite has one writer, this process's storage thread, so no lock is needed, and no transaction
 * either: the hour stays dirty (read raw) until its rows are all written, and a transaction here
 * would also enclose log batches written on the same connection meanwhile. PostgreSQL may have
 * several instances rolling up at once: each hour is done in a transaction holding an advisory
 * lock on it, and an hour another instance holds is left to it.
 */
export async function rollupDirtyHours(db: Kysely<Database>, dialect: Dialect, closedBefore: number, maxHours: number): Promise<number> {
  const dirty = await db
    .selectFrom('usage_dirty_hours')
    .select(['hour', 'version'])
    .where('hour', '<', closedBefore)
    .orderBy('hour')
    .limit(maxHours)
    .execute();
  let rolled = 0;
  for (const { hour, version } of dirty) {
    if (dialect === 'sqlite') {
      await rollupHour(db, Number(hour), Number(version));
      rolled++;
      continue;
    }
    const done = await db.transaction().execute(async (trx) => {
      const lock = await sql<{ locked: boolean }>`select pg_try_advisory_xact_lock(${ROLLUP_LOCK_SPACE}::int4, ${Number(hour) / HOUR_MS}::int4) as locked`.execute(trx);
      if (!lock.rows[0]?.locked) return false;
      await rollupHour(trx, Number(hour), Number(version));
      return true;
    });
    if (done) rolled++;
  }
  return rolled;
}

/** First key of the two-key advisory locks on rollup hours (the second is the hour number). */
const ROLLUP_LOCK_SPACE = 0x5357_5955; // "SWYU"

/** Drops rollups and dirty marks of hours that ended before `before` (retention). */
export async function pruneRollups(db: Kysely<Database>, before: number): Promise<void> {
  const lastExpiredHour = Math.floor(before / HOUR_MS) * HOUR_MS - HOUR_MS;
  await db.deleteFrom('usage_hourly').where('hour', '<=', lastExpiredHour).execute();
  await db.deleteFrom('usage_dirty_hours').where('hour', '<=', lastExpiredHour).execute();
}

/** A fresh version for a dirty mark: any value differing from the one a running rollup read. */
export function dirtyVersion(): number {
  return Math.floor(Math.random() * 2 ** 48);
}

/**
 * Spend of the given keys in [from, to): what a budget starts from (limits/gate.ts). Rolled-up
 * hours are summed from usage_hourly, the rest from raw rows, as for /admin/usage.
 */
export async function spendOf(db: Kysely<Database>, keyIds: readonly string[], from: number, to: number): Promise<number> {
  if (keyIds.length === 0) return 0;
  const { rolled: hours, dirty: dirtyHours, raw: rawRanges } = await planRange(db, from, to);
  let total = 0;
  if (hours) {
    const [firstHour, lastHour] = hours;
    const rolled = await db
      .selectFrom('usage_hourly')
      .select(['hour', 'cost_usd'])
      .where('dimension', '=', 'key')
      .where('value', 'in', keyIds)
      .where('hour', '>=', firstHour)
      .where('hour', '<', lastHour)
      .execute();
    for (const row of rolled) if (!dirtyHours.has(Number(row.hour))) total += Number(row.cost_usd);
  }
  if (rawRanges.length > 0) {
    const where = sql.join(rawRanges.map(([start, end]) => sql`(created_at >= ${start} and created_at < ${end})`), sql` or `);
    const raw = await sql<{ spent: number | null }>`
      select sum(cost_usd) as spent from requests where key_id in (${sql.join(keyIds)}) and (${where})`.execute(db);
    total += Number(raw.rows[0]?.spent ?? 0);
  }
  return total;
}
