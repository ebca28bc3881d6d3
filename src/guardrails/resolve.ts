import type { Plan } from '../config/plan.js';
import type { Caller } from '../server/auth.js';
import type { KeyEntry } from '../keys/registry.js';
import { createPiiDetector, type PiiDetector, type PiiEntity } from './pii/detect.js';
import { PII_ENTITY_NAMES, type DenyRuleConfig, type GuardrailAction, type GuardrailsConfig, type PiiConfig, type WebhookConfig } from './schema.js';

/** PII scanning as compiled for one model and caller. */
export interface PiiGuard {
  detector: PiiDetector;
  /** The longest person name looked for (0 without names): the longest PII finding that may contain spaces besides the fixed formats. */
  longestName: number;
  actionOf(entity: PiiEntity): GuardrailAction;
  input: boolean;
  output: boolean;
}

/** A deny rule, compiled: one case-insensitive global regex for its words or pattern. */
export interface DenyGuard {
  name: string;
  regex: RegExp;
  input: boolean;
  output: boolean;
  action: 'block' | 'redact';
  /** The longest text a match can span, for the streaming scanner (unbounded patterns are capped). */
  maxMatchLength: number;
}

/** Every guardrail that applies to requests for one model name from one caller. */
export interface GuardrailSet {
  pii?: PiiGuard;
  deny: DenyGuard[];
  maxInputTokens?: number;
  webhook?: WebhookConfig;
}

/** A streamed answer holds back at most this much for one regex rule whose matches have no bound of their own. */
const UNBOUNDED_PATTERN_HOLDBACK = 256;
/** Compiled sets per plan (or key); cleared past this many model names. */
const MAX_CACHED = 10_000;

/** Compiled sets per plan and model, for callers without guardrails of their own. */
const byPlan = new WeakMap<Plan, Map<string, GuardrailSet | null>>();
/** Per key entry (a changed key is a new entry): for the plan it was compiled under, per model. */
const byKey = new WeakMap<KeyEntry, { plan: Plan; models: Map<string, GuardrailSet | null> }>();

/**
 * The guardrails for a request: the global `guardrails:`, then the model's, then the key's, each
 * replacing `pii`, `webhook` and `max_input_tokens` and adding `deny` rules; a guardrail whose
 * `models` list leaves this model out does not apply. Null when none applies. Compiled once per
 * plan, model and key (a reload or a changed key compiles again).
 */
export function guardrailsFor(plan: Plan, model: string, caller: Caller): GuardrailSet | null {
  const key = caller.kind === 'key' && caller.key.guardrails !== null ? caller.key : undefined;
  const modelLayer = plan.config.models[model]?.guardrails;
  if (!plan.config.guardrails && !modelLayer && !key) return null;
  let cache: Map<string, GuardrailSet | null>;
  if (key) {
    let entry = byKey.get(key);
    if (!entry || entry.plan !== plan) byKey.set(key, (entry = { plan, models: new Map() }));
    cache = entry.models;
  } else {
    let forPlan = byPlan.get(plan);
    if (!forPlan) byPlan.set(plan, (forPlan = new Map()));
    cache = forPlan;
  }
  const hit = cache.get(model);
  if (hit !== undefined) return hit;
  // Client-chosen model names that route nowhere are refused later; don't let them grow the cache.
  if (cache.size >= MAX_CACHED) cache.clear();
  const set = compile(layer([plan.config.guardrails, modelLayer, key?.guardrails ?? undefined]), model);
  cache.set(model, set);
  return set;
}

interface Layered {
  pii?: PiiConfig;
  deny: DenyRuleConfig[];
  maxInputTokens?: { tokens: number; models?: string[] };
  webhook?: WebhookConfig;
}

function layer(layers: ReadonlyArray<GuardrailsConfig | undefined>): Layered {
  const out: Layered = { deny: [] };
  for (const config of layers) {
    if (!config) continue;
    if (config.pii !== undefined) out.pii = config.pii === false ? undefined : config.pii;
    if (config.webhook !== undefined) out.webhook = config.webhook === false ? undefined : config.webhook;
    if (config.max_input_tokens !== undefined) {
      const limit = config.max_input_tokens;
      out.maxInputTokens = limit === false ? undefined : typeof limit === 'number' ? { tokens: limit } : limit;
    }
    for (const rule of config.deny ?? []) {
      const same = out.deny.findIndex((existing) => existing.name === rule.name);
      if (same >= 0) out.deny[same] = rule;
      else out.deny.push(rule);
    }
  }
  return out;
}

function compile(layered: Layered, model: string): GuardrailSet | null {
  const applies = (models: readonly string[] | undefined): boolean => models === undefined || models.includes(model);
  const set: GuardrailSet = { deny: [] };
  const pii = layered.pii;
  if (pii && applies(pii.models)) {
    const names = pii.names ?? [];
    const entities = (pii.entities ?? PII_ENTITY_NAMES.filter((entity) => entity !== 'person_name' || names.length > 0)) as PiiEntity[];
    const actions = pii.actions ?? {};
    set.pii = {
      detector: createPiiDetector({ entities, names }),
      longestName: Math.max(0, ...names.map((name) => name.length)),
      actionOf: (entity: PiiEntity) => actions[entity as keyof typeof actions] ?? pii.action,
      input: pii.input,
      output: pii.output,
    };
  }
  for (const rule of layered.deny) {
    if (!applies(rule.models)) continue;
    const sources = [...(rule.words ?? []).map((word) => `(?<![\\p{L}\\p{N}_])${escapeRegex(word)}(?![\\p{L}\\p{N}_])`), ...(rule.pattern ? [`(?:${rule.pattern})`] : [])];
    const wordsLength = Math.max(0, ...(rule.words ?? []).map((word) => word.length));
    set.deny.push({
      name: rule.name,
      regex: new RegExp(sources.join('|'), 'giu'),
      input: rule.on !== 'output',
      output: rule.on !== 'input',
      action: rule.action,
      maxMatchLength: rule.pattern ? Math.max(wordsLength, UNBOUNDED_PATTERN_HOLDBACK) : wordsLength,
    });
  }
  if (layered.maxInputTokens && applies(layered.maxInputTokens.models)) set.maxInputTokens = layered.maxInputTokens.tokens;
  if (layered.webhook && applies(layered.webhook.models)) set.webhook = layered.webhook;
  return set.pii || set.deny.length > 0 || set.maxInputTokens !== undefined || set.webhook ? set : null;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
