// `npm run bench:storage -- [--rows N] [--backend sqlite|postgres|both]`: the request log at scale.
// Fills a fresh store with N rows over 30 days (realistic models, keys, errors, tags, latencies),
// then times the queries behind /admin/logs, /admin/usage and retention through SqlStorage (the
// code the gateway runs), with their plans, first on migration 0001's indexes ("before") and then
// after the later migrations ("after"), plus the per-row insert cost of each index set.
// See docs/STORAGE-BENCH.md. Options:
//   --rows N              rows to load (10,000,000)
//   --backend B           sqlite | postgres | both (both)
//   --phases P            before,after | before | after | none (before,after)
//   --reps N              runs per query (5; 3 once they add up to 6 s, 2 once to 20 s)
//   --insert-rows N       rows per insert-cost run (100,000)
//   --pg-url URL          base PostgreSQL URL (env SWITCHYARD_BENCH_POSTGRES_URL, else postgres://postgres@127.0.0.1:5432/test)
//   --sqlite-path P       database file (a fresh temporary one)
//   --pg-schema S         schema (a fresh one)
//   --keep                keep the database afterwards (with --sqlite-path/--pg-schema, rerun without reloading)
//   --index-costs         also measure what each index of requests costs per inserted row (SQLite, last phase)
//   --insert-ab R         also measure insert cost with 0001's and the latest indexes in R alternating rounds
//                         (--phases none --insert-ab 4 on a kept database does only that)
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { SqlStorage } from '../../src/storage/store.js';
import type { LogQuery, UsageQuery } from '../../src/storage/records.js';
import type { StorageSpec } from '../../src/storage/spec.js';
import { capture, installCapture, type Captured } from './capture.js';
import { DAY_MS, HOUR_MS, distributions, generateRows } from './generate.js';
import { postgresSchema, rawPostgres, rawSqlite, type Raw, type SizeRow } from './raw.js';

const { values: args } = parseArgs({
  options: {
    rows: { type: 'string', default: '10000000' },
    backend: { type: 'string', default: 'both' },
    phases: { type: 'string', default: 'before,after' },
    reps: { type: 'string', default: '5' },
    'insert-rows': { type: 'string', default: '100000' },
    'pg-url': { type: 'string', default: process.env.SWITCHYARD_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test' },
    'sqlite-path': { type: 'string' },
    'pg-schema': { type: 'string' },
    keep: { type: 'boolean', default: false },
    'index-costs': { type: 'boolean', default: false },
    'insert-ab': { type: 'string', default: '0' },
  },
});
const ROWS = Number(args.rows!.replace(/_/g, ''));
const BACKENDS = args.backend === 'both' ? (['sqlite', 'postgres'] as const) : ([args.backend] as Array<'sqlite' | 'postgres'>);
const PHASES = (args.phases === 'none' ? [] : args.phases!.split(',')) as Array<'before' | 'after'>;
const REPS = Number(args.reps);
const INSERT_AB = Number(args['insert-ab']);
const INSERT_ROWS = Number(args['insert-rows']!.replace(/_/g, ''));
if (!Number.isSafeInteger(ROWS) || ROWS <= 0) throw new Error('--rows: a positive integer');
for (const backend of BACKENDS) if (backend !== 'sqlite' && backend !== 'postgres') throw new Error(`--backend: sqlite, postgres or both, not ${backend}`);

/** "Now" for every query: the end of the loaded range. Fixed, so runs are comparable. */
const T_END = Date.UTC(2026, 0, 31);
const DAYS = 30;
const T_START = T_END - DAYS * DAY_MS;
const resultsDir = join(dirname(fileURLToPath(import.meta.url)), 'results');

const fmtInt = (n: number) => Math.round(n).toLocaleString('en-US');
const fmtMs = (ms: number) => (ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2));
const fmtBytes = (bytes: number) => (bytes >= 1 << 30 ? `${(bytes / (1 << 30)).toFixed(2)} GiB` : `${(bytes / (1 << 20)).toFixed(1)} MiB`);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const log = (line: string) => process.stdout.write(`${line}\n`);

interface CaseResult {
  name: string;
  target?: string;
  samples: number[];
  rows: number;
  plans: Array<{ sql: string; plan: string[] }>;
}

interface PhaseResult {
  phase: 'before' | 'after';
  indexes: string[];
  migrationMs?: number;
  /** The usage rollup job's work after the migration: every loaded hour summed. */
  rollup?: { hours: number; ms: number; maxStepMs: number };
  sizes: SizeRow[];
  cases: CaseResult[];
  insert: Array<{ batch: number; rows: number } & InsertMeasure>;
  /** With --index-costs: CPU µs/row of 100-row batches with every index, and without this one. */
  indexCosts?: Array<{ index: string; withUsPerRow: number; withoutUsPerRow: number; rebuildMs: number }>;
  prune: { rows: number; batches: number; totalMs: number; maxBatchMs: number; medianBatchMs: number; plans: Array<{ sql: string; plan: string[] }> };
}

interface BackendResult {
  backend: 'sqlite' | 'postgres';
  rows: number;
  load?: { rows: number; tagRows: number; ms: number; rowsPerSec: number };
  phases: PhaseResult[];
  insertAB?: Array<{ set: '0001' | 'latest'; round: number; batch: number } & InsertMeasure>;
}

/** A short form of a plan for the console: SQLite's is short already; PostgreSQL's main nodes and times. */
function planSummary(kind: 'sqlite' | 'postgres', plan: string[]): string {
  if (kind === 'sqlite') return plan.map((line) => line.trim()).join('; ');
  const nodes = plan
    .filter((line) => /(Scan|Sort|Join|Aggregate|WindowAgg|Limit|Nested Loop|Gather|Hash|Delete|Unique)/.test(line) && !/^\s*(Sort Key|Sort Method|Hash Cond|Buckets|Group Key)/.test(line))
    .map((line) => line.replace(/\s*\(cost=[^)]*\)/, '').replace(/\(actual time=[\d.]+\.\.([\d.]+) rows=(\d+) loops=(\d+)\)/, '[$1 ms, $2 rows×$3]').trim().replace(/^->\s*/, ''));
  const spill = plan.some((line) => /external merge|Disk:/.test(line)) ? ' (sort spilled to disk)' : '';
  const execution = plan.find((line) => line.startsWith('Execution Time'));
  return `${nodes.slice(0, 6).join(' / ')}${spill}${execution ? ` — ${execution.trim()}` : ''}`;
}

async function explainAll(raw: Raw, statements: Captured[]): Promise<Array<{ sql: string; plan: string[] }>> {
  const out: Array<{ sql: string; plan: string[] }> = [];
  for (const statement of statements) {
    if (/^\s*(begin|commit|rollback|select 1)\b/i.test(statement.sql)) continue;
    try {
      out.push({ sql: statement.sql, plan: await raw.explain(statement) });
    } catch (error) {
      out.push({ sql: statement.sql, plan: [`EXPLAIN failed: ${(error as Error).message}`] });
    }
  }
  return out;
}

/** Runs `fn` up to REPS times (fewer when it is slow), the first under capture for its plan. */
async function timeCase(raw: Raw, name: string, fn: () => Promise<number>, target?: string): Promise<CaseResult> {
  const samples: number[] = [];
  let rows = 0;
  let statements: Captured[] = [];
  let spent = 0;
  for (let rep = 0; rep < REPS; rep++) {
    const started = performance.now();
    if (rep === 0) {
      const captured = await capture(fn);
      rows = captured.result;
      statements = captured.statements;
    } else {
      await fn();
    }
    const ms = performance.now() - started;
    samples.push(ms);
    spent += ms;
    if (rep >= 1 && spent > 20_000) break;
    if (rep >= 2 && spent > 6_000) break;
  }
  const plans = await explainAll(raw, statements);
  const result: CaseResult = { name, samples, rows, plans, ...(target !== undefined && { target }) };
  log(`  ${name.padEnd(44)} median ${fmtMs(median(samples)).padStart(7)} ms  max ${fmtMs(Math.max(...samples)).padStart(7)} ms  rows ${String(rows).padStart(5)}  ${plans.map((p) => planSummary(raw.kind, p.plan)).join(' || ').slice(0, 400)}`);
  return result;
}

async function runQueries(store: SqlStorage, raw: Raw): Promise<CaseResult[]> {
  const d = distributions();
  const byShare = (names: string[], shares: number[]) => names.map((name, i) => ({ name, share: shares[i]! })).sort((a, b) => b.share - a.share);
  const models = byShare(d.models, d.modelShare);
  const tags = byShare(d.tags, d.tagShare);
  const providers = byShare(d.providers, d.providerShare);
  const keys = byShare(d.keys, d.keyShare);
  const pct = (share: number) => `${(share * 100).toFixed(share < 0.01 ? 2 : share < 0.1 ? 1 : 0)}%`;
  const cases: CaseResult[] = [];
  const page = (query: Omit<LogQuery, 'limit'>) => async () => (await store.listRequests({ limit: 50, ...query })).rows.length;
  const logs: Array<[string, Omit<LogQuery, 'limit'>]> = [
    ['logs: first page, unfiltered', {}],
    [`logs: model=${models[0]!.name} (top, ${pct(models[0]!.share)})`, { model: models[0]!.name }],
    [`logs: model=${models.at(-1)!.name} (rarest, ${pct(models.at(-1)!.share)})`, { model: models.at(-1)!.name }],
    [`logs: key=top key (${pct(keys[0]!.share)})`, { keyId: keys[0]!.name }],
    [`logs: key=rarest key (${pct(keys.at(-1)!.share)})`, { keyId: keys.at(-1)!.name }],
    ['logs: status=error (3%)', { status: 'error' }],
    ['logs: status=400 (0.4%)', { status: 400 }],
    ['logs: status=success', { status: 'success' }],
    [`logs: tag=${tags[0]!.name} (commonest, ${pct(tags[0]!.share * 0.128)})`, { tag: tags[0]!.name }],
    [`logs: tag=${tags.at(-1)!.name} (rarest, ${pct(tags.at(-1)!.share * 0.128)})`, { tag: tags.at(-1)!.name }],
    [`logs: provider=${providers[0]!.name} (top, ${pct(providers[0]!.share)})`, { provider: providers[0]!.name }],
    [`logs: provider=${providers.at(-1)!.name} (rarest, ${pct(providers.at(-1)!.share)})`, { provider: providers.at(-1)!.name }],
    ['logs: last 1 h window, model=top', { model: models[0]!.name, from: T_END - HOUR_MS, to: T_END }],
    // No row has it and no index covers it: what any filter without an index costs at worst (a walk of every row).
    ['logs: status=204 (no rows, unindexed)', { status: 204 }],
  ];
  for (const [name, query] of logs) cases.push(await timeCase(raw, name, page(query), '< 50 ms'));

  // Deep paging: 20 pages by cursor, each page timed (the plan is the 20th page's).
  for (const [name, query] of [
    ['logs: pages 1-20 by cursor, unfiltered', {}],
    [`logs: pages 1-20 by cursor, model=${models[4]!.name}`, { model: models[4]!.name }],
    ['logs: pages 1-20 by cursor, status=error', { status: 'error' as const }],
  ] as Array<[string, Omit<LogQuery, 'limit'>]>) {
    const samples: number[] = [];
    let statements: Captured[] = [];
    for (let rep = 0; rep < Math.min(REPS, 3); rep++) {
      let cursor: string | undefined;
      for (let p = 0; p < 20; p++) {
        const started = performance.now();
        const run = () => store.listRequests({ limit: 50, ...query, ...(cursor !== undefined && { cursor }) });
        const result = p === 19 && rep === 0 ? await capture(run) : { result: await run(), statements: [] };
        samples.push(performance.now() - started);
        if (p === 19 && rep === 0) statements = result.statements;
        cursor = result.result.nextCursor ?? undefined;
        if (!cursor) break;
      }
    }
    const plans = await explainAll(raw, statements);
    cases.push({ name: `${name} (per page)`, samples, rows: 50, plans, target: '< 50 ms' });
    log(`  ${`${name} (per page)`.padEnd(44)} median ${fmtMs(median(samples)).padStart(7)} ms  max ${fmtMs(Math.max(...samples)).padStart(7)} ms  ${plans.map((p) => planSummary(raw.kind, p.plan)).join(' || ').slice(0, 300)}`);
  }

  const usage = (query: UsageQuery) => async () => (await store.usage(query)).length;
  const usages: Array<[string, UsageQuery, string]> = [
    ['usage: model, last 24 h', { groupBy: 'model', from: T_END - DAY_MS, to: T_END }, '< 500 ms'],
    // Not on hour boundaries: the two partial hours at the ends are read raw.
    ['usage: model, 24 h ending mid-hour', { groupBy: 'model', from: T_END - DAY_MS - HOUR_MS / 2, to: T_END - HOUR_MS / 2 }, '< 500 ms'],
    ['usage: key, last 24 h', { groupBy: 'key', from: T_END - DAY_MS, to: T_END }, '< 500 ms'],
    ['usage: model, interval=hour, last 24 h', { groupBy: 'model', from: T_END - DAY_MS, to: T_END, interval: 'hour' }, '< 500 ms'],
    ['usage: model, last 7 days', { groupBy: 'model', from: T_END - 7 * DAY_MS, to: T_END }, 'reported'],
    ['usage: tag, last 7 days', { groupBy: 'tag', from: T_END - 7 * DAY_MS, to: T_END }, 'reported'],
    ['usage: model, last 30 days', { groupBy: 'model', from: T_END - 30 * DAY_MS, to: T_END }, 'reported'],
    ['usage: model, interval=day, last 30 days', { groupBy: 'model', from: T_END - 30 * DAY_MS, to: T_END, interval: 'day' }, 'reported'],
  ];
  for (const [name, query, target] of usages) cases.push(await timeCase(raw, name, usage(query), target));
  // Not the gateway's query: the same sums without the percentiles, to show what ranking latencies costs.
  for (const days of [1, 30]) {
    const name = `reference: sums by model, no p50/p95, ${days === 1 ? 'last 24 h' : 'last 30 days'}`;
    const text =
      raw.kind === 'sqlite'
        ? 'select model, count(*), sum(input_tokens), sum(output_tokens), sum(cached_tokens), sum(cost_usd), sum(case when status >= 400 then 1 else 0 end) from requests where created_at >= ? and created_at < ? group by model'
        : 'select model, count(*), sum(input_tokens), sum(output_tokens), sum(cached_tokens), sum(cost_usd), sum(case when status >= 400 then 1 else 0 end) from requests where created_at >= $1 and created_at < $2 group by model';
    const statement = { sql: text, params: [T_END - days * DAY_MS, T_END] };
    cases.push(await timeCase(raw, name, () => raw.query(statement), 'reference'));
  }
  // Not the gateway's query since 0002: the tag filter as 0001 wrote it (every row with the tag, then sorted).
  for (const tag of [tags[0]!.name, tags.at(-1)!.name]) {
    const p = raw.kind === 'sqlite' ? ['?', '?'] : ['$1', '$2'];
    const text = `select * from "requests" where "id" in (select "request_id" from "request_tags" where "tag" = ${p[0]}) order by "created_at" desc, "id" desc limit ${p[1]}`;
    cases.push(await timeCase(raw, `reference: tag=${tag} as 0001 queried it`, () => raw.query({ sql: text, params: [tag, 51] }), 'reference'));
  }

  const ids = await raw.idsNear(Array.from({ length: 20 }, (_, i) => T_START + DAY_MS + Math.floor(((i + 0.5) / 20) * (DAYS - 1) * DAY_MS)));
  {
    const samples: number[] = [];
    let statements: Captured[] = [];
    for (const [i, id] of ids.entries()) {
      const started = performance.now();
      const run = async () => ((await store.getRequest(id)) ? 1 : 0);
      if (i === 0) statements = (await capture(run)).statements;
      else await run();
      samples.push(performance.now() - started);
    }
    const plans = await explainAll(raw, statements);
    cases.push({ name: 'getRequest by id (20 ids)', samples, rows: 1, plans, target: '< 50 ms' });
    log(`  ${'getRequest by id (20 ids)'.padEnd(44)} median ${fmtMs(median(samples)).padStart(7)} ms  max ${fmtMs(Math.max(...samples)).padStart(7)} ms  ${plans.map((p) => planSummary(raw.kind, p.plan)).join(' || ').slice(0, 300)}`);
  }
  return cases;
}

/** Per-row cost of writeRequests in the gateway's batch size (100) and in 500s, appended after the loaded range, then removed. */
/**
 * CPU time of every local `postgres` process (µs), from /proc: the server's side of a write (its
 * backends, WAL writer, checkpointer). Undefined where the server is not on this machine.
 */
function postgresCpuMicros(): number | undefined {
  let ticks = 0;
  let found = false;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      if (!stat.slice(stat.indexOf('(') + 1, close).startsWith('postgres')) continue;
      const fields = stat.slice(close + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
      found = true;
    } catch {
      // The process ended meanwhile.
    }
  }
  return found ? (ticks * 1e6) / 100 : undefined;
}

interface InsertMeasure {
  wallUsPerRow: number;
  /** This process (the gateway's side). */
  cpuUsPerRow: number;
  /** PostgreSQL only: the server's processes, when local. */
  serverCpuUsPerRow?: number;
}

/** One timed run of writeRequests: `rows` rows after the loaded range in `batch`-row batches, removed after. */
async function measureInsert(store: SqlStorage, raw: Raw, batch: number, rows: number, seed: number): Promise<InsertMeasure> {
  const from = T_END + DAY_MS;
  const batches = [...generateRows({ start: from, days: 1, rows, batchSize: batch, seed })];
  const server0 = raw.kind === 'postgres' ? postgresCpuMicros() : undefined;
  const cpu0 = process.cpuUsage();
  const started = performance.now();
  for (const chunk of batches) await store.writeRequests(chunk);
  const wall = performance.now() - started;
  const cpu = process.cpuUsage(cpu0);
  const server1 = server0 === undefined ? undefined : postgresCpuMicros();
  await raw.deleteSince(from);
  return {
    wallUsPerRow: (wall * 1000) / rows,
    cpuUsPerRow: (cpu.user + cpu.system) / rows,
    ...(server0 !== undefined && server1 !== undefined && { serverCpuUsPerRow: (server1 - server0) / rows }),
  };
}

async function insertCost(store: SqlStorage, raw: Raw): Promise<PhaseResult['insert']> {
  const out: PhaseResult['insert'] = [];
  for (const batch of [100, 500]) {
    const runs: InsertMeasure[] = [];
    for (let round = 0; round < 3; round++) runs.push(await measureInsert(store, raw, batch, INSERT_ROWS, 1000 + round));
    const wallUsPerRow = median(runs.map((r) => r.wallUsPerRow));
    const cpuUsPerRow = median(runs.map((r) => r.cpuUsPerRow));
    const server = runs.every((r) => r.serverCpuUsPerRow !== undefined) ? median(runs.map((r) => r.serverCpuUsPerRow!)) : undefined;
    out.push({ batch, rows: INSERT_ROWS, wallUsPerRow, cpuUsPerRow, ...(server !== undefined && { serverCpuUsPerRow: server }) });
    log(
      `  insert, ${batch}-row batches: ${wallUsPerRow.toFixed(2)} µs/row wall, ${cpuUsPerRow.toFixed(2)} µs/row CPU in this process${server === undefined ? '' : `, ${server.toFixed(2)} µs/row CPU in PostgreSQL`} (median of 3 × ${fmtInt(INSERT_ROWS)} rows; wall ${runs.map((r) => r.wallUsPerRow.toFixed(2)).join(', ')})`,
    );
  }
  await raw.maintenance();
  return out;
}

/**
 * What each secondary index of `requests` costs a write: CPU µs/row of 100-row batches with every
 * index and then with one index dropped (recreated after), index by index; each pair measured back
 * to back (two runs each), so drift in the machine's load touches both sides alike.
 */
async function perIndexInsertCost(store: SqlStorage, raw: Raw): Promise<NonNullable<PhaseResult['indexCosts']>> {
  const indexes = (await raw.indexes()).filter((i) => i.table === 'requests' && /^create index/i.test(i.definition));
  const rows = Math.min(INSERT_ROWS, 50_000);
  let seed = 2000;
  const measure = async () => {
    const from = T_END + DAY_MS;
    const batches = [...generateRows({ start: from, days: 1, rows, batchSize: 100, seed: seed++ })];
    await raw.maintenance();
    const cpu0 = process.cpuUsage();
    for (const batch of batches) await store.writeRequests(batch);
    const cpu = process.cpuUsage(cpu0);
    await raw.deleteSince(from);
    return (cpu.user + cpu.system) / rows;
  };
  const costs: NonNullable<PhaseResult['indexCosts']> = [];
  for (const index of indexes) {
    const withIt = [await measure(), await measure()];
    await raw.exec(`drop index ${index.name}`);
    const without = [await measure(), await measure()];
    const started = performance.now();
    await raw.exec(index.definition);
    const rebuildMs = performance.now() - started;
    const cost = { index: index.name, withUsPerRow: median(withIt), withoutUsPerRow: median(without), rebuildMs };
    costs.push(cost);
    log(`  insert with/without ${index.name.padEnd(28)} ${cost.withUsPerRow.toFixed(2)} / ${cost.withoutUsPerRow.toFixed(2)} µs/row CPU: the index costs ${(cost.withUsPerRow - cost.withoutUsPerRow).toFixed(2)} µs/row (rebuilt in ${(rebuildMs / 1000).toFixed(1)} s)`);
  }
  return costs;
}

/** Retention: deletes the oldest day in batches of 5,000 (the pruner's batch) and times each batch. */
async function prune(store: SqlStorage, raw: Raw): Promise<PhaseResult['prune']> {
  const stats = await raw.stats();
  const before = (stats.minCreatedAt ?? T_START) + DAY_MS;
  const batchMs: number[] = [];
  let rows = 0;
  let plans: Array<{ sql: string; plan: string[] }> = [];
  for (;;) {
    const started = performance.now();
    const first = batchMs.length === 0;
    const { result: deleted, statements } = first ? await capture(() => store.pruneRequests(before, 5_000)) : { result: await store.pruneRequests(before, 5_000), statements: [] };
    batchMs.push(performance.now() - started);
    // The plans of the next batch, while there are rows left to delete (PostgreSQL runs it inside a
    // rolled-back transaction for EXPLAIN ANALYZE; it is not counted in the timings).
    if (first) plans = await explainAll(raw, statements);
    rows += deleted;
    if (deleted < 5_000) break;
  }
  const result = { rows, batches: batchMs.length, totalMs: batchMs.reduce((a, b) => a + b, 0), maxBatchMs: Math.max(...batchMs), medianBatchMs: median(batchMs), plans };
  log(`  prune 1 day: ${fmtInt(rows)} rows in ${result.batches} batches of 5,000, total ${fmtMs(result.totalMs)} ms, per batch median ${fmtMs(result.medianBatchMs)} ms, max ${fmtMs(result.maxBatchMs)} ms`);
  for (const p of plans) log(`    ${planSummary(raw.kind, p.plan).slice(0, 300)}`);
  await raw.maintenance();
  return result;
}

async function runBackend(backend: 'sqlite' | 'postgres'): Promise<BackendResult> {
  log(`\n=== ${backend}: ${fmtInt(ROWS)} rows over ${DAYS} days ===`);
  let spec: StorageSpec;
  let cleanup: () => Promise<void>;
  let reuse = false;
  if (backend === 'sqlite') {
    const path = args['sqlite-path'] ?? join(mkdtempSync(join(os.tmpdir(), 'switchyard-storage-bench-')), 'bench.db');
    reuse = args['sqlite-path'] !== undefined && existsSync(path) && statSync(path).size > 0;
    spec = { kind: 'sqlite', path };
    cleanup = async () => {
      if (args.keep) log(`kept ${path}`);
      else for (const suffix of ['', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true });
      if (!args.keep && args['sqlite-path'] === undefined) rmSync(dirname(path), { recursive: true, force: true });
    };
  } else {
    const schemaName = args['pg-schema'] ?? `switchyard_storage_bench_${process.pid}`;
    const schema = await postgresSchema(args['pg-url']!, schemaName, true);
    reuse = schema.existed;
    spec = { kind: 'postgres', url: schema.url };
    cleanup = async () => {
      if (args.keep) log(`kept schema ${schemaName}`);
      else await schema.drop();
    };
  }
  const result: BackendResult = { backend, rows: ROWS, phases: [] };
  let store = await SqlStorage.open(spec);
  const raw: Raw = backend === 'sqlite' ? rawSqlite((spec as { path: string }).path) : await rawPostgres((spec as { url: string }).url);
  try {
    const existing = await raw.stats();
    reuse = reuse && existing.rows > 0;
    if (PHASES.includes('before')) {
      // Hold the schema at 0001's indexes (the migration record of later ones is kept, so open() adds nothing).
      await store.close();
      await raw.restore0001Indexes();
      store = await SqlStorage.open(spec);
    }
    if (reuse) {
      log(`reusing ${fmtInt(existing.rows)} rows already there`);
    } else {
      const batchSize = backend === 'sqlite' ? 50_000 : 20_000;
      const started = performance.now();
      let loaded = 0;
      let lastReport = started;
      const inFlight = new Set<Promise<unknown>>();
      for (const batch of generateRows({ start: T_START, days: DAYS, rows: ROWS, batchSize, seed: 42 })) {
        // PostgreSQL: two batches in flight (the server does the work; 2 cores). SQLite: one at a time.
        const write = store.writeRequests(batch).then((n) => (loaded += n));
        inFlight.add(write);
        void write.finally(() => inFlight.delete(write));
        if (inFlight.size >= (backend === 'postgres' ? 2 : 1)) await Promise.race(inFlight);
        const now = performance.now();
        if (now - lastReport > 15_000) {
          lastReport = now;
          log(`  loaded ${fmtInt(loaded)} rows, ${fmtInt((loaded * 1000) / (now - started))} rows/s`);
        }
      }
      await Promise.all(inFlight);
      const ms = performance.now() - started;
      await raw.maintenance();
      const stats = await raw.stats();
      result.load = { rows: stats.rows, tagRows: stats.tagRows, ms, rowsPerSec: (stats.rows * 1000) / ms };
      log(`load: ${fmtInt(stats.rows)} rows (+${fmtInt(stats.tagRows)} tag rows) in ${(ms / 1000).toFixed(1)} s = ${fmtInt(result.load.rowsPerSec)} rows/s (indexes of ${PHASES.includes('before') ? '0001' : 'the latest migration'}; maintenance after: ${backend === 'postgres' ? 'VACUUM ANALYZE' : 'WAL checkpoint'})`);
    }
    for (const phase of PHASES) {
      log(`\n--- ${backend} ${phase}: ${phase === 'before' ? "migration 0001's indexes" : 'after the latest migration'} (load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}) ---`);
      let migrationMs: number | undefined;
      if (phase === 'after') {
        // From 0001's indexes (a no-op after the before phase), as an upgrading deployment would be.
        await store.close();
        await raw.restore0001Indexes();
        await raw.forgetMigrationsAfter0001();
        const started = performance.now();
        store = await SqlStorage.open(spec);
        migrationMs = performance.now() - started;
        log(`  migrations after 0001 on ${fmtInt((await raw.stats()).rows)} rows: ${fmtMs(migrationMs)} ms`);
        await raw.maintenance();
      }
      let rollup: PhaseResult['rollup'];
      if (phase === 'after') {
        // What UsageRollupJob does after an upgrade: every loaded hour, one hour per step.
        const started = performance.now();
        let hours = 0;
        let maxStepMs = 0;
        for (;;) {
          const stepStarted = performance.now();
          const rolled = await store.rollupUsage(T_END, 1);
          maxStepMs = Math.max(maxStepMs, performance.now() - stepStarted);
          hours += rolled;
          if (rolled < 1) break;
        }
        rollup = { hours, ms: performance.now() - started, maxStepMs };
        log(`  usage rollup of ${hours} hours: ${fmtMs(rollup.ms)} ms (${fmtMs(rollup.ms / Math.max(1, hours))} ms per hour, longest step ${fmtMs(maxStepMs)} ms)`);
        await raw.maintenance();
      }
      const indexes = (await raw.indexes()).map((i) => `${i.table}: ${i.definition}`);
      for (const index of indexes) log(`  index ${index}`);
      const sizes = await raw.sizes();
      for (const size of sizes) log(`  size ${size.name.padEnd(40)} ${fmtBytes(size.bytes).padStart(10)}`);
      const cases = await runQueries(store, raw);
      const insert = await insertCost(store, raw);
      const indexCosts = args['index-costs'] && backend === 'sqlite' && phase === PHASES.at(-1) ? await perIndexInsertCost(store, raw) : undefined;
      const pruned = await prune(store, raw);
      result.phases.push({ phase, indexes, ...(migrationMs !== undefined && { migrationMs }), ...(rollup && { rollup }), sizes, cases, insert, ...(indexCosts && { indexCosts }), prune: pruned });
    }
    if (INSERT_AB > 0) {
      // Insert cost of 0001's indexes against the latest ones on the same data, in alternating
      // rounds (ABBA) so the machine's drift touches both alike: the before/after of the write cost.
      log(`\n--- ${backend}: insert cost, 0001 vs latest indexes, ${INSERT_AB} alternating rounds ---`);
      result.insertAB = [];
      for (let round = 0; round < INSERT_AB; round++) {
        for (const set of round % 2 === 0 ? (['0001', 'latest'] as const) : (['latest', '0001'] as const)) {
          await store.close();
          await raw.restore0001Indexes();
          if (set === 'latest') await raw.forgetMigrationsAfter0001();
          store = await SqlStorage.open(spec);
          await raw.maintenance();
          for (const batch of [100, 500]) {
            const m = await measureInsert(store, raw, batch, Math.min(INSERT_ROWS, 50_000), 3000 + round);
            result.insertAB.push({ set, round, batch, ...m });
            log(`  round ${round} ${set.padEnd(6)} ${String(batch).padStart(3)}-row batches: ${m.wallUsPerRow.toFixed(2)} µs/row wall, ${m.cpuUsPerRow.toFixed(2)} µs/row CPU${m.serverCpuUsPerRow === undefined ? '' : `, ${m.serverCpuUsPerRow.toFixed(2)} µs/row PostgreSQL CPU`}`);
          }
        }
      }
      for (const batch of [100, 500]) {
        const pick = (set: string, key: keyof InsertMeasure) => median(result.insertAB!.filter((r) => r.set === set && r.batch === batch).map((r) => r[key] ?? NaN));
        const server = (set: string) => (backend === 'postgres' ? `, ${pick(set, 'serverCpuUsPerRow').toFixed(2)} in PostgreSQL` : '');
        log(`  ${batch}-row batches, median: 0001 ${pick('0001', 'cpuUsPerRow').toFixed(2)} µs/row CPU${server('0001')} (${pick('0001', 'wallUsPerRow').toFixed(2)} wall), latest ${pick('latest', 'cpuUsPerRow').toFixed(2)} µs/row CPU${server('latest')} (${pick('latest', 'wallUsPerRow').toFixed(2)} wall)`);
      }
    }
  } finally {
    await store.close();
    await raw.close();
    await cleanup();
  }
  return result;
}

function markdown(results: BackendResult[]): string {
  const lines: string[] = [`# Storage benchmark, ${fmtInt(ROWS)} rows`, '', `Generated by bench/storage/run.ts at ${new Date().toISOString()} on ${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB.`, ''];
  for (const result of results) {
    lines.push(`## ${result.backend}`, '');
    if (result.load) lines.push(`Load: ${fmtInt(result.load.rows)} rows (+${fmtInt(result.load.tagRows)} tag rows) in ${(result.load.ms / 1000).toFixed(1)} s = ${fmtInt(result.load.rowsPerSec)} rows/s.`, '');
    const phases = result.phases;
    if (phases.length > 0) {
      lines.push(`| query | target | ${phases.map((p) => `${p.phase} median ms | ${p.phase} max ms`).join(' | ')} |`, `|---|---|${phases.map(() => '---:|---:').join('|')}|`);
      for (const [i, c] of phases[0]!.cases.entries()) {
        lines.push(`| ${c.name} | ${c.target ?? ''} | ${phases.map((p) => `${fmtMs(median(p.cases[i]!.samples))} | ${fmtMs(Math.max(...p.cases[i]!.samples))}`).join(' | ')} |`);
      }
      lines.push(
        `| prune 1 day, per 5,000-row batch | longest lock | ${phases.map((p) => `${fmtMs(p.prune.medianBatchMs)} | ${fmtMs(p.prune.maxBatchMs)}`).join(' | ')} |`,
        `| prune 1 day, total | | ${phases.map((p) => `${fmtMs(p.prune.totalMs)} (${fmtInt(p.prune.rows)} rows) | `).join(' | ')} |`,
        '',
      );
      const server = (m: InsertMeasure) => (m.serverCpuUsPerRow === undefined ? '' : ` (+${m.serverCpuUsPerRow.toFixed(2)} in PostgreSQL)`);
      lines.push('| insert cost (writeRequests) | ' + phases.map((p) => `${p.phase} wall µs/row | ${p.phase} CPU µs/row`).join(' | ') + ' |', `|---|${phases.map(() => '---:|---:').join('|')}|`);
      for (const [i, row] of phases[0]!.insert.entries()) lines.push(`| ${row.batch}-row batches | ${phases.map((p) => `${p.insert[i]!.wallUsPerRow.toFixed(2)} | ${p.insert[i]!.cpuUsPerRow.toFixed(2)}${server(p.insert[i]!)}`).join(' | ')} |`);
      lines.push('');
    }
    if (result.insertAB) {
      const pg = result.backend === 'postgres';
      lines.push(
        `Insert cost, 0001's indexes against the latest, alternating rounds (median µs/row):`,
        '',
        `| batch | 0001 CPU | latest CPU |${pg ? ' 0001 PostgreSQL CPU | latest PostgreSQL CPU |' : ''} 0001 wall | latest wall |`,
        `|---:|---:|---:|${pg ? '---:|---:|' : ''}---:|---:|`,
      );
      for (const batch of [100, 500]) {
        const pick = (set: string, key: keyof InsertMeasure) => median(result.insertAB!.filter((r) => r.set === set && r.batch === batch).map((r) => r[key] ?? NaN)).toFixed(2);
        lines.push(`| ${batch} | ${pick('0001', 'cpuUsPerRow')} | ${pick('latest', 'cpuUsPerRow')} |${pg ? ` ${pick('0001', 'serverCpuUsPerRow')} | ${pick('latest', 'serverCpuUsPerRow')} |` : ''} ${pick('0001', 'wallUsPerRow')} | ${pick('latest', 'wallUsPerRow')} |`);
      }
      lines.push('');
    }
    for (const phase of phases.filter((p) => p.indexCosts)) {
      lines.push(`Per-index insert cost (${phase.phase}; 100-row batches, CPU µs/row, each the median of 2 runs):`, '', '| index | with it | without it | it costs | CREATE INDEX |', '|---|---:|---:|---:|---:|');
      for (const c of phase.indexCosts!) lines.push(`| ${c.index} | ${c.withUsPerRow.toFixed(2)} | ${c.withoutUsPerRow.toFixed(2)} | ${(c.withUsPerRow - c.withoutUsPerRow).toFixed(2)} | ${(c.rebuildMs / 1000).toFixed(1)} s |`);
      lines.push('');
    }
    for (const phase of phases) {
      lines.push(`### ${result.backend} ${phase.phase}`, '');
      if (phase.migrationMs !== undefined) lines.push(`Migrations after 0001: ${fmtMs(phase.migrationMs)} ms.`, '');
      if (phase.rollup) lines.push(`Usage rollup of ${phase.rollup.hours} hours: ${fmtMs(phase.rollup.ms)} ms (longest one-hour step ${fmtMs(phase.rollup.maxStepMs)} ms).`, '');
      lines.push('Indexes:', '', ...phase.indexes.map((i) => `- \`${i}\``), '', '| relation | size |', '|---|---:|', ...phase.sizes.map((s) => `| ${s.name} | ${fmtBytes(s.bytes)} |`), '');
      lines.push('<details><summary>Plans</summary>', '');
      for (const c of [...phase.cases, { name: 'prune batch', plans: phase.prune.plans }]) {
        lines.push(`#### ${c.name}`, '');
        for (const p of c.plans) lines.push('```sql', p.sql, '```', '```', ...p.plan, '```', '');
      }
      lines.push('</details>', '');
    }
  }
  return lines.join('\n');
}

installCapture();
const d = distributions();
log(`storage bench: ${fmtInt(ROWS)} rows, backends ${BACKENDS.join(', ')}, phases ${PHASES.join(', ')}; ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`);
log(`models: ${d.models.map((m, i) => `${m} ${(d.modelShare[i]! * 100).toFixed(1)}%`).join(', ')}`);
const results: BackendResult[] = [];
for (const backend of BACKENDS) results.push(await runBackend(backend));
mkdirSync(resultsDir, { recursive: true });
const stem = `${BACKENDS.join('-')}-${ROWS}${PHASES.length === 0 ? '-insert-ab' : ''}`;
writeFileSync(join(resultsDir, `${stem}.json`), JSON.stringify(results, null, 2));
writeFileSync(join(resultsDir, `${stem}.md`), markdown(results));
log(`\nwrote bench/storage/results/${stem}.{md,json}`);
