// Renders the aggregated rows and verdicts as an aligned text table (terminal) or Markdown (docs).
import type { Row, Verdict } from './aggregate.js';
import { SCENARIOS, type Cell, type TargetName } from './scenarios.js';
import { median } from './stats.js';

const HEADERS = [
  'scenario', 'target', 'req/s', '×floor', 'CPU µs/req', '×floor', 'p50 ms', 'p99 ms',
  '+p50 vs direct ms', '×floor', 'TTFC p50 ms', 'TTFC vs floor', 'peak RSS MiB', '×floor', 'core0 busy', 'errors', 'disturbed',
];

const fixed = (value: number, digits: number) => (Number.isFinite(value) ? value.toFixed(digits) : '-');
const times = (value: number) => (Number.isFinite(value) ? `${value.toFixed(2)}×` : '-');
const signed = (value: number) => (Number.isFinite(value) ? `${value >= 0 ? '+' : ''}${value.toFixed(3)}` : '-');

function scenarioLabel(id: string): string {
  return SCENARIOS.find((s) => s.id === id)?.label ?? id;
}

function cellsOf(row: Row): string[] {
  const isProxy = row.target !== 'direct';
  const versus = row.vsFloor;
  return [
    scenarioLabel(row.scenario),
    row.target,
    fixed(row.throughput, 0),
    times(versus.throughput),
    isProxy ? fixed(row.cpuPerRequestUs, 1) : '-',
    isProxy ? times(versus.cpuPerRequest) : '-',
    fixed(row.p50Ms, 3),
    fixed(row.p99Ms, 3),
    isProxy ? signed(row.addedP50Ms) : '-',
    isProxy ? times(versus.addedP50) : '-',
    fixed(row.ttfcP50Ms, 3),
    isProxy ? signed(versus.ttfcP50DeltaMs) : '-',
    isProxy ? fixed(row.peakRssMb, 1) : '-',
    isProxy ? times(versus.peakRss) : '-',
    `${fixed(row.core0Busy * 100, 0)}%`,
    String(row.errors),
    `${row.disturbed}/${row.rounds}`,
  ];
}

function matrix(rows: readonly Row[]): string[][] {
  return rows.map(cellsOf);
}

/** The results table with absolute numbers and ratios to the floor, aligned for a terminal. */
export function textTable(rows: readonly Row[]): string {
  const body = matrix(rows);
  const widths = HEADERS.map((header, column) => Math.max(header.length, ...body.map((line) => line[column]!.length)));
  const render = (line: readonly string[]) =>
    line.map((cell, column) => (column < 2 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ');
  return [render(HEADERS), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(render)].join('\n');
}

/** The same table in Markdown, for docs/PERFORMANCE.md. */
export function markdownTable(rows: readonly Row[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  const align = HEADERS.map((_, column) => (column < 2 ? ':--' : '--:'));
  return [line(HEADERS), line(align), ...matrix(rows).map(line)].join('\n');
}

/** One line per target check: value, limit, PASS/FAIL. */
export function verdictLines(verdicts: readonly Verdict[]): string[] {
  return verdicts.map((verdict) => {
    const value = verdict.metric === 'time to first chunk' ? `${signed(verdict.value)} ms` : `${fixed(verdict.value, 2)}×`;
    const label = `${scenarioLabel(verdict.scenario)}: ${verdict.metric}`.padEnd(40);
    return `${label} ${value.padStart(10)}  (target ${verdict.limit})  ${verdict.pass ? 'PASS' : 'FAIL'}`;
  });
}

/** Whether core 0 (upstream + load generator) had room to spare: the precondition for fair ratios. */
export function headroomLines(rows: readonly Row[]): string[] {
  const lines: string[] = [];
  const direct = rows.find((r) => r.scenario === 'json-64' && r.target === 'direct');
  const floor = rows.find((r) => r.scenario === 'json-64' && r.target === 'floor');
  if (direct && floor) {
    const headroom = direct.throughput / floor.throughput;
    lines.push(`load generator headroom: direct non-stream c=64 does ${headroom.toFixed(2)}× the floor's throughput`);
    if (headroom < 1.2) lines.push('! direct is barely faster than the floor: the driver may be limiting the proxies');
  }
  const busiest = Math.max(...rows.filter((r) => r.target !== 'direct').map((r) => r.core0Busy));
  if (Number.isFinite(busiest)) {
    lines.push(`core 0 (upstream + load generator) at most ${(busiest * 100).toFixed(0)}% busy while a proxy was measured`);
    if (busiest > 0.9) lines.push('! core 0 is near saturation: the driver may be limiting the proxies');
  }
  return lines;
}

/** What the request log adds: p50 latency and CPU per request of `gateway` over `gateway-bare`, per scenario. */
export function loggingOverheadLines(rows: readonly Row[]): string[] {
  const lines: string[] = [];
  for (const scenario of SCENARIOS) {
    const logged = rows.find((r) => r.scenario === scenario.id && r.target === 'gateway');
    const bare = rows.find((r) => r.scenario === scenario.id && r.target === 'gateway-bare');
    if (!logged || !bare) continue;
    const p50 = logged.p50Ms - bare.p50Ms;
    const cpu = logged.cpuPerRequestUs - bare.cpuPerRequestUs;
    const verdict = p50 <= 0.1 ? 'PASS' : 'MISS';
    lines.push(`  ${scenario.label.padEnd(16)} p50 ${signed(p50)} ms (target ≤ +0.100: ${verdict}), CPU ${cpu >= 0 ? '+' : ''}${cpu.toFixed(1)} µs/req`);
  }
  return lines;
}

/** Issue 6's budget: a cache hit served in at most this p50 (in process, one connection). */
export const CACHE_HIT_P50_BUDGET_MS = 0.3;

/**
 * Cache hits (`gateway-cache`, where every request after the first is a hit): p50 as the client
 * sees it (streams: time to first chunk too), CPU per request, and the same against `gateway`
 * (which calls the upstream every time). Non-stream at one connection is judged against the budget.
 */
export function cacheHitLines(rows: readonly Row[]): string[] {
  const lines: string[] = [];
  for (const scenario of SCENARIOS) {
    const hit = rows.find((r) => r.scenario === scenario.id && r.target === 'gateway-cache');
    if (!hit) continue;
    const proxied = rows.find((r) => r.scenario === scenario.id && r.target === 'gateway');
    const verdict = !scenario.stream && scenario.connections === 1 ? ` (target ≤ ${CACHE_HIT_P50_BUDGET_MS.toFixed(3)}: ${hit.p50Ms <= CACHE_HIT_P50_BUDGET_MS ? 'PASS' : 'MISS'})` : '';
    const ttfc = scenario.stream ? `, TTFC p50 ${hit.ttfcP50Ms.toFixed(3)} ms` : '';
    const versus = proxied ? `; gateway ${proxied.p50Ms.toFixed(3)} ms, ${proxied.cpuPerRequestUs.toFixed(1)} µs/req, ${(hit.throughput / proxied.throughput).toFixed(2)}× its throughput` : '';
    lines.push(`  ${scenario.label.padEnd(16)} p50 ${hit.p50Ms.toFixed(3)} ms${verdict}${ttfc}, CPU ${hit.cpuPerRequestUs.toFixed(1)} µs/req${versus}`);
  }
  return lines;
}

/** Issue 7's budget: streaming throughput with PII scanning on is at least this share of it off. */
export const GUARDRAILS_STREAM_THROUGHPUT_FLOOR = 0.8;

/**
 * What PII scanning costs (`gateway-guardrails` against `gateway`) per scenario: throughput ratio
 * (judged for streams against the 80% floor), CPU per request and time to first chunk.
 */
export function guardrailsOverheadLines(rows: readonly Row[]): string[] {
  const lines: string[] = [];
  for (const scenario of SCENARIOS) {
    const guarded = rows.find((r) => r.scenario === scenario.id && r.target === 'gateway-guardrails');
    const plain = rows.find((r) => r.scenario === scenario.id && r.target === 'gateway');
    if (!guarded || !plain) continue;
    const ratio = guarded.throughput / plain.throughput;
    const verdict = scenario.stream ? ` (target ≥ ${GUARDRAILS_STREAM_THROUGHPUT_FLOOR}: ${ratio >= GUARDRAILS_STREAM_THROUGHPUT_FLOOR ? 'PASS' : 'MISS'})` : '';
    const ttfc = scenario.stream ? `, TTFC p50 ${guarded.ttfcP50Ms.toFixed(3)} ms vs ${plain.ttfcP50Ms.toFixed(3)}` : '';
    lines.push(`  ${scenario.label.padEnd(16)} throughput ${ratio.toFixed(2)}× gateway${verdict}, CPU ${guarded.cpuPerRequestUs.toFixed(1)} vs ${plain.cpuPerRequestUs.toFixed(1)} µs/req${ttfc}`);
  }
  return lines;
}

/** Median over rounds of `read(mine) − read(base)` for the same (round, scenario); NaN when no round has both. */
function pairedDelta(cells: readonly Cell[], scenario: string, mine: TargetName, base: TargetName, read: (cell: Cell) => number | undefined): number {
  const baseByRound = new Map(cells.filter((c) => c.scenario === scenario && c.target === base).map((c) => [c.round, c]));
  return median(
    cells
      .filter((c) => c.scenario === scenario && c.target === mine)
      .flatMap((c) => {
        const other = baseByRound.get(c.round);
        return other ? [(read(c) ?? Number.NaN) - (read(other) ?? Number.NaN)] : [];
      }),
  );
}

/** Issue 5's budget for auth + in-process limits at p50. */
export const AUTH_LIMITS_P50_BUDGET_MS = 0.1;

/**
 * What auth and limits add: `gateway-keys` and `gateway-keys-redis` against `gateway` per scenario,
 * as medians of same-round differences (p50 latency; for streams also time to first chunk, which
 * is what a stream's extra work delays; CPU per request) and of same-round throughput ratios. At
 * one connection the in-process target is judged against the 0.1 ms p50 budget (streams: on time
 * to first chunk); the Redis one is shown next to `redisRttMs` (a PING round trip from the
 * harness), as its budget is one round trip.
 */
export function authLimitsOverheadLines(cells: readonly Cell[], redisRttMs?: number): string[] {
  const lines: string[] = [];
  const present = (target: TargetName) => cells.some((c) => c.target === target);
  if (!present('gateway')) return lines;
  for (const target of ['gateway-keys', 'gateway-keys-redis'] as const) {
    if (!present(target)) continue;
    for (const scenario of SCENARIOS) {
      const p50 = pairedDelta(cells, scenario.id, target, 'gateway', (c) => c.load.latencyMs.p50);
      if (!Number.isFinite(p50)) continue;
      const ttfc = scenario.stream ? pairedDelta(cells, scenario.id, target, 'gateway', (c) => c.load.firstByteMs.p50) : Number.NaN;
      const cpu = pairedDelta(cells, scenario.id, target, 'gateway', (c) => c.proxyCpuPerRequestUs);
      const throughput = median(
        cells
          .filter((c) => c.scenario === scenario.id && c.target === target)
          .map((c) => {
            const base = cells.find((b) => b.scenario === scenario.id && b.target === 'gateway' && b.round === c.round);
            return base ? c.load.throughput / base.load.throughput : Number.NaN;
          }),
      );
      const redisCpu = median(cells.filter((c) => c.scenario === scenario.id && c.target === target).map((c) => c.redisCpuPerRequestUs ?? Number.NaN));
      const judged = scenario.stream ? ttfc : p50;
      let verdict = '';
      if (scenario.connections === 1 && target === 'gateway-keys') {
        verdict = ` (target ≤ +${AUTH_LIMITS_P50_BUDGET_MS.toFixed(3)}: ${judged <= AUTH_LIMITS_P50_BUDGET_MS ? 'PASS' : 'MISS'})`;
      } else if (scenario.connections === 1 && redisRttMs !== undefined && Number.isFinite(redisRttMs)) {
        verdict = ` (Redis PING round trip ${redisRttMs.toFixed(3)} ms)`;
      }
      const latency = scenario.stream ? `p50 ${signed(p50)} ms, TTFC p50 ${signed(ttfc)} ms${verdict}` : `p50 ${signed(p50)} ms${verdict}`;
      const redis = Number.isFinite(redisCpu) ? `, Redis ${redisCpu.toFixed(1)} µs/req` : '';
      lines.push(
        `  ${target.padEnd(18)} ${scenario.label.padEnd(16)} ${latency}, CPU ${cpu >= 0 ? '+' : ''}${fixed(cpu, 1)} µs/req${redis}, throughput ${fixed(throughput, 2)}×`,
      );
    }
  }
  return lines;
}

/**
 * `gateway` against `gateway-baseline` (another build, BENCH_BASELINE): medians of same-round CPU
 * differences and throughput ratios, so an A/B of two builds cancels the machine's drift.
 */
export function baselineLines(cells: readonly Cell[]): string[] {
  const lines: string[] = [];
  if (!cells.some((c) => c.target === 'gateway-baseline')) return lines;
  for (const scenario of SCENARIOS) {
    const cpu = pairedDelta(cells, scenario.id, 'gateway', 'gateway-baseline', (c) => c.proxyCpuPerRequestUs);
    if (!Number.isFinite(cpu)) continue;
    const throughput = median(
      cells
        .filter((c) => c.scenario === scenario.id && c.target === 'gateway')
        .map((c) => {
          const base = cells.find((b) => b.scenario === scenario.id && b.target === 'gateway-baseline' && b.round === c.round);
          return base ? c.load.throughput / base.load.throughput : Number.NaN;
        }),
    );
    const p50 = pairedDelta(cells, scenario.id, 'gateway', 'gateway-baseline', (c) => c.load.latencyMs.p50);
    const ttfc = scenario.stream ? `, TTFC p50 ${signed(pairedDelta(cells, scenario.id, 'gateway', 'gateway-baseline', (c) => c.load.firstByteMs.p50))} ms` : '';
    lines.push(`  ${scenario.label.padEnd(16)} CPU ${cpu >= 0 ? '+' : ''}${fixed(cpu, 1)} µs/req, throughput ${fixed(throughput, 2)}×, p50 ${signed(p50)} ms${ttfc}`);
  }
  return lines;
}
