// What the bench measures: the scenarios, the targets, and the shape of one measured cell.
import type { LoadgenResult } from './loadgen.js';

export type TargetName = 'direct' | 'floor' | 'gateway' | 'gateway-bare' | 'gateway-keys' | 'gateway-keys-redis' | 'gateway-cache' | 'gateway-guardrails' | 'gateway-baseline';
/** Measured by default. */
export const TARGET_NAMES: readonly TargetName[] = ['direct', 'floor', 'gateway'];
/**
 * Every target BENCH_TARGETS may name. `gateway-bare` is the gateway with the request log off
 * (storage in memory): run beside `gateway` to measure what logging adds. `gateway-keys` is
 * `gateway` with a master key and one virtual key with (huge) rpm / tpm / concurrency limits and a
 * monthly budget, plus an rpm limit on the model; the load generator sends that key. Run beside
 * `gateway` to measure what auth and limits add. `gateway-keys-redis` is the same with the limits
 * in Redis (`SWITCHYARD_BENCH_REDIS_URL`, default redis://127.0.0.1:6379). `gateway-cache` is `gateway` with
 * `cache: { mode: exact }`: every bench request is the same, so all but the first are cache hits.
 */
export const ALL_TARGET_NAMES: readonly TargetName[] = [...TARGET_NAMES, 'gateway-bare', 'gateway-keys', 'gateway-keys-redis', 'gateway-cache', 'gateway-guardrails', 'gateway-baseline'];

export interface Scenario {
  id: string;
  label: string;
  stream: boolean;
  connections: number;
}

export const SCENARIOS: readonly Scenario[] = [
  { id: 'json-1', label: 'non-stream c=1', stream: false, connections: 1 },
  { id: 'json-64', label: 'non-stream c=64', stream: false, connections: 64 },
  { id: 'stream-1', label: 'stream c=1', stream: true, connections: 1 },
  { id: 'stream-64', label: 'stream c=64', stream: true, connections: 64 },
];

/** The request body every target receives, as the issue fixes it. */
export function requestBody(stream: boolean): string {
  return JSON.stringify({ model: 'bench-model', messages: [{ role: 'user', content: 'Say hello' }], stream });
}

/** One (round, scenario, target) measurement. */
export interface Cell {
  round: number;
  scenario: string;
  target: TargetName;
  load: LoadgenResult;
  /** CPU of the proxy under test per completed request, µs (absent for direct). */
  proxyCpuPerRequestUs?: number;
  /** Share of that CPU spent on the proxy's main (JS) thread; the rest is GC helpers and other threads. */
  proxyMainThreadShare?: number;
  /** CPU of the local Redis server per completed request, µs (gateway-keys-redis, when Redis runs on this machine). */
  redisCpuPerRequestUs?: number;
  /** Peak RSS of the proxy during the cell, MiB (absent for direct). */
  peakRssMb?: number;
  /** Share of core 0 used by upstream + load generator in the window (1 = saturated). */
  core0Busy: number;
  /**
   * Highest share of a core this cell used (driver core; proxy core for proxies) taken by anything
   * else: other processes on the machine, kernel work. High values mean a disturbed measurement.
   */
  foreignLoad?: number;
  /** Runs it took to get an undisturbed measurement (1 = first try). */
  attempts?: number;
}

/** The cores a cell's processes are pinned to (absent when unpinned). */
export interface CellCores {
  driver?: number;
  proxy?: number;
}

/** Derives the per-cell numbers from a load generator result. */
export function toCell(
  round: number,
  scenario: Scenario,
  target: TargetName,
  load: LoadgenResult,
  peakRssMb: number | undefined,
  cores: CellCores = {},
): Cell {
  const windowMs = load.elapsedS * 1000;
  const core0Ms = (load.cpuMs.upstream ?? 0) + (load.cpuMs.loadgen ?? 0);
  const cell: Cell = { round, scenario: scenario.id, target, load, core0Busy: core0Ms / windowMs };
  if (load.cpuMs.proxy !== undefined && load.completed > 0) {
    cell.proxyCpuPerRequestUs = (load.cpuMs.proxy * 1000) / load.completed;
    const mainThread = load.cpuMs.proxyMainThread;
    if (mainThread !== undefined && load.cpuMs.proxy > 0) cell.proxyMainThreadShare = mainThread / load.cpuMs.proxy;
  }
  // A local Redis serving the target's limits is part of what is measured, not foreign load; it is
  // not pinned, so its CPU is discounted on whichever bench core is checked.
  const redisMs = load.cpuMs.redis;
  if (redisMs !== undefined && Number.isFinite(redisMs) && load.completed > 0) cell.redisCpuPerRequestUs = (redisMs * 1000) / load.completed;
  if (peakRssMb !== undefined) cell.peakRssMb = peakRssMb;
  const ownRedisMs = redisMs !== undefined && Number.isFinite(redisMs) ? redisMs : 0;
  const foreign = (core: number | undefined, ownMs: number) => {
    const busy = core === undefined ? undefined : load.coreBusyMs[core];
    return busy === undefined ? 0 : Math.max(0, busy - ownMs - ownRedisMs) / windowMs;
  };
  if (cores.driver !== undefined || cores.proxy !== undefined) {
    const proxyForeign = load.cpuMs.proxy === undefined ? 0 : foreign(cores.proxy, load.cpuMs.proxy);
    cell.foreignLoad = Math.max(foreign(cores.driver, core0Ms), proxyForeign);
  }
  return cell;
}
