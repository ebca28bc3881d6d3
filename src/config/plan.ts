import type { Config, ModelEntry } from './schema.js';
import type { ConfigProblem } from './validate.js';
import type { Provider, ProviderConfig } from '../providers/types.js';
import { PROVIDER_TYPES } from '../providers/registry.js';
import { compileMatcher, type FailurePolicy } from '../routing/failure-policy.js';
import type { BreakerSettings } from '../routing/health/breaker.js';

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
  pricing?: { input_per_mtok: number; output_per_mtok: number; cached_input_per_mtok?: number | undefined };
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
  readonly loadedAt: number;
}

export type CompileResult = { ok: true; plan: Plan } | { ok: false; problems: ConfigProblem[] };

/** Instantiates providers and resolves models; problems are reported with their config path. */
export function compilePlan(config: Config, source: string, env: NodeJS.ProcessEnv = process.env): CompileResult {
  const problems: ConfigProblem[] = [];
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
        ...(target.pricing && { pricing: target.pricing }),
        ...(target.max_output_tokens !== undefined && { maxOutputTokens: target.max_output_tokens }),
        ...(target.context_window !== undefined && { contextWindow: target.context_window }),
      });
    }
    models.set(name, model);
  }
  if (problems.length > 0) return { ok: false, problems };
  const cb = config.circuit_breaker;
  const breaker: BreakerSettings = {
    consecutiveFailures: cb.consecutive_failures,
    errorRate: cb.error_rate,
    windowMs: cb.window_s * 1000,
    minRequests: cb.min_requests,
    cooldownMs: cb.cooldown_s * 1000,
  };
  return { ok: true, plan: Object.freeze({ config, providers, models, breaker, source, loadedAt: Date.now() }) };
}
