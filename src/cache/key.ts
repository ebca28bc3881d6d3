import { createHash } from 'node:crypto';
import type { Caller } from '../server/auth.js';

/** Fields that do not change the answer: how it is delivered, and who asked (for the provider's logs). */
const IGNORED_FIELDS = new Set(['stream', 'stream_options', 'user', 'metadata']);

export type CacheScope = 'global' | 'key' | 'team';

/**
 * The exact-cache key of a request: a SHA-256 over the client's dialect, the namespace its scope
 * gives it, and its body with the keys sorted, less `stream`, `stream_options`, `user` and
 * `metadata`. The model is the name the client sent. A streamed answer therefore serves a JSON
 * request and back, and two clients that order their JSON keys differently share an entry.
 */
export function exactCacheKey(dialect: string, namespace: string, body: Readonly<Record<string, unknown>>): string {
  const hash = createHash('sha256');
  hash.update(`${dialect}\n${namespace}\n`);
  hash.update(canonicalJson(body, IGNORED_FIELDS));
  return hash.digest('hex');
}

/**
 * Where an entry is stored: `namespace|model|hash`, both names URI-encoded (so `|` only separates),
 * which lets `DELETE /admin/cache` clear a namespace or a model without reading entries.
 */
export function storeKeyOf(namespace: string, model: string, hash: string): string {
  return `${encodeURIComponent(namespace)}|${encodeURIComponent(model)}|${hash}`;
}

/** Entries of one namespace and/or model: as given, as a Redis `SCAN MATCH` pattern, and as a test in JS. */
export interface KeyFilter {
  readonly namespace?: string;
  readonly model?: string;
  readonly pattern: string;
  matches(storeKey: string): boolean;
}

/** The namespace and model a store key was made from (undefined for a key not made by `storeKeyOf`). */
export function partsOfStoreKey(storeKey: string): { namespace: string; model: string } | undefined {
  const [namespace, model, hash] = storeKey.split('|', 3);
  if (namespace === undefined || model === undefined || hash === undefined) return undefined;
  try {
    return { namespace: decodeURIComponent(namespace), model: decodeURIComponent(model) };
  } catch {
    return undefined;
  }
}

export function keyFilter(namespace?: string, model?: string): KeyFilter {
  const ns = namespace === undefined ? undefined : encodeURIComponent(namespace);
  const name = model === undefined ? undefined : encodeURIComponent(model);
  return {
    ...(namespace !== undefined && { namespace }),
    ...(model !== undefined && { model }),
    pattern: `${ns === undefined ? '*' : escapeGlob(ns)}|${name === undefined ? '*' : escapeGlob(name)}|*`,
    matches: (storeKey) => {
      const [keyNs, keyModel] = storeKey.split('|', 2);
      return (ns === undefined || keyNs === ns) && (name === undefined || keyModel === name);
    },
  };
}

/** Redis glob characters taken literally (`encodeURIComponent` leaves `*` as it is). */
function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}

/** The namespace of a caller's entries: one for everyone, one per key, or one per team (a key without a team is its own). */
export function cacheNamespace(scope: CacheScope, caller: Caller): string {
  if (scope === 'global') return 'global';
  if (caller.kind !== 'key') return `${caller.kind}`;
  if (scope === 'team' && caller.key.team !== null) return `team:${caller.key.team}`;
  return `key:${caller.key.id}`;
}

/**
 * Whether an answer to this body may be served again: not when it sets `temperature` above 0
 * (the client asked for variety) unless `any_temperature` is on. No temperature means the
 * provider's default, and is cached: most clients never set one.
 */
export function deterministicEnough(body: Readonly<Record<string, unknown>>, anyTemperature: boolean): boolean {
  if (anyTemperature) return true;
  const temperature = body.temperature;
  return !(typeof temperature === 'number' && temperature > 0);
}

/** JSON with object keys sorted at every level (top-level keys in `skip` left out); iterative, so depth cannot overflow the stack. */
export function canonicalJson(value: unknown, skip: ReadonlySet<string> = new Set()): string {
  let out = '';
  // A work list of values to write and literal text between them.
  const work: Array<{ value: unknown; top: boolean } | string> = [{ value, top: true }];
  while (work.length > 0) {
    const item = work.pop()!;
    if (typeof item === 'string') {
      out += item;
      continue;
    }
    const current = item.value;
    if (Array.isArray(current)) {
      work.push(']');
      for (let i = current.length - 1; i >= 0; i--) {
        work.push({ value: current[i] ?? null, top: false });
        if (i > 0) work.push(',');
      }
      out += '[';
    } else if (current !== null && typeof current === 'object') {
      const keys = Object.keys(current)
        .filter((key) => !(item.top && skip.has(key)) && (current as Record<string, unknown>)[key] !== undefined)
        .sort();
      work.push('}');
      for (let i = keys.length - 1; i >= 0; i--) {
        work.push({ value: (current as Record<string, unknown>)[keys[i]!], top: false });
        work.push(`${i > 0 ? ',' : ''}${JSON.stringify(keys[i])}:`);
      }
      out += '{';
    } else {
      out += JSON.stringify(current) ?? 'null';
    }
  }
  return out;
}
