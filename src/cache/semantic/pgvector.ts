import type pg from 'pg';
import type { KeyFilter } from '../key.js';
import type { PromptGuard } from './prompt.js';
import type { SemanticRecord } from './record.js';
import type { Neighbour } from './vector-index.js';
import type { VectorStore } from './vectors.js';

/** Expired rows are deleted at most this often, by a write. */
const PRUNE_EVERY_MS = 60_000;

/** pgvector's text form of a vector: `[0.1,0.2,...]`. */
export function vectorLiteral(vector: Float32Array): string {
  return `[${Array.from(vector, (value) => (Number.isFinite(value) ? value : 0)).join(',')}]`;
}

/**
 * `cache.semantic.store: pgvector`: the prompts live in PostgreSQL (table `semantic_cache_vectors`,
 * column type `vector` from the pgvector extension) and each lookup is one query there, ordered by
 * cosine distance (`<=>`) within the partition: every instance sees every record at once, and no
 * instance holds an index. The table and extension are created at start; a server without the
 * extension fails the start with that reason (the gateway then serves without the semantic cache).
 */
export class PgvectorVectors implements VectorStore {
  readonly kind = 'pgvector';
  #pool: pg.Pool | undefined;
  #lastPruneAt = 0;

  constructor(
    private readonly url: string,
    private readonly now: () => number = Date.now,
  ) {}

  async start(): Promise<void> {
    const { default: pgModule } = await import('pg');
    const pool = new pgModule.Pool({ connectionString: this.url, max: 4, connectionTimeoutMillis: 5_000, idleTimeoutMillis: 30_000 });
    pool.on('error', () => {});
    try {
      try {
        await pool.query('create extension if not exists vector');
      } catch (error) {
        throw new Error(`pgvector: this PostgreSQL server has no usable "vector" extension (${error instanceof Error ? error.message : String(error)})`);
      }
      await pool.query(
        `create table if not exists semantic_cache_vectors (
           key text primary key, namespace text not null, model text not null, partition text not null,
           guard text not null, embedding vector not null, expires_at bigint not null)`,
      );
      await pool.query('create index if not exists semantic_cache_vectors_partition on semantic_cache_vectors (partition, expires_at)');
    } catch (error) {
      await pool.end().catch(() => {});
      throw error;
    }
    this.#pool = pool;
  }

  async nearest(partition: string, vector: Float32Array, k: number): Promise<Neighbour[]> {
    const literal = vectorLiteral(vector);
    const result = await this.#db().query<{ key: string; namespace: string; model: string; guard: string; expires_at: string; score: number }>(
      `select key, namespace, model, guard, expires_at, 1 - (embedding <=> $1::vector) as score
         from semantic_cache_vectors
        where partition = $2 and expires_at > $3 and vector_dims(embedding) = $4
        order by embedding <=> $1::vector
        limit $5`,
      [literal, partition, this.now(), vector.length, k],
    );
    return result.rows.map((row) => ({
      record: {
        key: row.key,
        namespace: row.namespace,
        model: row.model,
        partition,
        guard: JSON.parse(row.guard) as PromptGuard,
        vector: new Float32Array(0),
        expiresAt: Number(row.expires_at),
      },
      score: Number(row.score),
    }));
  }

  async add(record: SemanticRecord): Promise<void> {
    const db = this.#db();
    await db.query(
      `insert into semantic_cache_vectors (key, namespace, model, partition, guard, embedding, expires_at)
       values ($1, $2, $3, $4, $5, $6::vector, $7)
       on conflict (key) do update set partition = excluded.partition, guard = excluded.guard, embedding = excluded.embedding, expires_at = excluded.expires_at`,
      [record.key, record.namespace, record.model, record.partition, JSON.stringify(record.guard), vectorLiteral(record.vector), record.expiresAt],
    );
    const now = this.now();
    if (now - this.#lastPruneAt >= PRUNE_EVERY_MS) {
      this.#lastPruneAt = now;
      await db.query('delete from semantic_cache_vectors where expires_at <= $1', [now]);
    }
  }

  forget(key: string): void {
    this.#pool?.query('delete from semantic_cache_vectors where key = $1', [key]).catch(() => {});
  }

  async clear(filter: KeyFilter): Promise<void> {
    const conditions: string[] = [];
    const values: string[] = [];
    if (filter.namespace !== undefined) conditions.push(`namespace = $${values.push(filter.namespace)}`);
    if (filter.model !== undefined) conditions.push(`model = $${values.push(filter.model)}`);
    await this.#db().query(`delete from semantic_cache_vectors${conditions.length > 0 ? ` where ${conditions.join(' and ')}` : ''}`, values);
  }

  connection(): undefined {
    return undefined;
  }

  async close(): Promise<void> {
    await this.#pool?.end();
    this.#pool = undefined;
  }

  #db(): pg.Pool {
    if (!this.#pool) throw new Error('pgvector: not started');
    return this.#pool;
  }
}
