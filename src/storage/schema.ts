/**
 * The tables, as Kysely sees them. One definition for SQLite and PostgreSQL: times are epoch
 * milliseconds (integers sort and bucket the same in both), flags are 0/1 integers, lists are JSON
 * text. Rows hold only what belongs to the request; prices and key names are joined, not copied.
 */
export interface Database {
  requests: RequestsTable;
  request_tags: RequestTagsTable;
  request_bodies: RequestBodiesTable;
  usage_hourly: UsageHourlyTable;
  usage_dirty_hours: UsageDirtyHoursTable;
  api_keys: ApiKeysTable;
  cache_entries: CacheEntriesTable;
  semantic_cache_records: SemanticCacheRecordsTable;
}

/** The semantic cache's prompts (vector and guard) when its records live in the database (cache/semantic/database-sync.ts). */
export interface SemanticCacheRecordsTable {
  /** The answer's key in the response cache (`namespace|model|hash`). */
  key: string;
  namespace: string;
  model: string;
  /** The encoded record (cache/semantic/record.ts): guard, vector, expiry. */
  record: string;
  /** Epoch ms when written: instances poll for rows newer than the last they saw. */
  created_at: number;
  expires_at: number;
}

/** The response cache's entries when `cache.store: database` (cache/database-store.ts). */
export interface CacheEntriesTable {
  /** `namespace|model|hash` (cache/key.ts). */
  key: string;
  /** The key's namespace and model, decoded, so `DELETE /admin/cache` filters on columns. */
  namespace: string;
  model: string;
  value: string;
  /** Epoch ms; an entry past it is a miss, and is pruned. */
  expires_at: number;
}

export interface RequestsTable {
  /** The request id (`x-request-id`): a retried write of the same request cannot count twice. */
  id: string;
  created_at: number;
  /** `chat.completions` | `messages` | `embeddings` */
  api: string;
  key_id: string | null;
  /** The model name the client sent. */
  model: string | null;
  provider: string | null;
  upstream_model: string | null;
  /** A weighted model's pick (`provider/model`), for A/B analysis. */
  variant: string | null;
  status: number;
  error_code: string | null;
  error_message: string | null;
  stream: number;
  latency_ms: number;
  ttft_ms: number | null;
  input_tokens: number;
  output_tokens: number;
  cached_tokens: number;
  reasoning_tokens: number;
  /** 1 when the tokens were estimated with the tokenizer (the provider reported none). */
  tokens_estimated: number;
  cost_usd: number;
  cache: string | null;
  cost_saved_usd: number;
  /** JSON: the guardrails that ran and their hits (GuardrailsLog); null when none applied. */
  guardrails: string | null;
  attempts: number;
  /** JSON: each upstream call (provider, model, status, error, latency). */
  attempt_log: string | null;
  /** JSON array of the request's `x-switchyard-tags`; request_tags holds them for grouping. */
  tags: string | null;
}

export interface RequestTagsTable {
  request_id: string;
  tag: string;
  created_at: number;
}

/** Bodies live apart from the narrow request rows, and only with `logging.bodies: true`. */
export interface RequestBodiesTable {
  request_id: string;
  created_at: number;
  request_body: string | null;
  response_body: string | null;
}

/** Closed hours summed per dimension (model, key, ...) and group, for /admin/usage (storage/usage.ts). */
export interface UsageHourlyTable {
  /** `key` | `model` | `provider` | `upstream_model` | `tag` | `variant` */
  dimension: string;
  /** Start of the hour, epoch ms. */
  hour: number;
  /** The group ('' for none: no key, no variant). */
  value: string;
  requests: number;
  input_tokens: number;
  output_tokens: number;
  cached_tokens: number;
  cost_usd: number;
  errors: number;
  cache_hits: number;
  cost_saved_usd: number;
  /** JSON `{bucket: count}` latency histogram (storage/latency-histogram.ts). */
  latency: string;
}

/** Hours whose raw rows are not (all) in usage_hourly; `version` changes with every batch written. */
export interface UsageDirtyHoursTable {
  hour: number;
  version: number;
}

/** Virtual keys created through the admin API or the CLI (keys/records.ts); lists are JSON text. */
export interface ApiKeysTable {
  id: string;
  name: string;
  key_hash: string;
  prefix: string;
  team: string | null;
  models: string | null;
  limits: string | null;
  budget: string | null;
  metadata: string | null;
  /** JSON: the key's own guardrails (GuardrailsConfig). */
  guardrails: string | null;
  expires_at: number | null;
  disabled: number;
  created_at: number;
  updated_at: number;
  revoked_at: number | null;
}
