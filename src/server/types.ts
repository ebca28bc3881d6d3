import type { AbortLink } from '../upstream/abort.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Plan } from '../config/plan.js';
import type { Logger } from '../telemetry/logger.js';
import type { RequestPolicy, RequestTap } from '../pipeline/lifecycle.js';
import type { TargetStatsBook } from '../routing/target-stats.js';
import type { HealthStore } from '../routing/health/store.js';
import type { GatewayMetrics } from '../telemetry/metrics.js';
import type { StorageHandle } from '../storage/handle.js';
import type { RequestLog } from '../telemetry/request-log.js';
import type { Tracing } from '../telemetry/tracing.js';
import type { KeyRegistry } from '../keys/registry.js';
import type { LimitGate } from '../limits/gate.js';
import type { SemanticCache } from '../cache/semantic/semantic-cache.js';
import type { ResponseCache } from '../cache/response-cache.js';
import type { Caller } from './auth.js';

/** What every handler can reach: the current plan (swapped on reload), the logger, the pipeline stages. */
export interface GatewayRuntime {
  /** The plan in force now; a request reads it once, at arrival. */
  plan(): Plan;
  readonly logger: Logger;
  readonly policies: readonly RequestPolicy[];
  readonly taps: readonly RequestTap[];
  /** In-flight counts and latencies per target, for the load- and latency-aware strategies. */
  readonly targetStats: TargetStatsBook;
  /** Circuit breaker state per target (in process, or shared through Redis). */
  readonly health: HealthStore;
  /** Prometheus metrics (`GET /metrics`); fed by a tap. */
  readonly metrics: GatewayMetrics;
  /** The configured storage (opened in the background; /admin/logs and /admin/usage read it). */
  readonly storage?: StorageHandle;
  /** The request log's write queue (for /health/ready). */
  readonly requestLog?: RequestLog;
  /** Rate limits and budgets (in process, or shared through `redis`); absent in tests that need none. */
  readonly limits?: LimitGate;
  /** The exact response cache (`cache:`); absent in tests that need none. */
  readonly cache?: ResponseCache;
  /** The semantic cache (`cache.mode: semantic`), over the response cache's store. */
  readonly semanticCache?: SemanticCache;
  /** Virtual keys (config and stored), looked up by digest on every authenticated route. */
  readonly keys: KeyRegistry;
  /** OpenTelemetry traces; undefined unless `telemetry.otlp_endpoint` is set (then its SDK is loaded). */
  readonly tracing?: Tracing | undefined;
}

/** Per-request values the server computes before a handler runs. */
export interface HandlerInput {
  request: IncomingMessage;
  response: ServerResponse;
  runtime: GatewayRuntime;
  plan: Plan;
  requestId: string;
  /** Fired when the client disconnects before the answer is complete, or the model's deadline passes. */
  signal: AbortLink;
  startedAt: number;
  /** Who is calling (authenticated before the handler runs). */
  caller: Caller;
}

export type Handler = (input: HandlerInput) => Promise<void>;
