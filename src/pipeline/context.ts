import type { IncomingHttpHeaders } from 'node:http';
import type { ChatRequest, Usage } from '../ir/chat.js';
import type { Plan, TargetPlan } from '../config/plan.js';
import type { ClientDialect } from '../dialects/types.js';
import type { GatewayError } from '../errors/gateway-error.js';

/** One upstream call made for a request, for headers now and the request log later. */
export interface AttemptRecord {
  provider: string;
  model: string;
  startedAt: number;
  durationMs?: number;
  status?: number;
  error?: GatewayError;
}

/**
 * Everything one request carries through the pipeline. Policies read and annotate it; the
 * executor fills in what happened upstream. It pins the Plan the request started with.
 */
export interface RequestContext {
  readonly id: string;
  /** performance.now() at arrival. */
  readonly startedAt: number;
  readonly plan: Plan;
  readonly dialect: ClientDialect;
  readonly clientHeaders: IncomingHttpHeaders;
  /** Aborted when the client disconnects: every upstream call listens to it. */
  readonly signal: AbortSignal;
  /** The parsed client body and its IR. */
  readonly body: Record<string, unknown>;
  readonly rawBody: Buffer;
  request: ChatRequest;
  /** Headers every answer for this request carries (request id, provider, model, attempts...). */
  readonly responseHeaders: Record<string, string>;
  readonly attempts: AttemptRecord[];
  /** The target that produced the answer. */
  served?: TargetPlan;
  usage?: Usage;
  /** performance.now() when the first upstream body byte arrived. */
  firstByteAt?: number;
  status?: number;
  error?: GatewayError;
}
