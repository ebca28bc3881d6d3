import type { RequestSignal } from '../upstream/abort.js';
import { GatewayError, toGatewayError } from '../errors/gateway-error.js';
import type { TargetPlan } from '../config/plan.js';
import type { AttemptRecord } from '../pipeline/context.js';

/** What the attempt loop needs of a request: its abort signal and where to record attempts. */
export interface AttemptState {
  readonly signal: RequestSignal;
  readonly attempts: AttemptRecord[];
  served?: TargetPlan;
}

/**
 * Calls `call` on each target in order until one succeeds. A target is left for the next on
 * retryable failures and when the provider rejects the gateway's own credentials; any other
 * error is the answer. Every call is recorded as an attempt.
 */
export async function attemptTargets<T>(
  state: AttemptState,
  targets: readonly TargetPlan[],
  call: (target: TargetPlan) => Promise<T>,
): Promise<T> {
  let lastError: GatewayError | undefined;
  for (const target of targets) {
    const attempt: AttemptRecord = { provider: target.provider.config.name, model: target.model, startedAt: performance.now() };
    state.attempts.push(attempt);
    state.served = target;
    try {
      const result = await call(target);
      attempt.durationMs = performance.now() - attempt.startedAt;
      return result;
    } catch (thrown) {
      const error = toGatewayError(thrown);
      attempt.durationMs = performance.now() - attempt.startedAt;
      attempt.error = error;
      attempt.status = error.upstreamStatus;
      lastError = error;
      if (state.signal.aborted || !fallsOver(error)) throw error;
    }
  }
  throw lastError ?? new GatewayError('model_not_found', 'the model has no usable target', { param: 'model' });
}

function fallsOver(error: GatewayError): boolean {
  return error.retryable || error.code === 'upstream_auth_failed';
}
