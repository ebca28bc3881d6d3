import type { TargetPlan } from '../../config/plan.js';
import { admit, errorRate, newBreakerRecord, recordOutcome, type BreakerRecord, type BreakerSettings, type CircuitState } from './breaker.js';
import { setBounded } from '../bounded-map.js';

/** One target's health as /admin/providers shows it. */
export interface TargetHealth {
  state: CircuitState;
  /** Failure share over the breaker's window, 0..1. */
  errorRate: number;
  /** Calls counted in that window. */
  requests: number;
  /** When an open circuit lets a probe through again (ms since epoch). */
  retryAt?: number;
}

/**
 * Where circuit breaker state lives. The routing loop asks `admit` before each call and reports
 * every outcome with `record`; neither may hold a request up for long: `admit` answers from memory
 * (a shared store at most makes one round trip, to claim a half-open probe) and `record` is fire
 * and forget. Implementations: in process (below) and Redis (`redis-store.ts`) for several instances.
 */
export interface HealthStore {
  admit(target: TargetPlan, now?: number): boolean | Promise<boolean>;
  /** `ok: undefined` releases an admitted call without a verdict (the client left). */
  record(target: TargetPlan, ok: boolean | undefined, now?: number): void;
  health(target: TargetPlan, now?: number): TargetHealth | Promise<TargetHealth>;
  /** For /health/ready: where the state lives and whether that is reachable. */
  backend(): { kind: 'memory' } | { kind: 'redis'; connection: string };
  close(): Promise<void>;
}

/** Breaker state for this process only: right for one instance, and the fallback when Redis is not configured. */
export class MemoryHealthStore implements HealthStore {
  readonly #records = new Map<string, BreakerRecord>();
  readonly #settings: () => BreakerSettings;

  /** `settings` is read on every use, so a config reload changes thresholds without losing state. */
  constructor(settings: () => BreakerSettings) {
    this.#settings = settings;
  }

  admit(target: TargetPlan, now = Date.now()): boolean {
    const record = this.#records.get(target.key);
    return record === undefined || admit(record, this.#settings(), now);
  }

  record(target: TargetPlan, ok: boolean | undefined, now = Date.now()): void {
    let record = this.#records.get(target.key);
    if (ok === undefined) {
      if (record?.state === 'half_open') record.probeAt = 0; // let another probe through
      return;
    }
    if (!record) {
      record = newBreakerRecord();
      record.bucketStart = now;
      setBounded(this.#records, target.key, record);
    }
    recordOutcome(record, this.#settings(), ok, now);
  }

  health(target: TargetPlan, now = Date.now()): TargetHealth {
    const record = this.#records.get(target.key);
    if (!record) return { state: 'closed', errorRate: 0, requests: 0 };
    return describe(record, this.#settings(), now);
  }

  backend(): { kind: 'memory' } {
    return { kind: 'memory' };
  }

  async close(): Promise<void> {}
}

export function describe(record: BreakerRecord, settings: BreakerSettings, now: number): TargetHealth {
  const { rate, requests } = errorRate(record, settings, now);
  return {
    state: record.state,
    errorRate: rate,
    requests: Math.round(requests),
    ...(record.state === 'open' && { retryAt: record.openedAt + settings.cooldownMs }),
  };
}
