import type { AbortLink } from '../upstream/abort.js';
import { childLink, onAbort } from '../upstream/abort.js';
import { GatewayError, toGatewayError } from '../errors/gateway-error.js';
import type { TargetPlan } from '../config/plan.js';
import type { AttemptRecord } from '../pipeline/context.js';
import { retryDelayMs } from './backoff.js';
import { shouldFallOver, shouldRetry } from './failure-policy.js';
import type { TargetStatsBook } from './target-stats.js';
import type { HealthStore } from './health/store.js';
import type { Logger } from '../telemetry/logger.js';
import type { RequestTrace } from '../telemetry/tracing.js';

/** What the attempt loop needs of a request: its abort link and where to record attempts. */
export interface AttemptState {
  /** The request's link: the client leaving fires it, and so does the model's `timeout_ms`. */
  readonly signal: AbortLink;
  readonly attempts: AttemptRecord[];
  served?: TargetPlan;
  /** With tracing on: each call opens its CLIENT span here (undefined otherwise: one check per call). */
  trace?: RequestTrace | undefined;
}

export interface AttemptOptions {
  /** Where in-flight counts and latencies go (least-busy, least-latency). */
  book?: TargetStatsBook;
  /** Circuit breakers: targets whose circuit is open are skipped; every outcome is reported. */
  health?: HealthStore;
  /**
   * Keep the served target counted as in flight after the loop returns (streams: the answer is still
   * flowing); the caller then calls `book.ended(state.served)` when the answer is over.
   */
  holdServed?: boolean;
  random?: () => number;
}

/**
 * Calls `call` on each target in order until one succeeds. A failed call is retried on the same
 * target (up to its model's `retries`, with backoff) when its failure policy says so and the
 * wait fits the deadline; otherwise routing moves on to the next target when the policy allows
 * falling over, and gives up with the error when it does not. Every call is recorded as an attempt.
 *
 * The first target's model sets the deadline (`timeout_ms`): it bounds every call, retry and wait
 * until an answer is in hand; when it passes, the request's link fires with a 504.
 */
export function attemptTargets<T>(
  state: AttemptState,
  targets: readonly TargetPlan[],
  call: AttemptCall<T>,
  options: AttemptOptions = {},
): Promise<T> {
  const timeoutMs = targets[0]?.modelPlan.timeoutMs;
  // No deadline: no extra async frame on the hot path.
  if (timeoutMs === undefined) return attemptInOrder(state, targets, call, options, undefined);
  return withDeadline(state.signal, targets[0]!.modelPlan.name, timeoutMs, (deadlineAt) =>
    attemptInOrder(state, targets, call, options, deadlineAt),
  );
}

async function withDeadline<T>(signal: AbortLink, modelName: string, timeoutMs: number, run: (deadlineAt: number) => Promise<T>): Promise<T> {
  const deadline = startDeadline(signal, modelName, timeoutMs);
  try {
    return await run(deadline.at);
  } finally {
    deadline.clear();
  }
}

async function attemptInOrder<T>(
  state: AttemptState,
  targets: readonly TargetPlan[],
  call: AttemptCall<T>,
  options: AttemptOptions,
  deadlineAt: number | undefined,
): Promise<T> {
  const { health } = options;
  let lastError: GatewayError | undefined;
  let skipped: TargetPlan | undefined;
  // After a context-length failure: the window that was too small, when the config names it.
  let tooSmallWindow: number | undefined;
  for (let index = 0; index < targets.length; index++) {
    const target = targets[index]!;
    const { failurePolicy, retries, hedgeAfterMs } = target.modelPlan;
    if (tooSmallWindow !== undefined && target.contextWindow !== undefined && target.contextWindow <= tooSmallWindow) continue;
    for (let retry = 0; ; retry++) {
      if (health) {
        // Answered from memory (sync) except when claiming a shared half-open probe: no await then.
        const verdict = health.admit(target);
        if (verdict !== true && !(verdict !== false && (await verdict))) {
          skipped ??= target;
          break; // circuit open: no call, no attempt; the next target
        }
      }
      let error: GatewayError;
      let partnerTried = false;
      const partner = retry === 0 && hedgeAfterMs !== undefined ? targets[index + 1] : undefined;
      if (partner) {
        const outcome = await hedged(state, target, partner, hedgeAfterMs!, call, options);
        if (outcome.ok) return outcome.value;
        error = outcome.error;
        partnerTried = outcome.partnerTried === true;
        if (partnerTried) index++; // the partner had its turn
      } else {
        // The common path: no outcome object, no extra async frame.
        try {
          return await runAttempt(state, target, state.signal, call, options);
        } catch (thrown) {
          error = toGatewayError(thrown);
        }
      }
      lastError = error;
      if (state.signal.aborted) throw deadlineOrClientError(state.signal, error);
      if (!partnerTried && retry < retries && shouldRetry(failurePolicy, error)) {
        const waitMs = retryDelayMs(retry, error.retryAfterS, options.random);
        const fits = waitMs !== undefined && (deadlineAt === undefined || performance.now() + waitMs < deadlineAt);
        if (fits) {
          await sleepUnlessAborted(waitMs, state.signal);
          if (state.signal.aborted) throw deadlineOrClientError(state.signal, error);
          continue;
        }
      }
      if (!shouldFallOver(failurePolicy, error)) throw error;
      if (error.code === 'context_length_exceeded' && target.contextWindow !== undefined) {
        tooSmallWindow = Math.max(tooSmallWindow ?? 0, target.contextWindow);
      }
      break;
    }
  }
  if (lastError) throw lastError;
  if (skipped) throw await circuitOpenError(skipped, health!);
  throw new GatewayError('model_not_found', 'the model has no usable target', { param: 'model' });
}

/**
 * One upstream call; `signal` is what aborts this call (the request's link, or a hedge's own).
 * `attempt` is its record; with tracing on, its `traceHeaders` go upstream with the call.
 */
export type AttemptCall<T> = (target: TargetPlan, signal: AbortLink, attempt: AttemptRecord) => Promise<T>;

type Outcome<T> = { ok: true; value: T; partnerTried?: boolean } | { ok: false; error: GatewayError; partnerTried?: boolean };

async function settle<T>(pending: Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await pending };
  } catch (error) {
    return { ok: false, error: toGatewayError(error) };
  }
}

/** Makes one call and records it: the attempt, in-flight and latency stats, the breaker outcome. */
async function runAttempt<T>(state: AttemptState, target: TargetPlan, signal: AbortLink, call: AttemptCall<T>, options: AttemptOptions): Promise<T> {
  const { book, health } = options;
  const attempt: AttemptRecord = { provider: target.provider.config.name, model: target.model, startedAt: performance.now() };
  state.attempts.push(attempt);
  if (state.trace !== undefined) state.trace.startAttempt(attempt, target);
  state.served = target;
  book?.started(target);
  try {
    const result = await call(target, signal, attempt);
    attempt.durationMs = performance.now() - attempt.startedAt;
    if (state.trace !== undefined) state.trace.attemptSettled(attempt);
    book?.succeeded(target, attempt.durationMs);
    health?.record(target, true);
    if (!options.holdServed) book?.ended(target);
    return result;
  } catch (thrown) {
    const error = toGatewayError(thrown);
    attempt.durationMs = performance.now() - attempt.startedAt;
    attempt.error = error;
    attempt.status = error.upstreamStatus;
    if (state.trace !== undefined) state.trace.attemptSettled(attempt);
    book?.ended(target);
    if (health) {
      const against = countsAgainstTarget(error, signal);
      health.record(target, against === undefined ? undefined : !against);
    }
    throw error;
  }
}

/**
 * Hedging: call `target`; if it has not answered after `afterMs`, call `partner` too. The first
 * answer wins and the other call is aborted; both count as attempts. If the first call fails
 * before the hedge starts, that failure is returned as usual (retries and falling over apply).
 */
async function hedged<T>(
  state: AttemptState,
  target: TargetPlan,
  partner: TargetPlan,
  afterMs: number,
  call: AttemptCall<T>,
  options: AttemptOptions,
): Promise<Outcome<T>> {
  const firstLink = childLink(state.signal);
  const first = settle(runAttempt(state, target, firstLink, call, options));
  let timer: NodeJS.Timeout | undefined;
  const hedgeDue = new Promise<'hedge'>((resolve) => (timer = setTimeout(() => resolve('hedge'), afterMs)));
  const early = await Promise.race([first, hedgeDue]);
  clearTimeout(timer);
  if (early !== 'hedge') return early;
  if (options.health && !(await options.health.admit(partner))) return first;

  const secondLink = childLink(state.signal);
  const second = settle(runAttempt(state, partner, secondLink, call, options));
  // Resolves with the first success, or undefined once both calls failed.
  type Winner = { outcome: Outcome<T>; loser: { link: AbortLink; target: TargetPlan; outcome: Promise<Outcome<T>> }; target: TargetPlan };
  const winner = await new Promise<Winner | undefined>((resolve) => {
    let failed = 0;
    const settled = (outcome: Outcome<T>, loser: Winner['loser'], of: TargetPlan): void => {
      if (outcome.ok) resolve({ outcome, loser, target: of });
      else if (++failed === 2) resolve(undefined);
    };
    void first.then((outcome) => settled(outcome, { link: secondLink, target: partner, outcome: second }, target));
    void second.then((outcome) => settled(outcome, { link: firstLink, target, outcome: first }, partner));
  });
  if (!winner) return { ...(await second), partnerTried: true };
  winner.loser.link.abort(new GatewayError('hedge_lost', `${winner.loser.target.provider.config.name}: lost a hedged race (another target answered first)`, { retryable: false }));
  // A loser that had answered too is still counted in flight when the caller holds the served target.
  if (options.holdServed && options.book) {
    const { book } = options;
    void winner.loser.outcome.then((outcome) => outcome.ok && book.ended(winner.loser.target));
  }
  state.served = winner.target;
  return { ...winner.outcome, partnerTried: true };
}

/**
 * Whether a failure says the target is unhealthy: transport failures, timeouts, 429/5xx and a
 * refused key do; errors in the request itself (400, 404, 422, context length, content filter)
 * do not. A call cut short by the client leaving says nothing (undefined).
 */
function countsAgainstTarget(error: GatewayError, signal: AbortLink): boolean | undefined {
  if (signal.aborted && !(signal.reason instanceof GatewayError && signal.reason.code === 'upstream_timeout')) return undefined;
  return error.retryable || error.firstTokenTimeout || error.code === 'upstream_auth_failed' || error.code === 'upstream_timeout';
}

/** Every target was skipped: 503 with a retry-after for when the first circuit lets a probe through. */
async function circuitOpenError(target: TargetPlan, health: HealthStore): Promise<GatewayError> {
  const { retryAt } = await health.health(target);
  const retryAfterS = retryAt === undefined ? undefined : Math.max(1, Math.ceil((retryAt - Date.now()) / 1000));
  return new GatewayError(
    'service_unavailable',
    `model "${target.modelPlan.name}": every target is unavailable (circuit open after repeated failures)`,
    { ...(retryAfterS !== undefined && { retryAfterS }) },
  );
}

/** After the link fired: the deadline's 504 (or the client's disconnect) explains the failure best. */
function deadlineOrClientError(signal: AbortLink, error: GatewayError): GatewayError {
  return signal.reason instanceof GatewayError ? signal.reason : error;
}

function startDeadline(signal: AbortLink, modelName: string, timeoutMs: number): { at: number; clear: () => void } {
  const timer = setTimeout(() => {
    signal.abort(
      new GatewayError('upstream_timeout', `model "${modelName}": no answer within timeout_ms (${timeoutMs} ms), retries included`, {
        retryable: false,
      }),
    );
  }, timeoutMs);
  timer.unref();
  return { at: performance.now() + timeoutMs, clear: () => clearTimeout(timer) };
}

function sleepUnlessAborted(ms: number, signal: AbortLink): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      stop();
      resolve();
    };
    const timer = setTimeout(done, ms);
    const stop = onAbort(signal, done);
  });
}

/**
 * Logs a request's upstream calls when any of them failed (retries, fallbacks, a hedge's loser):
 * one line with every attempt and its error, so an operator sees why a request took the path it
 * did. Requests whose single call succeeded log nothing here.
 */
export function logFailedAttempts(logger: Logger, requestId: string, model: string, attempts: readonly AttemptRecord[]): void {
  if (!attempts.some((attempt) => attempt.error !== undefined)) return;
  logger.warn(
    {
      requestId,
      model,
      attempts: attempts.map((attempt) => ({
        provider: attempt.provider,
        model: attempt.model,
        ms: attempt.durationMs === undefined ? undefined : Math.round(attempt.durationMs),
        ...(attempt.status !== undefined && { status: attempt.status }),
        ...(attempt.error && { error: attempt.error.code, message: attempt.error.message }),
      })),
    },
    'upstream attempts failed',
  );
}
