import { createRequire } from 'node:module';
import type { KeyFilter } from '../key.js';
import type { SemanticRecord } from './record.js';

/** The slice of usearch's `Index` used here. */
interface UsearchIndex {
  add(keys: bigint, vectors: Float32Array, threads: number): void;
  search(vector: Float32Array, k: number, threads: number): { keys: BigUint64Array; distances: Float32Array };
  remove(keys: bigint): number;
  size(): number;
}
type UsearchIndexClass = new (config: { dimensions: number; metric: 'cos'; quantization: 'i8'; connectivity: number }) => UsearchIndex;

let usearchIndex: UsearchIndexClass | undefined;

/**
 * usearch, loaded on first use: only gateways with a semantic cache pay for it. Its CommonJS build
 * is required (its ES build cannot find its own prebuilt binary).
 */
function loadUsearch(): UsearchIndexClass {
  usearchIndex ??= (createRequire(import.meta.url)('usearch') as { Index: UsearchIndexClass }).Index;
  return usearchIndex;
}

export interface Neighbour {
  record: SemanticRecord;
  /** Cosine similarity, 1 for the same direction. */
  score: number;
}

interface Partition {
  index: UsearchIndex;
  dimensions: number;
  /** Removals since the index was built: HNSW removal leaves tombstones, so a partition is rebuilt past a point. */
  removed: number;
}

interface Slot {
  id: bigint;
  record: SemanticRecord;
}

/**
 * This instance's in-process vector index: one usearch HNSW graph (cosine) per partition, so a
 * search never sees another namespace's or model's prompts. Bounded by `maxEntries` (the oldest
 * records go first) and by expiry (expired records are skipped and removed as they are met, and by
 * `sweep`). Adding a record with a key already present replaces it
 * (unless it is the same record, heard again).
 */
export class VectorIndex {
  readonly #partitions = new Map<string, Partition>();
  /** By key, oldest first (a re-added key moves to the end). */
  readonly #slots = new Map<string, Slot>();
  readonly #keysById = new Map<bigint, string>();
  #nextId = 1n;

  constructor(
    private readonly maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.#slots.size;
  }

  add(record: SemanticRecord): void {
    if (record.expiresAt <= this.now()) return;
    // Heard again (its own announcement, a poll's overlap): nothing to do.
    if (this.#slots.get(record.key)?.record.expiresAt === record.expiresAt) return;
    this.remove(record.key);
    let partition = this.#partitions.get(record.partition);
    if (partition && partition.dimensions !== record.vector.length) {
      // The embedding model now gives another size: the old vectors cannot be compared with the new.
      this.#dropPartition(record.partition);
      partition = undefined;
    }
    if (!partition) {
      partition = { index: newIndex(record.vector.length), dimensions: record.vector.length, removed: 0 };
      this.#partitions.set(record.partition, partition);
    }
    const id = this.#nextId++;
    partition.index.add(id, record.vector, 1);
    this.#slots.set(record.key, { id, record });
    this.#keysById.set(id, record.key);
    while (this.#slots.size > this.maxEntries) this.remove(this.#slots.keys().next().value!);
  }

  /** The `k` nearest live records of the partition, most similar first. */
  nearest(partitionName: string, vector: Float32Array, k: number): Neighbour[] {
    const partition = this.#partitions.get(partitionName);
    if (!partition || partition.dimensions !== vector.length || partition.index.size() === 0) return [];
    const found = partition.index.search(vector, k, 1);
    const now = this.now();
    const neighbours: Neighbour[] = [];
    for (let i = 0; i < found.keys.length; i++) {
      const key = this.#keysById.get(found.keys[i]!);
      const slot = key === undefined ? undefined : this.#slots.get(key);
      if (!slot) continue;
      if (slot.record.expiresAt <= now) {
        this.remove(slot.record.key);
        continue;
      }
      neighbours.push({ record: slot.record, score: cosine(slot.record.vector, vector) });
    }
    // The graph's distances are of 8-bit vectors: the scores compared with the threshold are exact.
    return neighbours.sort((a, b) => b.score - a.score);
  }

  remove(key: string): void {
    const slot = this.#slots.get(key);
    if (!slot) return;
    this.#slots.delete(key);
    this.#keysById.delete(slot.id);
    const partition = this.#partitions.get(slot.record.partition);
    if (!partition) return;
    partition.index.remove(slot.id);
    partition.removed++;
    if (partition.index.size() === 0) this.#partitions.delete(slot.record.partition);
    else if (partition.removed > 1_000 && partition.removed > partition.index.size()) this.#rebuild(slot.record.partition);
  }

  /** Removes the records of a namespace and/or model; returns how many. */
  removeMatching(filter: KeyFilter): number {
    const keys = [...this.#slots.keys()].filter((key) => filter.matches(key));
    for (const key of keys) this.remove(key);
    return keys.length;
  }

  /** Removes expired records; returns how many. */
  sweep(): number {
    const now = this.now();
    const expired = [...this.#slots.values()].filter((slot) => slot.record.expiresAt <= now).map((slot) => slot.record.key);
    for (const key of expired) this.remove(key);
    return expired.length;
  }

  #dropPartition(name: string): void {
    for (const [key, slot] of this.#slots) {
      if (slot.record.partition !== name) continue;
      this.#slots.delete(key);
      this.#keysById.delete(slot.id);
    }
    this.#partitions.delete(name);
  }

  #rebuild(name: string): void {
    const old = this.#partitions.get(name)!;
    const partition: Partition = { index: newIndex(old.dimensions), dimensions: old.dimensions, removed: 0 };
    for (const slot of this.#slots.values()) if (slot.record.partition === name) partition.index.add(slot.id, slot.record.vector, 1);
    this.#partitions.set(name, partition);
  }
}

/**
 * The graph holds 8-bit quantized vectors: measured at 1536 dimensions, adding and searching are
 * ~5x faster than with 32-bit floats (bench/semantic-index.ts); the full vectors stay in the
 * records, and candidates are re-scored with them.
 */
function newIndex(dimensions: number): UsearchIndex {
  const Index = loadUsearch();
  return new Index({ dimensions, metric: 'cos', quantization: 'i8', connectivity: 16 });
}

/** Cosine similarity of two vectors of the same length (0 when either is all zeros). */
export function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    normA += a[i]! * a[i]!;
    normB += b[i]! * b[i]!;
  }
  return normA === 0 || normB === 0 ? 0 : dot / Math.sqrt(normA * normB);
}
