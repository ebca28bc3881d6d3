import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { z } from 'zod';
import { configSchema, type Config } from './schema.js';
import { interpolate } from './interpolate.js';
import { suggestion } from './did-you-mean.js';
import { PROVIDER_TYPES } from '../providers/registry.js';

/** One thing wrong with a config: where (`models.smart.targets[1].provider`) and what. */
export interface ConfigProblem {
  path: string;
  message: string;
}

export type ValidationResult = { ok: true; config: Config } | { ok: false; problems: ConfigProblem[] };

/** Parses YAML text, interpolates `${ENV}`, validates structure and cross-references. */
export function validateConfigText(text: string, env: NodeJS.ProcessEnv = process.env): ValidationResult {
  let document: unknown;
  try {
    document = parseYaml(text) ?? {};
  } catch (error) {
    const where = error instanceof YAMLParseError && error.linePos ? `line ${error.linePos[0].line}` : '(file)';
    return { ok: false, problems: [{ path: where, message: `invalid YAML: ${(error as Error).message.split('\n')[0]}` }] };
  }
  if (typeof document !== 'object' || Array.isArray(document)) {
    return { ok: false, problems: [{ path: '(root)', message: 'expected a mapping of sections (server, providers, models, ...)' }] };
  }
  return validateConfigObject(interpolate(document, env));
}

/** Validates an already-parsed (and interpolated) config object. */
export function validateConfigObject(document: unknown): ValidationResult {
  const parsed = configSchema.safeParse(document, { reportInput: true });
  if (!parsed.success) return { ok: false, problems: parsed.error.issues.flatMap(describeIssue) };
  const problems = crossReferenceProblems(parsed.data);
  return problems.length > 0 ? { ok: false, problems } : { ok: true, config: parsed.data };
}

function crossReferenceProblems(config: Config): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const providerNames = Object.keys(config.providers);
  for (const [name, provider] of Object.entries(config.providers)) {
    if (!PROVIDER_TYPES.has(provider.type)) {
      problems.push({
        path: `providers.${name}.type`,
        message: `unknown provider type "${provider.type}"${suggestion(provider.type, PROVIDER_TYPES.keys())}`,
      });
    }
  }
  for (const [name, model] of Object.entries(config.models)) {
    model.targets.forEach((target, index) => {
      if (!(target.provider in config.providers)) {
        problems.push({
          path: `models.${name}.targets[${index}].provider`,
          message: `unknown provider "${target.provider}"${suggestion(target.provider, providerNames)}`,
        });
      }
    });
    if (model.sticky !== undefined && model.routing !== 'weighted' && model.routing !== 'round-robin') {
      problems.push({ path: `models.${name}.sticky`, message: `needs routing: weighted or round-robin (not ${model.routing})` });
    }
    model.fallbacks.forEach((fallback, index) => {
      if (!(fallback in config.models) && !isDirectModel(fallback, config)) {
        problems.push({
          path: `models.${name}.fallbacks[${index}]`,
          message: `unknown model "${fallback}"${suggestion(fallback, Object.keys(config.models))}`,
        });
      } else if (fallback === name) {
        problems.push({ path: `models.${name}.fallbacks[${index}]`, message: 'a model cannot fall back to itself' });
      }
    });
  }
  const keyNames = new Map<string, number>();
  const keyValues = new Map<string, number>();
  config.keys.forEach((key, index) => {
    const sameName = keyNames.get(key.name);
    if (sameName !== undefined) problems.push({ path: `keys[${index}].name`, message: `"${key.name}" is also the name of keys[${sameName}]` });
    else keyNames.set(key.name, index);
    const sameKey = keyValues.get(key.key);
    // The value itself is never printed: it is a secret.
    if (sameKey !== undefined) problems.push({ path: `keys[${index}].key`, message: `the same key as keys[${sameKey}]` });
    else keyValues.set(key.key, index);
    if (config.server.master_key !== undefined && key.key === config.server.master_key) {
      problems.push({ path: `keys[${index}].key`, message: 'the same value as server.master_key' });
    }
  });
  if (config.cache?.store === 'redis' && config.redis === undefined) {
    problems.push({ path: 'cache.store', message: 'redis needs the top-level `redis` URL' });
  }
  problems.push(...semanticCacheProblems(config));
  return problems;
}

/** `mode: semantic` (global or for a model) needs an embedding model this gateway serves; pgvector needs PostgreSQL. */
function semanticCacheProblems(config: Config): ConfigProblem[] {
  const semanticModels = Object.entries(config.models).filter(([, model]) => model.cache?.mode === 'semantic').map(([name]) => name);
  if (config.cache?.mode !== 'semantic' && semanticModels.length === 0) return [];
  const embeddingModel = config.cache?.embedding_model;
  if (embeddingModel === undefined) {
    const where = config.cache?.mode === 'semantic' ? 'cache.mode' : `models.${semanticModels[0]}.cache.mode`;
    return [{ path: 'cache.embedding_model', message: `${where} is semantic: name the model that embeds prompts (one this gateway serves)` }];
  }
  const problems: ConfigProblem[] = [];
  if (!(embeddingModel in config.models) && !isDirectModel(embeddingModel, config)) {
    problems.push({ path: 'cache.embedding_model', message: `unknown model "${embeddingModel}"${suggestion(embeddingModel, Object.keys(config.models))}` });
  }
  if (config.cache?.semantic.store === 'pgvector' && !/^postgres(ql)?:/.test(config.storage)) {
    problems.push({ path: 'cache.semantic.store', message: 'pgvector needs `storage` to be a postgres:// URL' });
  }
  return problems;
}

/** `provider/upstream-model` naming a configured provider. */
function isDirectModel(name: string, config: Config): boolean {
  const slash = name.indexOf('/');
  return slash > 0 && name.slice(0, slash) in config.providers;
}

/**
 * A union's failure as the branch that got furthest: `pii: { action: shred }` against
 * `object | false` is a bad `pii.action`, not an "invalid input" at `pii`.
 */
export function unwrapUnion(issue: z.core.$ZodIssue): z.core.$ZodIssue[] {
  if (issue.code !== 'invalid_union' || issue.errors.length === 0) return [issue];
  const depth = (issues: readonly z.core.$ZodIssue[]): number => Math.max(0, ...issues.map((sub) => sub.path.length));
  const best = issue.errors.reduce((a, b) => (depth(b) > depth(a) ? b : a));
  if (depth(best) === 0) return [issue];
  return best.flatMap((sub) => unwrapUnion({ ...sub, path: [...issue.path, ...sub.path] } as z.core.$ZodIssue));
}

function describeIssue(issue: z.core.$ZodIssue): ConfigProblem[] {
  if (issue.code === 'invalid_union') {
    const unwrapped = unwrapUnion(issue);
    if (unwrapped[0] !== issue) return unwrapped.flatMap(describeIssue);
  }
  const path = formatPath(issue.path);
  if (issue.code === 'unrecognized_keys') {
    const known = knownKeysAt(issue.path);
    return issue.keys.map((key) => ({
      path: path ? `${path}.${key}` : key,
      message: `unknown key "${key}"${suggestion(key, known)}`,
    }));
  }
  if (issue.code === 'invalid_value' && 'values' in issue) {
    const received = valueAt(issue);
    const options = issue.values.map(String);
    const hint = typeof received === 'string' ? suggestion(received, options) : '';
    return [{ path, message: `must be one of ${options.map((v) => `"${v}"`).join(', ')}${hint}` }];
  }
  return [{ path: path || '(root)', message: issue.message }];
}

function valueAt(issue: z.core.$ZodIssue): unknown {
  return (issue as { input?: unknown }).input;
}

/** `['models','smart','targets',1,'provider']` → `models.smart.targets[1].provider`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out ? `.${String(segment)}` : String(segment);
  }
  return out;
}

/** The keys the schema allows at an object path, for did-you-mean on unknown keys. */
function knownKeysAt(path: ReadonlyArray<PropertyKey>): string[] {
  let node = unwrap(configSchema as unknown as z.core.$ZodType);
  for (const segment of path) {
    const def = node._zod.def as unknown as Record<string, unknown>;
    if (def.type === 'object') {
      const shape = def.shape as Record<string, z.core.$ZodType>;
      const next = shape[String(segment)];
      if (!next) return [];
      node = unwrap(next);
    } else if (def.type === 'record') node = unwrap(def.valueType as z.core.$ZodType);
    else if (def.type === 'array') node = unwrap(def.element as z.core.$ZodType);
    else return [];
  }
  const def = node._zod.def as unknown as Record<string, unknown>;
  return def.type === 'object' ? Object.keys(def.shape as object) : [];
}

function unwrap(schema: z.core.$ZodType): z.core.$ZodType {
  let node = schema;
  for (;;) {
    const def = node._zod.def as unknown as Record<string, unknown>;
    if (def.innerType) node = def.innerType as z.core.$ZodType;
    else if (def.type === 'pipe') node = def.in as z.core.$ZodType;
    else return node;
  }
}
