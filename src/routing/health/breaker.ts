/**
 * The circuit breaker of one target as a pure state machine over a plain record, so the
 * in-process store and a shared (Redis) store apply exactly the same rules.
 *
 * closed ──(N consecutive failures, or error rate ≥ R over the window with ≥ M calls)──▶ open
 * open ──(cooldown elapsed: one probe admitted)──▶ half_open
 * half_open ──(probe succeeded)──▶ closed      half_open ──(probe failed)──▶ open (cooldown again)
 * Outcomes that arrive while open (calls already in flight) are counted but change nothing.
 */

export type CircuitState = 'closed' | 'open' | 'half_open';

export interface BreakerSettings {
  /** Consecutive failures that open the circuit. */
  consecutiveFailures: number;
  /** Failure share over the window that opens it (with at least `minRequests` calls). */
  errorRate: number;
  windowMs: number;
  minRequests: number;
  /** How long an open circuit refuses traffic before one probe is let through. */
  cooldownMs: number;
}

export const DEFAULT_BREAKER: BreakerSettings = {
  consecutiveFailures: 5,
  errorRate: 0.5,
  windowMs: 60_000,
  minRequests: 10,
  cooldownMs: 30_000,
};

export interface BreakerRecord {
  state: CircuitState;
  /** When the circuit last opened (ms since epoch); 0 when never. */
  openedAt: number;
  /** When the half-open probe was let through; 0 when none is out. */
  probeAt: number;
  consecutiveFailures: number;
  /** Sliding window counter: the current bucket and the one before it. */
  bucketStart: number;
  requests: number;
  failures: number;
  previousRequests: number;
  previousFailures: number;
}

export function newBreakerRecord(): BreakerRecord {
  return { state: 'closed', openedAt: 0, probeAt: 0, consecutiveFailures: 0, bucketStart: 0, requests: 0, failures: 0, previousRequests: 0, previousFailures: 0 };
}

/**
 * May a call go to this target now? Closed: yes. Open: no, until the cooldown has passed; then
 * the circuit goes half-open and exactly this call is the probe. Half-open: no while the probe is
 * out (a probe that never reported back is replaced after another cooldown). Mutates `record`.
 */
export function admit(record: BreakerRecord, settings: BreakerSettings, now: number): boolean {
  if (record.state === 'closed') return true;
  if (record.state === 'open') {
    if (now - record.openedAt < settings.cooldownMs) return false;
    record.state = 'half_open';
    record.probeAt = now;
    return true;
  }
  if (record.probeAt !== 0 && now - record.probeAt < settings.cooldownMs) return false;
  record.probeAt = now;
  return true;
}

/** Applies one call's outcome. Returns true when the state changed. Mutates `record`. */
export function recordOutcome(record: BreakerRecord, settings: BreakerSettings, ok: boolean, now: number): boolean {
  const before = record.state;
  rollWindow(record, settings, now);
  record.requests++;
  if (ok) {
    record.consecutiveFailures = 0;
    // Only the probe decides: a success from a call that was in flight when the circuit opened
    // (or another instance's) must not close it again at once.
    if (record.state === 'half_open') close(record);
  } else {
    record.failures++;
    record.consecutiveFailures++;
    if (record.state === 'half_open' || (record.state === 'closed' && shouldOpen(record, settings, now))) open(record, now);
  }
  return record.state !== before;
}

/** Failure share over the sliding window (the previous bucket weighted by how much of it still overlaps). */
export function errorRate(record: BreakerRecord, settings: BreakerSettings, now: number): { rate: number; requests: number } {
  const { requests, failures } = windowCounts(record, settings, now);
  return { rate: requests === 0 ? 0 : failures / requests, requests };
}

function shouldOpen(record: BreakerRecord, settings: BreakerSettings, now: number): boolean {
  if (record.consecutiveFailures >= settings.consecutiveFailures) return true;
  const { requests, failures } = windowCounts(record, settings, now);
  return requests >= settings.minRequests && failures / requests >= settings.errorRate;
}

function windowCounts(record: BreakerRecord, settings: BreakerSettings, now: number): { requests: number; failures: number } {
  const age = now - record.bucketStart;
  if (age >= 2 * settings.windowMs) return { requests: 0, failures: 0 };
  if (age >= settings.windowMs) {
    const weight = 1 - (age - settings.windowMs) / settings.windowMs;
    return { requests: record.requests * weight, failures: record.failures * weight };
  }
  const weight = 1 - age / settings.windowMs;
  return {
    requests: record.requests + record.previousRequests * weight,
    failures: record.failures + record.previousFailures * weight,
  };
}

function rollWindow(record: BreakerRecord, settings: BreakerSettings, now: number): void {
  const age = now - record.bucketStart;
  if (age < settings.windowMs) return;
  const adjacent = age < 2 * settings.windowMs;
  record.previousRequests = adjacent ? record.requests : 0;
  record.previousFailures = adjacent ? record.failures : 0;
  record.requests = 0;
  record.failures = 0;
  record.bucketStart = now - (age % settings.windowMs);
}

function open(record: BreakerRecord, now: number): void {
  record.state = 'open';
  record.openedAt = now;
  record.probeAt = 0;
}

function close(record: BreakerRecord): void {
  record.state = 'closed';
  record.probeAt = 0;
  record.consecutiveFailures = 0;
  // A recovered target starts with a clean slate, or old failures would reopen it at once.
  record.requests = 0;
  record.failures = 0;
  record.previousRequests = 0;
  record.previousFailures = 0;
}
