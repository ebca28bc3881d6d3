import { GatewayError } from '../errors/gateway-error.js';
import { priceOf, type ModelPlan, type Plan, type TargetPlan } from '../config/plan.js';
import { orderTargets } from './strategies.js';
import type { TargetStatsBook } from './target-stats.js';

/** Per-request inputs to target resolution. */
export interface ResolveOptions {
  /** In-flight counts and latencies; without it targets keep config order. */
  book?: TargetStatsBook;
  /** Where the request's sticky identity comes from, for a model with `sticky` (read only then). */
  sticky?: { stickyIdentity(kind: 'user' | 'conversation'): string | undefined };
  /** The client's own fallback list (`x-switchyard-fallbacks`), replacing the model's. */
  fallbacks?: readonly string[];
  /** Models the caller's key may use (absent: all). The `fallbacks` a model names in config are the operator's choice and not checked. */
  mayUse?: (model: string) => boolean;
}

/**
 * The targets to try for a client's model name, in order: the model's own targets in the order
 * its routing strategy picks for this request (config order without a `book`), then its
 * `fallbacks` (each expanded the same way, each model once). A name not in `models` but of the
 * form `provider/upstream-model` goes straight to that provider.
 */
export function resolveTargets(plan: Plan, modelName: string, options: ResolveOptions = {}): readonly TargetPlan[] {
  const first = lookupModel(plan, modelName);
  if (!first) {
    throw new GatewayError('model_not_found', `model "${modelName}" does not exist`, { param: 'model' });
  }
  if (options.mayUse && !options.mayUse(modelName)) {
    throw new GatewayError('model_not_allowed', `this key may not use model "${modelName}"`, { param: 'model' });
  }
  const fallbacks = options.fallbacks ?? first.fallbacks;
  if (fallbacks.length === 0) return order(first, options);
  const seen = new Set<string>([modelName]);
  const targets = [...order(first, options)];
  const queue = [...fallbacks];
  while (queue.length > 0) {
    const name = queue.shift()!;
    if (seen.has(name)) continue;
    seen.add(name);
    const model = lookupModel(plan, name);
    if (!model) continue;
    targets.push(...order(model, options));
    queue.push(...model.fallbacks);
  }
  return targets;
}

function order(model: ModelPlan, options: ResolveOptions): readonly TargetPlan[] {
  if (!options.book) return model.targets;
  const identity = model.sticky ? options.sticky?.stickyIdentity(model.sticky) : undefined;
  return orderTargets(model, options.book, Math.random, identity);
}

/**
 * `x-switchyard-fallbacks: a,b`: the client's own fallback models. Each must exist (configured or
 * `provider/model`) and be one the caller's key may use.
 */
export function parseFallbackHeader(plan: Plan, header: string | string[] | undefined, mayUse?: (model: string) => boolean): readonly string[] | undefined {
  if (header === undefined) return undefined;
  const names = (Array.isArray(header) ? header.join(',') : header)
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  for (const name of names) {
    if (!lookupModel(plan, name)) {
      throw new GatewayError('invalid_request', `x-switchyard-fallbacks: unknown model "${name}"`, { param: 'x-switchyard-fallbacks' });
    }
    if (mayUse && !mayUse(name)) {
      throw new GatewayError('model_not_allowed', `x-switchyard-fallbacks: this key may not use model "${name}"`, { param: 'x-switchyard-fallbacks' });
    }
  }
  return names;
}

/** A configured model, or a direct `provider/model` route as a one-target model. */
export function lookupModel(plan: Plan, name: string): ModelPlan | undefined {
  const configured = plan.models.get(name);
  if (configured) return configured;
  const slash = name.indexOf('/');
  if (slash <= 0) return undefined;
  const provider = plan.providers.get(name.slice(0, slash));
  const model = name.slice(slash + 1);
  if (!provider || !model) return undefined;
  const direct: ModelPlan = { name, routing: 'fallback', targets: [], retries: 1, failurePolicy: {}, fallbacks: [], resumeStreams: false };
  direct.targets.push({ key: `${provider.config.name}/${model}`, modelPlan: direct, provider, model, weight: 1, ...priceOf(provider, model) });
  return direct;
}
