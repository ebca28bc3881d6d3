// Folds the per-round cells into medians per (scenario, target) and judges the gateway against
// the targets, always relative to the floor measured in the same run.
import { SCENARIOS, type Cell, type TargetName } from './scenarios.js';
import { median } from './stats.js';

export interface Row {
  scenario: string;
  target: TargetName;
  rounds: number;
  throughput: number;
  cpuPerRequestUs: number;
  p50Ms: number;
  p99Ms: number;
  /** Median over rounds of (this target's p50 − direct's p50 in the same round). */
  addedP50Ms: number;
  ttfcP50Ms: number;
  ttfcP99Ms: number;
  peakRssMb: number;
  core0Busy: number;
  errors: number;
  /** Cells measured while other processes took more than the allowed share of a bench core. */
  disturbed: number;
}

export interface Verdict {
  scenario: string;
  metric: 'throughput' | 'cpu per request' | 'time to first chunk';
  /** Ratio to the floor, or the difference in ms for time to first chunk. */
  value: number;
  limit: string;
  pass: boolean;
}

export const TARGETS = { throughputRatio: 0.8, cpuRatio: 1.25, ttfcExtraMs: 0.3 } as const;

/** Median row per (scenario, target) over every round that measured it. */
export function aggregate(cells: readonly Cell[], maxForeignLoad = 0.1): Row[] {
  const rows: Row[] = [];
  for (const scenario of SCENARIOS) {
    const direct = new Map(cells.filter((c) => c.scenario === scenario.id && c.target === 'direct').map((c) => [c.round, c]));
    for (const target of ['direct', 'floor', 'gateway'] as const) {
      const mine = cells.filter((c) => c.scenario === scenario.id && c.target === target);
      if (mine.length === 0) continue;
      const pick = (read: (cell: Cell) => number | undefined) => median(mine.map((c) => read(c) ?? Number.NaN));
      rows.push({
        scenario: scenario.id,
        target,
        rounds: mine.length,
        throughput: pick((c) => c.load.throughput),
        cpuPerRequestUs: pick((c) => c.proxyCpuPerRequestUs),
        p50Ms: pick((c) => c.load.latencyMs.p50),
        p99Ms: pick((c) => c.load.latencyMs.p99),
        addedP50Ms: pick((c) => {
          const base = direct.get(c.round);
          return base ? c.load.latencyMs.p50 - base.load.latencyMs.p50 : undefined;
        }),
        ttfcP50Ms: scenario.stream ? pick((c) => c.load.firstByteMs.p50) : Number.NaN,
        ttfcP99Ms: scenario.stream ? pick((c) => c.load.firstByteMs.p99) : Number.NaN,
        peakRssMb: Math.max(...mine.map((c) => c.peakRssMb ?? Number.NaN)),
        core0Busy: pick((c) => c.core0Busy),
        errors: mine.reduce((sum, c) => sum + c.load.errors, 0),
        disturbed: mine.filter((c) => (c.foreignLoad ?? 0) > maxForeignLoad).length,
      });
    }
  }
  return rows;
}

/** Gateway vs floor per scenario: throughput ≥ 0.8×, CPU/request ≤ 1.25×, TTFC ≤ floor + 0.3 ms. */
export function judge(rows: readonly Row[]): Verdict[] {
  const verdicts: Verdict[] = [];
  for (const scenario of SCENARIOS) {
    const floor = rows.find((r) => r.scenario === scenario.id && r.target === 'floor');
    const gateway = rows.find((r) => r.scenario === scenario.id && r.target === 'gateway');
    if (!floor || !gateway) continue;
    const throughput = gateway.throughput / floor.throughput;
    verdicts.push({
      scenario: scenario.id,
      metric: 'throughput',
      value: throughput,
      limit: `≥ ${TARGETS.throughputRatio}×`,
      pass: throughput >= TARGETS.throughputRatio && gateway.errors === 0,
    });
    const cpu = gateway.cpuPerRequestUs / floor.cpuPerRequestUs;
    verdicts.push({ scenario: scenario.id, metric: 'cpu per request', value: cpu, limit: `≤ ${TARGETS.cpuRatio}×`, pass: cpu <= TARGETS.cpuRatio });
    if (scenario.stream) {
      const extra = gateway.ttfcP50Ms - floor.ttfcP50Ms;
      verdicts.push({
        scenario: scenario.id,
        metric: 'time to first chunk',
        value: extra,
        limit: `≤ +${TARGETS.ttfcExtraMs} ms`,
        pass: extra <= TARGETS.ttfcExtraMs,
      });
    }
  }
  return verdicts;
}
