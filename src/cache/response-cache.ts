import type { CacheSettings } from '../config/plan.js';
import type { ChatResponse } from '../ir/chat.js';
import type { Caller } from '../server/auth.js';
import type { Logger } from '../telemetry/logger.js';
import { parseCacheControl } from './cache-control.js';
import { cacheNamespace, deterministicEnough, exactCacheKey, storeKeyOf, type KeyFilter } from './key.js';
import type { CacheStore } from './store.js';

/** An answer kept in the cache: provider-neutral, so either dialect, streamed or not, can be served from it. */
export interface CachedAnswer {
  v: 1;
  response: ChatResponse;
  /** A JSON answer's body exactly as the client got it (always in the dialect of the key), served as is to JSON requests. */
  json?: string;
  /** The provider (config name) and upstream model that made it. */
  provider: string;
  model: string;
  /** What it cost when it was made: what each hit saves. */
  costUsd: number;
  storedAt: number;
}

/** What the cache does for one request. */
export interface CacheDecision {
  key: string;
  /** Look it up (false with `Cache-Control: no-cache`: `x-switchyard-cache: bypass`). */
  read: boolean;
  /** Store the answer, for this long. */
  write: boolean;
  ttlMs: number;
}

/** The first of identical requests in flight: it hands its answer (or nothing, if it failed) to those waiting. */
export interface Flight {
  finish(answer: CachedAnswer | undefined): void;
}

/** An entry larger than this is not stored: the cache is for repeated prompts, not for hoarding huge answers. */
const MAX_ENTRY_CHARS = 4 * 1024 * 1024;

/**
 * The response cache around the core proxy (exact; `semantic-cache.ts` adds the semantic lookup): decides per request (mode, temperature,
 * `Cache-Control`, scope), reads before routing and writes after a complete, successful answer.
 * A store that fails (Redis down) is a miss and a skipped write, never a failed request.
 */
export class ResponseCache {
  #lastErrorLogAt = 0;
  /** Requests in flight by key, for singleflight: their answer, once they have one. */
  readonly #flights = new Map<string, Promise<CachedAnswer | undefined>>();

  constructor(
    readonly store: CacheStore,
    private readonly logger: Logger,
  ) {}

  /** undefined when the cache has nothing to do with this request. */
  decide(config: CacheSettings | undefined, dialect: string, caller: Caller, body: Readonly<Record<string, unknown>>, cacheControl: string | string[] | undefined): CacheDecision | undefined {
    if (config === undefined || config.mode === 'off') return undefined;
    if (!deterministicEnough(body, config.any_temperature)) return undefined;
    const directives = parseCacheControl(cacheControl);
    const namespace = cacheNamespace(config.scope, caller);
    const key = storeKeyOf(namespace, typeof body.model === 'string' ? body.model : '', exactCacheKey(dialect, namespace, body));
    return { key, read: directives.read, write: directives.write, ttlMs: (directives.maxAgeS ?? config.ttl_s) * 1000 };
  }

  /** The stored answer, or undefined (missing, expired, unreadable, or the store failed). */
  async read(key: string): Promise<CachedAnswer | undefined> {
    let text: string | undefined;
    try {
      text = await this.store.get(key);
    } catch (error) {
      this.#logError('read', error);
      return undefined;
    }
    if (text === undefined) return undefined;
    try {
      const answer = JSON.parse(text) as CachedAnswer;
      return answer.v === 1 && Array.isArray(answer.response?.choices) ? answer : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Singleflight: the first request for `key` becomes the flight (it must `finish` it, whatever
   * happens); later ones get a promise of its answer, which is undefined if it failed or took
   * longer than `waitMs` (they then go upstream themselves). Per instance.
   */
  join(key: string, waitMs: number): { flight: Flight } | { wait: Promise<CachedAnswer | undefined> } {
    const running = this.#flights.get(key);
    if (running) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), waitMs)));
      return { wait: Promise.race([running, timeout]).finally(() => clearTimeout(timer)) };
    }
    let resolve!: (answer: CachedAnswer | undefined) => void;
    this.#flights.set(key, new Promise((done) => (resolve = done)));
    let finished = false;
    return {
      flight: {
        finish: (answer) => {
          if (finished) return;
          finished = true;
          this.#flights.delete(key);
          resolve(answer);
        },
      },
    };
  }

  /**
   * Stores an answer off the request path (a failure is logged, never thrown); returns the entry.
   * `onStored` runs once the store has it, with its expiry (the semantic cache files it then).
   */
  write(decision: CacheDecision, answer: Omit<CachedAnswer, 'v' | 'storedAt'>, onStored?: (expiresAt: number) => void): CachedAnswer {
    const entry: CachedAnswer = { v: 1, ...answer, storedAt: Date.now() };
    if (!decision.write || decision.ttlMs <= 0) return entry;
    const text = JSON.stringify(entry);
    if (text.length > MAX_ENTRY_CHARS) return entry;
    const expiresAt = entry.storedAt + decision.ttlMs;
    this.store.set(decision.key, text, decision.ttlMs).then(
      () => onStored?.(expiresAt),
      (error: unknown) => this.#logError('write', error),
    );
    return entry;
  }

  /** `DELETE /admin/cache`: every entry of a namespace and/or model (all without either); how many were removed. */
  clear(filter: KeyFilter): Promise<number> {
    return this.store.deleteMatching(filter);
  }

  /** Where entries live, and for Redis its connection state (for /health/ready). */
  backend(): ReturnType<CacheStore['backend']> {
    return this.store.backend();
  }

  close(): Promise<void> {
    return this.store.close();
  }

  #logError(what: string, error: unknown): void {
    if (Date.now() - this.#lastErrorLogAt < 10_000) return;
    this.#lastErrorLogAt = Date.now();
    this.logger.warn({ err: error instanceof Error ? error.message : String(error), store: this.store.kind }, `response cache ${what} failed; serving without it`);
  }
}
