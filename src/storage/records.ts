/** A request's guardrails in its log row: which ran, and each hit as guardrail, type, action, stage and count. */
export interface GuardrailsLog {
  ran: string[];
  hits: Array<{ guardrail: string; type: string; action: string; stage: 'input' | 'output'; count: number }>;
}

/** One upstream call of a request, as the log keeps it. */
export interface AttemptLogEntry {
  provider: string;
  model: string;
  status: number | null;
  error_code: string | null;
  error: string | null;
  latency_ms: number | null;
}

/**
 * One request as the log keeps it: what the request log tap produces and what /admin/logs returns
 * (plus `key_name`, joined from the keys). Field names are PRODUCT.md's.
 */
export interface LogRecord {
  id: string;
  /** Epoch milliseconds. */
  created_at: number;
  api: string;
  key_id: string | null;
  model: string | null;
  provider: string | null;
  upstream_model: string | null;
  variant: string | null;
  status: number;
  error_code: string | null;
  error_message: string | null;
  stream: boolean;
  latency_ms: number;
  ttft_ms: number | null;
  input_tokens: number;
  output_tokens: number;
  cached_tokens: number;
  reasoning_tokens: number;
  tokens_estimated: boolean;
  cost_usd: number;
  cache: string | null;
  /** A cache hit: what the stored answer cost when it was made (0 otherwise; older rows have none). */
  cost_saved_usd?: number;
  attempts: number;
  attempt_log: AttemptLogEntry[];
  tags: string[];
  /** What the guardrails ran and found (types and counts, never values); null when none applied. */
  guardrails?: GuardrailsLog | null;
  /** Only with `logging.bodies: true`. */
  request_body?: string | null;
  response_body?: string | null;
}

export interface LogQuery {
  limit: number;
  /** Opaque, from a previous page's `next_cursor`. */
  cursor?: string;
  model?: string;
  keyId?: string;
  provider?: string;
  /** An exact status, or every error (>= 400), or every success. */
  status?: number | 'error' | 'success';
  tag?: string;
  from?: number;
  to?: number;
}

export interface LogPage {
  rows: LogRecord[];
  nextCursor: string | null;
}

export const USAGE_GROUPS = ['key', 'model', 'provider', 'upstream_model', 'tag', 'variant'] as const;
export type UsageGroup = (typeof USAGE_GROUPS)[number];

export interface UsageQuery {
  groupBy: UsageGroup;
  from: number;
  to: number;
  interval?: 'hour' | 'day';
}

export interface UsageRow {
  group: string | null;
  /** Start of the bucket (epoch ms) when an interval was asked for. */
  bucket?: number;
  requests: number;
  input_tokens: number;
  output_tokens: number;
  cached_tokens: number;
  cost_usd: number;
  errors: number;
  /** Requests answered from the response cache, and what those answers had cost when made. */
  cache_hits: number;
  cost_saved_usd: number;
  p50_latency_ms: number | null;
  p95_latency_ms: number | null;
}

/** Keyset cursor: the last row's (created_at, id), so paging never skips or repeats under inserts. */
export function encodeCursor(row: Pick<LogRecord, 'created_at' | 'id'>): string {
  return Buffer.from(`${row.created_at}:${row.id}`).toString('base64url');
}

export function decodeCursor(cursor: string): { createdAt: number; id: string } | undefined {
  const text = Buffer.from(cursor, 'base64url').toString();
  const colon = text.indexOf(':');
  const createdAt = Number(text.slice(0, colon));
  if (colon <= 0 || !Number.isSafeInteger(createdAt)) return undefined;
  return { createdAt, id: text.slice(colon + 1) };
}

/** The API shape of a row (/admin/logs, webhooks): ISO time, and `key_name` looked up from the keys (not stored in the row). */
export function presentLogRecord(row: LogRecord, keyName: (id: string) => string | undefined = () => undefined): Record<string, unknown> {
  const { created_at, ...rest } = row;
  return { ...rest, created_at: new Date(created_at).toISOString(), key_name: row.key_id === null ? null : (keyName(row.key_id) ?? null) };
}
