import { z } from 'zod';
import { guardrailsSchema } from '../guardrails/schema.js';

/**
 * The config file's schema: strict (unknown keys are errors, reported with a did-you-mean),
 * defaults in one place. Sections that later features own are validated here already so a
 * config written against PRODUCT.md checks clean.
 */

const positiveInt = z.number().int().positive();
const nonNegativeInt = z.number().int().nonnegative();
/** Env interpolation turns an unset `${VAR}` into '' — treat that as "not given". */
const optionalSecret = z
  .string()
  .optional()
  .transform((value) => (value === '' ? undefined : value));

export const pricingSchema = z.strictObject({
  input_per_mtok: z.number().nonnegative(),
  output_per_mtok: z.number().nonnegative(),
  cached_input_per_mtok: z.number().nonnegative().optional(),
  cache_write_input_per_mtok: z.number().nonnegative().optional(),
});

export const providerSchema = z.strictObject({
  type: z.string().min(1),
  api_key: optionalSecret,
  base_url: z
    .string()
    .optional()
    .transform((value) => (value === '' ? undefined : value))
    .refine((value) => value === undefined || /^https?:\/\/[^\s/]+/.test(value), 'must be an http(s) URL'),
  headers: z.record(z.string(), z.string()).default({}),
  timeout_ms: positiveInt.default(600_000),
  api_version: z.string().optional(),
  region: z.string().optional(),
  access_key_id: optionalSecret,
  secret_access_key: optionalSecret,
  session_token: optionalSecret,
});

export const targetSchema = z.strictObject({
  provider: z.string().min(1),
  model: z.string().min(1),
  weight: z.number().positive().default(1),
  pricing: pricingSchema.optional(),
  max_output_tokens: positiveInt.optional(),
  /** Tokens the upstream model accepts; after a context-length failure, smaller or equal windows are skipped. */
  context_window: positiveInt.optional(),
});

export const ROUTING_STRATEGIES = ['fallback', 'weighted', 'round-robin', 'least-latency', 'least-busy', 'lowest-cost'] as const;

/** Error kinds `retry_on` / `fallback_on` accept besides HTTP status codes (see routing/failure-policy.ts). */
export const FAILURE_KINDS = ['connection', 'timeout', 'first_token_timeout', 'rate_limit', 'overloaded', 'server_error', 'auth', 'context_length', 'content_filter'] as const;
const failureListSchema = z.array(z.union([z.number().int().min(400).max(599), z.enum(FAILURE_KINDS)]));

/** Rate limits of a key, a team, a model or the whole gateway (limits/gate.ts). */
const limitsSchema = z.strictObject({
  rpm: positiveInt.optional(),
  tpm: positiveInt.optional(),
  concurrency: positiveInt.optional(),
});

/** Spend per UTC period (day, week from Monday, month, or total), enforced before each request. */
const budgetSchema = z.strictObject({
  usd: z.number().positive(),
  period: z.enum(['day', 'week', 'month', 'total']).default('month'),
});

/** `cache:` (docs/CACHE.md). */
export const cacheSchema = z
  .strictObject({
    mode: z.enum(['off', 'exact', 'semantic']).default('off'),
    ttl_s: positiveInt.default(3600),
    scope: z.enum(['global', 'key', 'team']).default('global'),
    /** Where entries live: this process (an LRU bounded by `max_bytes`), the `redis` server, or the `storage` database. */
    store: z.enum(['memory', 'redis', 'database']).default('memory'),
    max_bytes: positiveInt.default(64 * 1024 * 1024),
    /** Requests that set `temperature` above 0 ask for variety: cached only with this on. */
    any_temperature: z.boolean().default(false),
    /** Identical requests arriving while the first is in flight wait for its answer (per instance) instead of each calling upstream. */
    singleflight: z.boolean().default(true),
    /** A waiting request goes upstream itself after this long. */
    singleflight_wait_ms: positiveInt.default(30_000),
    /** `mode: semantic`: a model name served by this gateway (in `models`, or `provider/model`) that embeds the prompt. */
    embedding_model: z.string().min(1).optional(),
    /** `mode: semantic`: the cosine similarity at or above which a cached prompt's answer is served. */
    threshold: z.number().min(0).max(1).default(0.95),
    /** The semantic cache's vectors (docs/CACHE.md). */
    semantic: z
      .strictObject({
        /** `index`: an in-process ANN index per instance, kept current from the cache store; `pgvector`: the lookup runs in PostgreSQL. */
        store: z.enum(['index', 'pgvector']).default('index'),
        /** Prompts one instance's index holds at most (~11 KB each at 1536 dimensions); the oldest go first. */
        max_entries: positiveInt.default(10_000),
      })
      .default({ store: 'index', max_entries: 10_000 }),
  });

/** `cache:` with every default: what a model's `cache` override applies to when there is no `cache:`. */
export const CACHE_DEFAULTS = cacheSchema.parse({});

/** `models.X.cache`: this model's answers cached differently from the rest. */
const modelCacheSchema = z.strictObject({
  mode: z.enum(['off', 'exact', 'semantic']).optional(),
  threshold: z.number().min(0).max(1).optional(),
  ttl_s: positiveInt.optional(),
  any_temperature: z.boolean().optional(),
});

export const modelSchema = z.strictObject({
  routing: z.enum(ROUTING_STRATEGIES).default('fallback'),
  /** weighted / round-robin only: the same end user, or the same conversation, stays on one target. */
  sticky: z.enum(['user', 'conversation']).optional(),
  targets: z.array(targetSchema).min(1, 'needs at least one target'),
  retries: nonNegativeInt.default(1),
  retry_on: failureListSchema.optional(),
  fallback_on: failureListSchema.optional(),
  fallbacks: z.array(z.string()).default([]),
  timeout_ms: positiveInt.optional(),
  first_token_timeout_ms: positiveInt.optional(),
  hedge_after_ms: positiveInt.optional(),
  /** Continue a stream cut mid-way on the next target, spliced into the same client stream. */
  resume_streams: z.boolean().default(false),
  /** Limits on this model name across every caller. */
  limits: limitsSchema.optional(),
  /** Overrides `cache.mode`, `ttl_s`, `any_temperature` and `threshold` for this model name. */
  cache: modelCacheSchema.optional(),
  /** Guardrails for this model name, layered on `guardrails:`. */
  guardrails: guardrailsSchema.optional(),
});

const keySchema = z.strictObject({
  name: z.string().min(1),
  /** The plaintext (usually `${ENV}`); only its SHA-256 is kept in memory. */
  key: z.string(),
  models: z.array(z.string().min(1)).optional(),
  limits: limitsSchema.optional(),
  budget: budgetSchema.optional(),
  team: z.string().optional(),
  /** ISO 8601 or epoch ms. */
  expires_at: z
    .union([z.number().int().positive(), z.iso.datetime({ offset: true })])
    .optional()
    .transform((value) => (typeof value === 'string' ? Date.parse(value) : value)),
  metadata: z.record(z.string(), z.unknown()).optional(),
  disabled: z.boolean().default(false),
  /** Guardrails for this key's requests, layered on the global and the model's. */
  guardrails: guardrailsSchema.optional(),
});

export const configSchema = z.strictObject({
  server: z
    .strictObject({
      host: z.string().default('127.0.0.1'),
      port: z.number().int().min(0).max(65535).default(4000),
      master_key: optionalSecret,
      max_body_bytes: positiveInt.default(10 * 1024 * 1024),
      drain_timeout_ms: nonNegativeInt.default(30_000),
    })
    .prefault({}),
  storage: z.string().default('sqlite:.switchyard/switchyard.db'),
  redis: z
    .string()
    .optional()
    .transform((value) => (value === '' ? undefined : value)),
  /** Per-target circuit breaker (routing/health/breaker.ts); shared through `redis` when set. */
  circuit_breaker: z
    .strictObject({
      consecutive_failures: positiveInt.default(5),
      error_rate: z.number().gt(0).max(1).default(0.5),
      window_s: positiveInt.default(60),
      min_requests: positiveInt.default(10),
      cooldown_s: z.number().positive().default(30),
    })
    .prefault({}),
  providers: z.record(z.string(), providerSchema).default({}),
  models: z.record(z.string(), modelSchema).default({}),
  keys: z.array(keySchema).default([]),
  /** Teams a key names in `team`: their limits and budget apply together with the key's. */
  teams: z.record(z.string(), z.strictObject({ limits: limitsSchema.optional(), budget: budgetSchema.optional() })).default({}),
  limits: z
    .strictObject({
      /** Limits on all traffic together. */
      global: limitsSchema.optional(),
      /** When the limit store (Redis) cannot be reached: `open` serves without limits, `closed` answers 503. */
      on_store_error: z.enum(['open', 'closed']).default('open'),
      /** Budget alerts: POSTed once per budget, period and threshold (percent of the budget). */
      budget_alerts: z
        .strictObject({
          webhook: z.url({ protocol: /^https?$/ }),
          thresholds: z.array(z.number().positive().max(100)).default([50, 80, 100]),
        })
        .optional(),
      /** How long a concurrency slot or budget reservation outlives an instance that died holding it. */
      lease_s: positiveInt.default(900),
    })
    .prefault({}),
  cache: cacheSchema.optional(),
  logging: z
    .strictObject({
      requests: z.boolean().default(true),
      bodies: z.boolean().default(false),
      retention_days: positiveInt.default(30),
      /** Rows waiting for storage at most (per instance); past it rows are dropped and counted. */
      max_queued_rows: positiveInt.default(100_000),
      /** URLs that receive the log rows as JSON batches (POST {"data": [rows]}), with retry and backoff. */
      webhooks: z.array(z.url({ protocol: /^https?$/ })).default([]),
      level: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
    })
    .prefault({}),
  /** Guardrails for every request (docs/GUARDRAILS.md); models and keys layer their own on top. */
  guardrails: guardrailsSchema.optional(),
  /**
   * `otlp_endpoint`: OpenTelemetry traces (docs/TRACING.md) are exported by OTLP/HTTP (JSON) when set.
   * Read like OTEL_EXPORTER_OTLP_ENDPOINT: a base URL to which `/v1/traces` is appended, unless it
   * already ends with `/v1/traces`. `otlp_headers` go with every export (e.g. a backend's API key,
   * through `${ENV}`). `service_name` is the `service.name` resource attribute (default `switchyard`).
   * The three are read at start: changing them needs a restart (a reload warns and keeps the
   * running exporter).
   */
  telemetry: z
    .strictObject({
      metrics_auth: z.boolean().default(false),
      otlp_endpoint: z
        .string()
        .optional()
        .transform((value) => (value === '' ? undefined : value))
        .refine((value) => value === undefined || (URL.canParse(value) && /^https?:\/\//.test(value)), 'must be an http(s) URL'),
      otlp_headers: z.record(z.string(), z.string()).default({}),
      service_name: z.string().min(1).default('switchyard'),
    })
    .optional(),
});

export type ConfigInput = z.input<typeof configSchema>;
export type Config = z.output<typeof configSchema>;
export type ProviderEntry = z.output<typeof providerSchema>;
export type ModelEntry = z.output<typeof modelSchema>;
export type TargetEntry = z.output<typeof targetSchema>;
