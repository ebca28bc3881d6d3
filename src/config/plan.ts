import { CACHE_DEFAULTS, type Config, type ModelEntry } from './schema.js';
import type { ConfigProblem } from './validate.js';
import type { Provider, ProviderConfig } from '../providers/types.js';
import { PROVIDER_TYPES } from '../providers/registry.js';
import { compileMatcher, type FailurePolicy } from '../routing/failure-policy.js';
import type { BreakerSettings } from '../routing/health/breaker.js';
import { catalogPrice, type ModelPrice } from '../accounting/pricing-catalog.js';
import { parseStorage, type StorageSpec } from '../storage/spec.js';

export interface TargetPlan {
  /**
   * `provider/upstream-model`: the deployment this target calls. Health (circuit breaker) and stats
   * (in-flight, latency) are kept per deployment, so every model routing to it shares them.
   */
  key: string;
  /** The model this target belongs to (its retries, failure policy and timeouts apply). */
  modelPlan: ModelPlan;
  provider: Provider;
  /** The upstream model id sent to the provider. */
  model: string;
  weight: number;
  /** The target's `pricing` from the config, else the shipped catalog's price; absent when neither knows it. */
  pricing?: ModelPrice;
  maxOutputTokens?: number;
  contextWindow?: number;
}

export interface ModelPlan {
  name: string;
  routing: ModelEntry['routing'];
  sticky?: 'user' | 'conversation';
  targets: TargetPlan[];
  retries: number;
  failurePolicy: FailurePolicy;
  fallbacks: string[];
  timeoutMs?: number;
  firstTokenTimeoutMs?: number;
  hedgeAfterMs?: number;
  resumeStreams: boolean;
  /** `cache:` with this model's `cache` override applied (absent: the global one holds). */
  cache?: CacheSettings;
}

export type CacheSettings = NonNullable<Config['cache']>;

/** The cache settings a request for `model` gets: its model's override, else `cache:`. */
export function cacheSettingsFor(plan: Plan, model: string): CacheSettings | undefined {
  return plan.models.get(model)?.cache ?? plan.config.cache;
}

/**
 * The compiled, immutable form of a config: providers instantiated, model routes resolved.
 * A request holds the Plan it started with, so a reload never changes a request mid-way.
 */
export interface Plan {
  readonly config: Config;
  readonly providers: ReadonlyMap<string, Provider>;
  readonly models: ReadonlyMap<string, ModelPlan>;
  /** Circuit breaker thresholds, from `circuit_breaker`. */
  readonly breaker: BreakerSettings;
  /** Where the config came from: a file path, or `built-in quick start`. */
  readonly source: string;
  /** `storage:` resolved (relative SQLite paths against the config file's folder). */
  readonly storage: StorageSpec;
  readonly loadedAt: number;
}

export type CompileResult = { ok: true; plan: Plan } | { ok: false; problems: ConfigProblem[] };

/** Instantiates providers and resolves models; problems are reported with their config path. */
export function compilePlan(config: Config, source: string, env: NodeJS.ProcessEnv = process.env, baseDir = process.cwd()): CompileResult {
  const problems: ConfigProblem[] = [];
  const storage = parseStorage(config.storage, baseDir);
  if ('error' in storage) problems.push({ path: 'storage', message: storage.error });
  const providers = new Map<string, Provider>();
  for (const [name, entry] of Object.entries(config.providers)) {
    const type = PROVIDER_TYPES.get(entry.type);
    if (!type) continue; // reported by validation
    const providerConfig: ProviderConfig = {
      name,
      type: entry.type,
      baseUrl: '',
      apiKey: entry.api_key ?? (type.apiKeyEnv ? env[type.apiKeyEnv] || undefined : undefined),
      headers: entry.headers,
      timeoutMs: entry.timeout_ms,
      apiVersion: entry.api_version,
      region: entry.region,
      accessKeyId: entry.access_key_id,
      secretAccessKey: entry.secret_access_key,
      sessionToken: entry.session_token,
    };
    const defaultBaseUrl = typeof type.defaultBaseUrl === 'function' ? type.defaultBaseUrl(providerConfig) : type.defaultBaseUrl;
    const baseUrl = entry.base_url ?? defaultBaseUrl;
    if (!baseUrl) {
      problems.push({ path: `providers.${name}.base_url`, message: `required for type "${entry.type}"` });
      continue;
    }
    providerConfig.baseUrl = baseUrl.replace(/\/+$/, '');
    const typeProblems = type.validate?.(providerConfig) ?? [];
    for (const problem of typeProblems) problems.push({ path: `providers.${name}.${problem.field}`, message: problem.message });
    if (typeProblems.length === 0) providers.set(name, type.create(Object.freeze(providerConfig)));
  }

  const models = new Map<string, ModelPlan>();
  for (const [name, entry] of Object.entries(config.models)) {
    const retryOn = compileMatcher(entry.retry_on);
    const fallbackOn = compileMatcher(entry.fallback_on);
    const model: ModelPlan = {
      name,
      routing: entry.routing,
      ...(entry.sticky && { sticky: entry.sticky }),
      targets: [],
      retries: entry.retries,
      failurePolicy: { ...(retryOn && { retryOn }), ...(fallbackOn && { fallbackOn }) },
      fallbacks: entry.fallbacks,
      ...(entry.timeout_ms !== undefined && { timeoutMs: entry.timeout_ms }),
      ...(entry.first_token_timeout_ms !== undefined && { firstTokenTimeoutMs: entry.first_token_timeout_ms }),
      ...(entry.hedge_after_ms !== undefined && { hedgeAfterMs: entry.hedge_after_ms }),
      resumeStreams: entry.resume_streams,
      ...(entry.cache && { cache: { ...(config.cache ?? CACHE_DEFAULTS), ...definedOnly(entry.cache) } }),
    };
    for (const target of entry.targets) {
      const provider = providers.get(target.provider);
      if (!provider) continue; // reported by validation or above
      model.targets.push({
        key: `${target.provider}/${target.model}`,
        modelPlan: model,
        provider,
        model: target.model,
        weight: target.weight,
        ...priceOf(provider, target.model, target.pricing),
        ...(target.max_output_tokens !== undefined && { maxOutputTokens: target.max_output_tokens }),
        ...(target.context_window !== undefined && { contextWindow: target.context_window }),
      });
    }
    models.set(name, model);
  }
  if (problems.length > 0 || 'error' in storage) return { ok: false, problems };
  const cb = config.circuit_breaker;
  const breaker: BreakerSettings = {
    consecutiveFailures: cb.consecutive_failures,
    errorRate: cb.error_rate,
    windowMs: cb.window_s * 1000,
    minRequests: cb.min_requests,
    cooldownMs: cb.cooldown_s * 1000,
  };
  return { ok: true, plan: Object.freeze({ config, providers, models, breaker, source, storage, loadedAt: Date.now() }) };
}

/** A target's price: the config's `pricing` (its fields as given), else the catalog's. */
export function priceOf(provider: Provider, model: string, configured?: ModelPrice): { pricing?: ModelPrice } {
  const pricing = configured ?? catalogPrice(provider.config.type, model);
  return pricing ? { pricing } : {};
}

/** The fields of an override that are set (an absent one must not erase the value it overrides). */
function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as Partial<T>;
}
