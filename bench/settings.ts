// The bench's knobs, read once from the environment (see the header of bench/run.ts).
import { ALL_TARGET_NAMES, SCENARIOS, TARGET_NAMES, type Scenario, type TargetName } from './scenarios.js';

export interface BenchSettings {
  /** Measured seconds per cell. */
  durationS: number;
  /** Unmeasured start of every cell (new connections, pools). */
  warmupS: number;
  /** Extra unmeasured run per (scenario, proxy) before round 1, so JIT and pools settle. */
  prewarmS: number;
  rounds: number;
  /** Gap between streamed events at the upstream. */
  streamGapMs: number;
  /** Niceness for every bench process (applied only where permitted); 0 = leave as is. */
  nice: number;
  /** A proxy cell is re-run when other processes used more than this share of its core. */
  maxForeignLoad: number;
  /** Re-runs allowed per cell when it was disturbed. */
  retries: number;
  /** Total seconds the run may spend waiting for quiet cores and re-running disturbed cells. */
  quietBudgetS: number;
  profile: boolean;
  /** The folder whose dist/cli/main.js the `gateway-baseline` target runs (BENCH_BASELINE). */
  baselineRoot: string | undefined;
  /** Redis of the `gateway-keys-redis` target (SWITCHYARD_BENCH_REDIS_URL). */
  redisUrl: string;
  scenarios: readonly Scenario[];
  targets: ReadonlySet<TargetName>;
}

function envNumber(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value)) throw new Error(`${name}: expected a number, got "${raw}"`);
  return value;
}

function envList(env: NodeJS.ProcessEnv, name: string, allowed: readonly string[]): string[] | undefined {
  const items = env[name]?.split(',').map((item) => item.trim()).filter(Boolean);
  if (!items?.length) return undefined;
  const unknown = items.filter((item) => !allowed.includes(item));
  if (unknown.length) throw new Error(`${name}: unknown ${unknown.join(', ')} (known: ${allowed.join(', ')})`);
  return items;
}

/** Reads BENCH_* variables; throws with the variable named on a bad value. */
export function readSettings(env: NodeJS.ProcessEnv = process.env): BenchSettings {
  const scenarioIds = envList(env, 'BENCH_SCENARIOS', SCENARIOS.map((s) => s.id));
  const targets = envList(env, 'BENCH_TARGETS', ALL_TARGET_NAMES) as TargetName[] | undefined;
  return {
    durationS: envNumber(env, 'BENCH_DURATION_S', 3),
    warmupS: envNumber(env, 'BENCH_WARMUP_S', 0.5),
    prewarmS: envNumber(env, 'BENCH_PREWARM_S', 2),
    rounds: envNumber(env, 'BENCH_ROUNDS', 3),
    streamGapMs: envNumber(env, 'BENCH_STREAM_GAP_MS', 1),
    nice: envNumber(env, 'BENCH_NICE', -10),
    maxForeignLoad: envNumber(env, 'BENCH_MAX_FOREIGN', 0.1),
    retries: envNumber(env, 'BENCH_RETRIES', 1),
    quietBudgetS: envNumber(env, 'BENCH_QUIET_BUDGET_S', 20),
    profile: env.BENCH_PROFILE === '1',
    baselineRoot: env.BENCH_BASELINE || undefined,
    redisUrl: env.SWITCHYARD_BENCH_REDIS_URL || 'redis://127.0.0.1:6379',
    scenarios: SCENARIOS.filter((s) => !scenarioIds || scenarioIds.includes(s.id)),
    // direct is always measured: added latency is relative to it.
    targets: new Set<TargetName>(['direct', ...(targets ?? TARGET_NAMES)]),
  };
}
