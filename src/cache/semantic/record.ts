import type { PromptGuard } from './prompt.js';

/**
 * One cached prompt for the semantic cache: its vector and guard, and the exact-cache key its
 * answer is stored under (the answer itself lives in the response cache's store, once).
 */
export interface SemanticRecord {
  /** The answer's key in the cache store (`namespace|model|hash`). */
  key: string;
  namespace: string;
  /** The model name the client sent. */
  model: string;
  /** Only records of the same partition are compared: namespace, model, client API and embedding model. */
  partition: string;
  guard: PromptGuard;
  vector: Float32Array;
  expiresAt: number;
}

/** The partition of a request: a cached answer is only ever compared within its namespace, model, API and embedding model. */
export function partitionOf(namespace: string, model: string, api: string, embeddingModel: string): string {
  return [namespace, model, api, embeddingModel].map(encodeURIComponent).join('|');
}

/** JSON for Redis, pub/sub and database rows; the vector as base64 of little-endian float32. */
export function encodeRecord(record: SemanticRecord): string {
  const vector = Buffer.from(record.vector.buffer, record.vector.byteOffset, record.vector.byteLength).toString('base64');
  return JSON.stringify({ v: 1, key: record.key, namespace: record.namespace, model: record.model, partition: record.partition, guard: record.guard, vector, expiresAt: record.expiresAt });
}

/** The record, or undefined for text that is not one (another version, or damaged). */
export function decodeRecord(text: string): SemanticRecord | undefined {
  try {
    const raw = JSON.parse(text) as Record<string, unknown>;
    if (raw.v !== 1 || typeof raw.key !== 'string' || typeof raw.partition !== 'string' || typeof raw.vector !== 'string') return undefined;
    if (typeof raw.expiresAt !== 'number' || typeof raw.guard !== 'object' || raw.guard === null) return undefined;
    const bytes = Buffer.from(raw.vector, 'base64');
    if (bytes.byteLength === 0 || bytes.byteLength % 4 !== 0) return undefined;
    // Copied into its own aligned buffer: a Buffer's offset in its pool need not be a multiple of 4.
    const vector = new Float32Array(bytes.byteLength / 4);
    new Uint8Array(vector.buffer).set(bytes);
    return {
      key: raw.key,
      namespace: String(raw.namespace),
      model: String(raw.model),
      partition: raw.partition,
      guard: raw.guard as PromptGuard,
      vector,
      expiresAt: raw.expiresAt,
    };
  } catch {
    return undefined;
  }
}
