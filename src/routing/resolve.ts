import { GatewayError } from '../errors/gateway-error.js';
import type { ModelPlan, Plan, TargetPlan } from '../config/plan.js';
import { orderTargets } from './strategies.js';
import type { TargetStatsBook } from './target-stats.js';

/**
 * The targets to try for a client's model name, in order: the model's own targets in the order
 * its routing strategy picks for this request (config order without a `book`), then its
 * `fallbacks` (each expanded the same way, each model once). A name not in `models` but of the
 * form `provider/upstream-model` goes straight to that provider.
 */
export function resolveTargets(plan: Plan, modelName: string, book?: TargetStatsBook): readonly TargetPlan[] {
  const first = lookupModel(plan, modelName);
  if (!first) {
    throw new GatewayError('model_not_found', `model "${modelName}" does not exist`, { param: 'model' });
  }
  if (first.fallbacks.length === 0) return order(first, book);
  const seen = new Set<string>([modelName]);
  const targets = [...order(first, book)];
  const queue = [...first.fallbacks];
  while (queue.length > 0) {
    const name = queue.shift()!;
    if (seen.has(name)) continue;
    seen.add(name);
    const model = lookupModel(plan, name);
    if (!model) continue;
    targets.push(...order(model, book));
    queue.push(...model.fallbacks);
  }
  return targets;
}

function order(model: ModelPlan, book: TargetStatsBook | undefined): readonly TargetPlan[] {
  return book ? orderTargets(model, book) : model.targets;
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
  const direct: ModelPlan = { name, routing: 'fallback', targets: [], retries: 1, failurePolicy: {}, fallbacks: [] };
  direct.targets.push({ key: `${provider.config.name}/${model}`, modelPlan: direct, provider, model, weight: 1 });
  return direct;
}
