import type { AbortLink } from '../upstream/abort.js';
import { OPEN, type Caller } from '../server/auth.js';
import type { Admission } from '../limits/gate.js';
import type { IncomingHttpHeaders } from 'node:http';
import type { ChatRequest, ChatResponse, Usage } from '../ir/chat.js';
import type { CacheDecision, Flight } from '../cache/response-cache.js';
import type { ResponseAccumulator } from '../cache/replay.js';
import type { GuardrailReport } from '../guardrails/text-guard.js';
import type { OutputGuard } from '../guardrails/output.js';
import type { WebhookConfig } from '../guardrails/schema.js';
import type { SemanticQuery } from '../cache/semantic/semantic-cache.js';
import type { Plan, TargetPlan } from '../config/plan.js';
import type { ClientDialect } from '../dialects/types.js';
import type { RequestEnvelope } from '../dialects/envelope.js';
import type { GatewayError } from '../errors/gateway-error.js';
import type { StreamTranscript } from '../accounting/transcript.js';
import type { Accounting } from './accounting.js';
import type { RequestTrace } from '../telemetry/tracing.js';

/** One upstream call made for a request, for headers now and the request log later. */
export interface AttemptRecord {
  provider: string;
  model: string;
  startedAt: number;
  durationMs?: number;
  status?: number;
  /** The HTTP status the client got (200 once a stream started, whatever happened after). */
  responseStatus?: number;
  error?: GatewayError;
  /** With tracing on: `traceparent` (and `tracestate`) naming this call's span, sent upstream with it. */
  traceHeaders?: Readonly<Record<string, string>>;
}

export interface ChatContextInit {
  id: string;
  startedAt: number;
  plan: Plan;
  dialect: ClientDialect;
  clientHeaders: IncomingHttpHeaders;
  signal: AbortLink;
  body: Record<string, unknown>;
  rawBody: Buffer;
  envelope: RequestEnvelope;
  responseHeaders: Record<string, string>;
  /** Who sent it (auth ran before the body was read); absent in tests that build contexts directly. */
  caller?: Caller;
}

/**
 * Everything one chat request carries through the pipeline. Policies read and annotate it; the
 * executor fills in what happened upstream. It pins the Plan the request started with.
 *
 * The full IR (`request`) is parsed on first use: a same-format pair passes the client's bytes
 * through and never needs it. A policy that replaces the IR (e.g. redaction) marks the request
 * rewritten, so the bytes are no longer passed through as they came.
 */
export class RequestContext {
  readonly id: string;
  /** performance.now() at arrival. */
  readonly startedAt: number;
  readonly plan: Plan;
  readonly dialect: ClientDialect;
  readonly clientHeaders: IncomingHttpHeaders;
  /** Aborted when the client disconnects: every upstream call listens to it. */
  readonly signal: AbortLink;
  /** The parsed client body and its raw bytes (a guardrail may replace both: `replaceBody`). */
  body: Record<string, unknown>;
  rawBody: Buffer;
  /** Model and stream flags, checked on arrival. */
  envelope: RequestEnvelope;
  /** Headers every answer for this request carries (request id, provider, model, attempts...). */
  readonly responseHeaders: Record<string, string>;
  readonly caller: Caller;
  /** What the limits and budgets reserved for this request, settled when it ends. */
  admission?: Admission;
  readonly attempts: AttemptRecord[] = [];
  /** True once a policy replaced the IR: the client's bytes no longer describe the request. */
  rewritten = false;
  /** The target that produced the answer. */
  served?: TargetPlan;
  /** A weighted model's pick for this request (`provider/model`), for A/B analysis. */
  variant?: string;
  /** Targets after the one that answered, for `resume_streams` (set once routing has chosen). */
  resumeTargets: readonly TargetPlan[] = [];
  usage?: Usage;
  /** Tokens and cost, settled when the request ends (pipeline/accounting.ts). */
  accounting?: Accounting;
  /** Earlier answers of a resumed stream, settled when the continuation started. */
  readonly segments: Array<Accounting | Promise<Accounting>> = [];
  /** The target a resumed stream's current segment is counted at (the continuation's), until it answers in full and becomes `served`. */
  meteredTarget?: TargetPlan;
  /** What a stream delivered, for an estimate when no usage arrives. */
  transcript?: StreamTranscript;
  /** The JSON answer sent (kept only for `logging.bodies`). */
  responseBody?: string;
  /** `x-switchyard-cache` result, once the response cache looked (hit, miss, bypass). */
  cacheResult?: string;
  /** Set when this request's answer is to be stored in the response cache once it is complete. */
  cacheDecision?: CacheDecision;
  /** The complete answer in the IR, kept for the cache (JSON answers; streams are rebuilt from their events). */
  cacheResponse?: ChatResponse;
  /** A JSON answer's body as sent, kept for the cache. */
  cachePayload?: string | Buffer;
  /** A translated stream's events, gathered for the cache while they pass. */
  cacheCapture?: ResponseAccumulator;
  /** This request is the first of identical ones in flight: it hands them its answer when done. */
  cacheFlight?: Flight;
  /** A semantic-cache miss: the prompt's embedding and guard, to file this answer under once stored. */
  semanticQuery?: SemanticQuery;
  /** A cache hit: the provider and upstream model that made the stored answer, and what it had cost. */
  cachedFrom?: { provider: string; model: string; costUsd: number };
  /** `x-switchyard-tags`, for the log and usage grouping. */
  tags: string[] = [];
  /** performance.now() when the answer was over (set before the taps run, which may be later). */
  endedAt?: number;
  /** performance.now() when the first upstream body byte arrived. */
  firstByteAt?: number;
  status?: number;
  /** The HTTP status the client got (200 once a stream started, whatever happened after). */
  responseStatus?: number;
  error?: GatewayError;
  /** This request's spans, when tracing is on (telemetry/tracing.ts); ended by the tracing tap. */
  trace?: RequestTrace;
  /** What the guardrails ran and found (types and counts, never values), for the log and metrics. */
  guardrails?: GuardrailReport;
  /** Guards the answer (output scanning, masks to restore): set, the answer is decoded, never passed through. */
  outputGuard?: OutputGuard;
  /** The guardrail webhook that checks a JSON answer (`on: output | both`). */
  outputWebhook?: WebhookConfig;
  /** An answer a guardrail refused after the provider gave it (JSON answers): the request fails with it. */
  outputBlocked?: GatewayError;
  #request: ChatRequest | undefined;

  constructor(init: ChatContextInit) {
    this.id = init.id;
    this.startedAt = init.startedAt;
    this.plan = init.plan;
    this.dialect = init.dialect;
    this.clientHeaders = init.clientHeaders;
    this.signal = init.signal;
    this.body = init.body;
    this.rawBody = init.rawBody;
    this.envelope = init.envelope;
    this.responseHeaders = init.responseHeaders;
    this.caller = init.caller ?? OPEN;
  }

  /** The request in the IR, validated in full on first use (throws `invalid_request` naming the field). */
  get request(): ChatRequest {
    this.#request ??= this.dialect.parseChatRequest(this.body);
    return this.#request;
  }

  /**
   * A guardrail rewrote the client's body (still in the client's dialect): the request goes on with
   * it, passed through as these bytes when the pair allows, and its envelope is read again.
   */
  replaceBody(body: Record<string, unknown>): void {
    this.envelope = this.dialect.parseEnvelope(body);
    this.body = body;
    this.rawBody = Buffer.from(JSON.stringify(body));
    this.#request = undefined;
  }

  /** The end user or conversation opening, for sticky routing. */
  stickyIdentity(kind: 'user' | 'conversation'): string | undefined {
    return this.dialect.stickyIdentity(this.body, kind);
  }

  set request(request: ChatRequest) {
    this.#request = request;
    this.rewritten = true;
  }
}
