import type { AbortLink } from '../upstream/abort.js';
import { onAbort } from '../upstream/abort.js';
import { GatewayError, toGatewayError } from '../errors/gateway-error.js';
import type { TargetPlan } from '../config/plan.js';
import type { AttemptRecord } from '../pipeline/context.js';
import { retryDelayMs } from './backoff.js';
import { shouldFallOver, shouldRetry } from './failure-policy.js';
import type { TargetStatsBook } from './target-stats.js';

/** What the attempt loop needs of a request: its abort link and where to record attempts. */
export interface AttemptState {
  /** The request's link: the client leaving fires it, and so does the model's `timeout_ms`. */
  readonly signal: AbortLink;
  readonly attempts: AttemptRecord[];
  served?: TargetPlan;
}

export interface AttemptOptions {
  /** Where in-flight counts and latencies go (least-busy, least-latency). */
  book?: TargetStatsBook;
  /**
   * Keep the served target counted as in flight until the returned function is called (streams:
   * the answer is still flowing when the loop returns). Otherwise it is released at once.
   */
  holdServed?: (release: () => void) => void;
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
export async function attemptTargets<T>(
  state: AttemptState,
  targets: readonly TargetPlan[],
  call: (target: TargetPlan) => Promise<T>,
  options: AttemptOptions = {},
): Promise<T> {
  const timeoutMs = targets[0]?.modelPlan.timeoutMs;
  const deadline = timeoutMs === undefined ? undefined : startDeadline(state.signal, targets[0]!.modelPlan.name, timeoutMs);
  try {
    return await attemptInOrder(state, targets, call, options, deadline?.at);
  } finally {
    deadline?.clear();
  }
}

async function attemptInOrder<T>(
  state: AttemptState,
  targets: readonly TargetPlan[],
  call: (target: TargetPlan) => Promise<T>,
  options: AttemptOptions,
  deadlineAt: number | undefined,
): Promise<T> {
  const { book } = options;
  let lastError: GatewayError | undefined;
  for (const target of targets) {
    const { failurePolicy, retries } = target.modelPlan;
    for (let retry = 0; ; retry++) {
      const attempt: AttemptRecord = { provider: target.provider.config.name, model: target.model, startedAt: performance.now() };
      state.attempts.push(attempt);
      state.served = target;
      book?.started(target);
      try {
        const result = await call(target);
        attempt.durationMs = performance.now() - attempt.startedAt;
        book?.succeeded(target, attempt.durationMs);
        if (book && options.holdServed) options.holdServed(() => book.ended(target));
        else book?.ended(target);
        return result;
      } catch (thrown) {
        const error = toGatewayError(thrown);
        attempt.durationMs = performance.now() - attempt.startedAt;
        attempt.error = error;
        attempt.status = error.upstreamStatus;
        book?.ended(target);
        lastError = error;
        if (state.signal.aborted) throw deadlineOrClientError(state.signal, error);
        if (retry < retries && shouldRetry(failurePolicy, error)) {
          const waitMs = retryDelayMs(retry, error.retryAfterS, options.random);
          const fits = waitMs !== undefined && (deadlineAt === undefined || performance.now() + waitMs < deadlineAt);
          if (fits) {
            await sleepUnlessAborted(waitMs, state.signal);
            if (state.signal.aborted) throw deadlineOrClientError(state.signal, error);
            continue;
          }
        }
        if (!shouldFallOver(failurePolicy, error)) throw error;
        break;
      }
    }
  }
  throw lastError ?? new GatewayError('model_not_found', 'the model has no usable target', { param: 'model' });
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
