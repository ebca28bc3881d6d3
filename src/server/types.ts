import type { RequestSignal } from '../upstream/abort.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Plan } from '../config/plan.js';
import type { Logger } from '../telemetry/logger.js';
import type { RequestPolicy, RequestTap } from '../pipeline/lifecycle.js';

/** What every handler can reach: the current plan (swapped on reload), the logger, the pipeline stages. */
export interface GatewayRuntime {
  /** The plan in force now; a request reads it once, at arrival. */
  plan(): Plan;
  readonly logger: Logger;
  readonly policies: readonly RequestPolicy[];
  readonly taps: readonly RequestTap[];
}

/** Per-request values the server computes before a handler runs. */
export interface HandlerInput {
  request: IncomingMessage;
  response: ServerResponse;
  runtime: GatewayRuntime;
  plan: Plan;
  requestId: string;
  /** Aborted when the client disconnects before the answer is complete. */
  signal: RequestSignal;
  startedAt: number;
}

export type Handler = (input: HandlerInput) => Promise<void>;
