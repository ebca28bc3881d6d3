import type { TargetPlan } from '../config/plan.js';
import { setBounded } from './bounded-map.js';

/** What routing knows of one target right now, in this process. */
export interface TargetStats {
  /** Upstream calls to it still running (streams count until they end). */
  inFlight: number;
  /** Moving average of its answer time (time to first byte for streams), ms; undefined before any. */
  latencyMs: number | undefined;
  /** Successful calls measured so far. */
  samples: number;
}

/** Weight of the newest sample in the moving average: recent behaviour dominates within ~10 calls. */
const LATENCY_ALPHA = 0.2;

/**
 * Per-target counters for the load- and latency-aware strategies. In process on purpose: in-flight
 * counts and latencies are about this instance's own traffic and change on every request, so a
 * shared store would add a round trip per request for numbers each instance can measure itself.
 * (Health, which must be shared, lives behind its own interface.) Keyed by `TargetPlan.key` (the
 * deployment: provider and upstream model), so numbers survive config reloads for targets that stay.
 */
export class TargetStatsBook {
  readonly #stats = new Map<string, TargetStats>();
  readonly #turns = new Map<string, number>();

  get(target: TargetPlan): TargetStats {
    let stats = this.#stats.get(target.key);
    if (!stats) {
      stats = { inFlight: 0, latencyMs: undefined, samples: 0 };
      setBounded(this.#stats, target.key, stats);
    }
    return stats;
  }

  started(target: TargetPlan): void {
    this.get(target).inFlight++;
  }

  /** A call answered after `latencyMs` (failures say nothing about speed). */
  succeeded(target: TargetPlan, latencyMs: number): void {
    const stats = this.get(target);
    stats.latencyMs = stats.latencyMs === undefined ? latencyMs : stats.latencyMs + LATENCY_ALPHA * (latencyMs - stats.latencyMs);
    stats.samples++;
  }

  /** A call is no longer in flight (failed, or its answer fully delivered). */
  ended(target: TargetPlan): void {
    const stats = this.get(target);
    if (stats.inFlight > 0) stats.inFlight--;
  }

  /** 0, 1, 2, ... per model name: round-robin position. */
  nextTurn(modelName: string): number {
    const turn = this.#turns.get(modelName) ?? 0;
    this.#turns.set(modelName, turn + 1 >= Number.MAX_SAFE_INTEGER ? 0 : turn + 1);
    return turn;
  }
}
