import type { Logger } from '../../telemetry/logger.js';
import type { KeyFilter } from '../key.js';
import type { CachedAnswer, ResponseCache } from '../response-cache.js';
import { guardMismatches, type GuardPart, type PromptGuard } from './prompt.js';
import type { SemanticRecord } from './record.js';
import type { VectorStore } from './vectors.js';

/** Nearest cached prompts looked at per lookup: enough to get past a few near misses (another system prompt, other tools). */
const CANDIDATES = 8;

/** What a semantic miss keeps, to file its answer under its prompt once the answer is stored. */
export interface SemanticQuery {
  partition: string;
  namespace: string;
  model: string;
  guard: PromptGuard;
  vector: Float32Array;
}

/** Why the nearest cached prompt was not served: too far, or the same question asked in another setting. */
export type NearMissReason = 'below_threshold' | GuardPart;

export type SemanticOutcome = { kind: 'hit'; answer: CachedAnswer; score: number } | { kind: 'miss'; nearMiss?: { reason: NearMissReason; score: number } };

/**
 * The semantic cache: finds the cached prompt nearest to a request's (cosine similarity of their
 * embeddings) among those of the same partition, and serves its answer when it is at least
 * `threshold` similar and its guard (system prompt, tools, parameters, conversation shape) is the
 * same. Answers live once, in the response cache's store; this keeps only prompts and their keys.
 */
export class SemanticCache {
  #started: Promise<void> | undefined;
  #retryAt = 0;
  #lastErrorLogAt = 0;

  constructor(
    readonly vectors: VectorStore,
    private readonly answers: ResponseCache,
    private readonly logger: Logger,
  ) {}

  /** Loads the records and starts following other instances (once; later calls get the first's promise). */
  start(): Promise<void> {
    if (this.#started) return this.#started;
    if (Date.now() < this.#retryAt) return Promise.resolve();
    this.#started = this.vectors.start().catch((error: unknown) => {
      this.#logError('start', error);
      // Tried again by a lookup at least 10 s later: the store may have come up.
      this.#started = undefined;
      this.#retryAt = Date.now() + 10_000;
    });
    return this.#started;
  }

  async lookup(query: SemanticQuery, threshold: number): Promise<SemanticOutcome> {
    // Never waits for the load: until it is done, what is loaded so far is searched.
    void this.start();
    let neighbours;
    try {
      neighbours = await this.vectors.nearest(query.partition, query.vector, CANDIDATES);
    } catch (error) {
      this.#logError('lookup', error);
      return { kind: 'miss' };
    }
    // The near miss reported is the closest rejected candidate: fewest guard differences, then highest score.
    let nearMiss: { reason: NearMissReason; score: number; differences: number } | undefined;
    for (const { record, score } of neighbours) {
      if (score < threshold) {
        nearMiss ??= { reason: 'below_threshold', score, differences: Infinity };
        break;
      }
      const mismatches = guardMismatches(record.guard, query.guard);
      if (mismatches.length > 0) {
        if (!nearMiss || mismatches.length < nearMiss.differences) nearMiss = { reason: mismatches[0]!, score, differences: mismatches.length };
        continue;
      }
      const answer = await this.answers.read(record.key);
      if (answer) return { kind: 'hit', answer, score };
      // Its answer expired or was evicted: the prompt goes too.
      this.vectors.forget(record.key);
    }
    return nearMiss ? { kind: 'miss', nearMiss: { reason: nearMiss.reason, score: nearMiss.score } } : { kind: 'miss' };
  }

  /** Files a stored answer under its prompt, for every instance (off the request path; failures are logged). */
  remember(query: SemanticQuery, key: string, expiresAt: number): void {
    const record: SemanticRecord = { key, namespace: query.namespace, model: query.model, partition: query.partition, guard: query.guard, vector: query.vector, expiresAt };
    this.vectors.add(record).catch((error: unknown) => this.#logError('write', error));
  }

  /** The Redis connection that shares the prompts, once the semantic cache is in use (for /health/ready). */
  connection(): string | undefined {
    return this.#started ? this.vectors.connection() : undefined;
  }

  async clear(filter: KeyFilter): Promise<void> {
    await this.vectors.clear(filter);
  }

  async close(): Promise<void> {
    await this.vectors.close();
  }

  #logError(what: string, error: unknown): void {
    if (Date.now() - this.#lastErrorLogAt < 10_000) return;
    this.#lastErrorLogAt = Date.now();
    this.logger.warn({ err: error instanceof Error ? error.message : String(error), vectors: this.vectors.kind }, `semantic cache ${what} failed; serving without it`);
  }
}
