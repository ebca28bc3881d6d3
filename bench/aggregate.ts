// Folds the per-round cells into medians per (scenario, target) and judges the gateway against
// the targets. Comparisons are paired: each round's cell is compared with the floor's
// (or direct's) cell of the same round, then the median is taken, so slow drift of the machine
// over the run cancels out.
import { ALL_TARGET_NAMES, SCENARIOS, type Cell, type TargetName } from './scenarios.js';
import { median } from './stats.js';

/** This target relative to the floor: medians of same-round ratios (TTFC: of differences, ms). */
export interface VersusFloor {
  throughput: number;
  cpuPerRequest: number;
  addedP50: number;
  ttfcP50DeltaMs: number;
  peakRss: number;
}

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
  vsFloor: VersusFloor;
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

// Added latency is only compared when the floor adds a measurable amount; dividing by ~0 says nothing.
const MIN_FLOOR_ADDED_MS = 0.05;

const addedOver = (cell: Cell, direct: Cell | undefined) =>
  direct ? cell.load.latencyMs.p50 - direct.load.latencyMs.p50 : Number.NaN;

function versusFloor(mine: readonly Cell[], floor: Map<number, Cell>, direct: Map<number, Cell>, stream: boolean): VersusFloor {
  const paired = <T>(read: (cell: Cell, base: Cell) => T) =>
    mine.flatMap((cell) => {
      const base = floor.get(cell.round);
      return base ? [read(cell, base)] : [];
    });
  const ratio = (read: (cell: Cell) => number | undefined) =>
    median(paired((cell, base) => (read(cell) ?? Number.NaN) / (read(base) ?? Number.NaN)));
  return {
    throughput: ratio((c) => c.load.throughput),
    cpuPerRequest: ratio((c) => c.proxyCpuPerRequestUs),
    addedP50: median(
      paired((cell, base) => {
        const floorAdded = addedOver(base, direct.get(cell.round));
        return floorAdded >= MIN_FLOOR_ADDED_MS ? addedOver(cell, direct.get(cell.round)) / floorAdded : Number.NaN;
      }),
    ),
    ttfcP50DeltaMs: stream ? median(paired((cell, base) => cell.load.firstByteMs.p50 - base.load.firstByteMs.p50)) : Number.NaN,
    peakRss: ratio((c) => c.peakRssMb),
  };
}

/** Median row per (scenario, target) over every round that measured it. */
export function aggregate(cells: readonly Cell[], maxForeignLoad = 0.1): Row[] {
  const rows: Row[] = [];
  for (const scenario of SCENARIOS) {
    const ofTarget = (target: TargetName) => cells.filter((c) => c.scenario === scenario.id && c.target === target);
    const byRound = (target: TargetName) => new Map(ofTarget(target).map((c) => [c.round, c]));
    const direct = byRound('direct');
    const floor = byRound('floor');
    for (const target of ALL_TARGET_NAMES) {
      const mine = ofTarget(target);
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
        addedP50Ms: pick((c) => addedOver(c, direct.get(c.round))),
        ttfcP50Ms: scenario.stream ? pick((c) => c.load.firstByteMs.p50) : Number.NaN,
        ttfcP99Ms: scenario.stream ? pick((c) => c.load.firstByteMs.p99) : Number.NaN,
        peakRssMb: Math.max(...mine.map((c) => c.peakRssMb ?? Number.NaN)),
        core0Busy: pick((c) => c.core0Busy),
        errors: mine.reduce((sum, c) => sum + c.load.errors, 0),
        disturbed: mine.filter((c) => (c.foreignLoad ?? 0) > maxForeignLoad).length,
        vsFloor: versusFloor(mine, floor, direct, scenario.stream),
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
    const { throughput, cpuPerRequest, ttfcP50DeltaMs } = gateway.vsFloor;
    verdicts.push({
      scenario: scenario.id,
      metric: 'throughput',
      value: throughput,
      limit: `≥ ${TARGETS.throughputRatio}×`,
      pass: throughput >= TARGETS.throughputRatio && gateway.errors === 0,
    });
    verdicts.push({
      scenario: scenario.id,
      metric: 'cpu per request',
      value: cpuPerRequest,
      limit: `≤ ${TARGETS.cpuRatio}×`,
      pass: cpuPerRequest <= TARGETS.cpuRatio,
    });
    if (scenario.stream) {
      verdicts.push({
        scenario: scenario.id,
        metric: 'time to first chunk',
        value: ttfcP50DeltaMs,
        limit: `≤ +${TARGETS.ttfcExtraMs} ms`,
        pass: ttfcP50DeltaMs <= TARGETS.ttfcExtraMs,
      });
    }
  }
  return verdicts;
}
