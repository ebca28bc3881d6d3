import type { LogRecord } from './records.js';

// No driver or Kysely here: the gateway's thread encodes rows with this module, and must not load
// the query builder's module graph at start (see docs/PERFORMANCE.md, "Module graphs").

/** Column order of the batched insert (and its PostgreSQL array types). */
export const COLUMNS = [
  ['id', 'text'],
  ['created_at', 'int8'],
  ['api', 'text'],
  ['key_id', 'text'],
  ['model', 'text'],
  ['provider', 'text'],
  ['upstream_model', 'text'],
  ['variant', 'text'],
  ['status', 'int4'],
  ['error_code', 'text'],
  ['error_message', 'text'],
  ['stream', 'int4'],
  ['latency_ms', 'int4'],
  ['ttft_ms', 'int4'],
  ['input_tokens', 'int4'],
  ['output_tokens', 'int4'],
  ['cached_tokens', 'int4'],
  ['reasoning_tokens', 'int4'],
  ['tokens_estimated', 'int4'],
  ['cost_usd', 'float8'],
  ['cache', 'text'],
  ['cost_saved_usd', 'float8'],
  ['attempts', 'int4'],
  ['attempt_log', 'text'],
  ['tags', 'text'],
  ['guardrails', 'text'],
] as const;

export type Cell = string | number | null;

export function toCells(row: LogRecord): Cell[] {
  return [
    row.id,
    row.created_at,
    row.api,
    row.key_id,
    row.model,
    row.provider,
    row.upstream_model,
    row.variant,
    row.status,
    row.error_code,
    row.error_message,
    row.stream ? 1 : 0,
    row.latency_ms,
    row.ttft_ms,
    row.input_tokens,
    row.output_tokens,
    row.cached_tokens,
    row.reasoning_tokens,
    row.tokens_estimated ? 1 : 0,
    row.cost_usd,
    row.cache,
    row.cost_saved_usd ?? 0,
    row.attempts,
    row.attempt_log.length > 0 ? JSON.stringify(row.attempt_log) : null,
    row.tags.length > 0 ? JSON.stringify(row.tags) : null,
    row.guardrails ? JSON.stringify(row.guardrails) : null,
  ];
}

/**
 * One log row as the SQLite writer takes it: its cells in COLUMNS order, its tags (for
 * request_tags), and its bodies when `logging.bodies` kept them.
 */
export type EncodedRow = [cells: Cell[], tags: string[] | null, bodies: [request: string | null, response: string | null] | null];

export function encodeRow(row: LogRecord): EncodedRow {
  const kept = row.request_body !== undefined || row.response_body !== undefined;
  return [toCells(row), row.tags.length > 0 ? row.tags : null, kept ? [row.request_body ?? null, row.response_body ?? null] : null];
}

/**
 * A batch as one JSON string of arrays, for the SQLite worker. Posting the LogRecord objects
 * themselves made V8's structured clone write every field name of every row on this thread and
 * rebuild every object on the other; one flat string is a copy, and the worker's JSON.parse of
 * arrays is cheaper than deserializing objects (docs/PERFORMANCE.md, "Request log overhead").
 */
export function encodeRows(rows: readonly LogRecord[]): string {
  return JSON.stringify(rows.map(encodeRow));
}

/** Index of `id` and `created_at` among the cells. */
export const ID_CELL = 0;
export const CREATED_AT_CELL = 1;
