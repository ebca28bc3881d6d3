// Kysely 0.28: the last line supporting Node 20 (0.29 needs Node 22).
import { Migrator, sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';

/**
 * Versioned migrations, in order, written once with Kysely's schema builder for both SQLite and
 * PostgreSQL. Never edit a migration that has shipped: add the next one.
 */
const MIGRATIONS: Record<string, Migration> = {
  '0001_request_log': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('requests')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('api', 'text', (c) => c.notNull())
        .addColumn('key_id', 'text')
        .addColumn('model', 'text')
        .addColumn('provider', 'text')
        .addColumn('upstream_model', 'text')
        .addColumn('variant', 'text')
        .addColumn('status', 'integer', (c) => c.notNull())
        .addColumn('error_code', 'text')
        .addColumn('error_message', 'text')
        .addColumn('stream', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('latency_ms', 'integer', (c) => c.notNull())
        .addColumn('ttft_ms', 'integer')
        .addColumn('input_tokens', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('output_tokens', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('cached_tokens', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('reasoning_tokens', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('tokens_estimated', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('cost_usd', 'double precision', (c) => c.notNull().defaultTo(0))
        .addColumn('cache', 'text')
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('attempt_log', 'text')
        .addColumn('tags', 'text')
        .execute();
      // /admin/logs pages newest first, optionally filtered; /admin/usage scans a time range.
      // Each filter has its own (filter, created_at, id) index so a page is an index range walk.
      await db.schema.createIndex('requests_created').on('requests').columns(['created_at', 'id']).execute();
      await db.schema.createIndex('requests_model_created').on('requests').columns(['model', 'created_at', 'id']).execute();
      await db.schema.createIndex('requests_key_created').on('requests').columns(['key_id', 'created_at', 'id']).execute();
      await db.schema.createIndex('requests_provider_created').on('requests').columns(['provider', 'created_at', 'id']).execute();
      await db.schema.createIndex('requests_status_created').on('requests').columns(['status', 'created_at', 'id']).execute();

      await db.schema
        .createTable('request_tags')
        .addColumn('request_id', 'text', (c) => c.notNull())
        .addColumn('tag', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('request_tags_pk', ['request_id', 'tag'])
        .execute();
      await db.schema.createIndex('request_tags_tag_created').on('request_tags').columns(['tag', 'created_at']).execute();
      await db.schema.createIndex('request_tags_created').on('request_tags').columns(['created_at']).execute();

      await db.schema
        .createTable('request_bodies')
        .addColumn('request_id', 'text', (c) => c.primaryKey())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('request_body', 'text')
        .addColumn('response_body', 'text')
        .execute();
      await db.schema.createIndex('request_bodies_created').on('request_bodies').columns(['created_at']).execute();
    },
  },
  // Chosen with bench/storage at 10M rows (docs/STORAGE-BENCH.md).
  '0002_request_log_indexes': {
    async up(db: Kysely<any>) {
      // Errors only: `status=error` (and an error code) pages walk a small partial index however rare
      // errors are, and successful rows (~97%) no longer pay for a status index on every insert.
      // Other statuses (200, `success`) match most rows: a walk of requests_created finds a page at once.
      await db.schema.dropIndex('requests_status_created').execute();
      await db.schema.createIndex('requests_errors_created').on('requests').columns(['created_at', 'id']).where(sql.ref('status'), '>=', 400).execute();
      // A tag filter walks its tag's rows newest first and joins each request, instead of reading
      // every row with the tag and sorting them: the index gives the page order, (created_at, request_id).
      await db.schema.dropIndex('request_tags_tag_created').execute();
      await db.schema.createIndex('request_tags_tag_created_id').on('request_tags').columns(['tag', 'created_at', 'request_id']).execute();
    },
  },
  // Hourly usage rollups, so /admin/usage over days reads hundreds of rows, not millions (storage/usage.ts).
  '0003_usage_rollup': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('usage_hourly')
        .addColumn('dimension', 'text', (c) => c.notNull())
        .addColumn('hour', 'bigint', (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('requests', 'bigint', (c) => c.notNull())
        .addColumn('input_tokens', 'bigint', (c) => c.notNull())
        .addColumn('output_tokens', 'bigint', (c) => c.notNull())
        .addColumn('cached_tokens', 'bigint', (c) => c.notNull())
        .addColumn('cost_usd', 'double precision', (c) => c.notNull())
        .addColumn('errors', 'bigint', (c) => c.notNull())
        .addColumn('latency', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('usage_hourly_pk', ['dimension', 'hour', 'value'])
        .execute();
      await db.schema
        .createTable('usage_dirty_hours')
        .addColumn('hour', 'bigint', (c) => c.primaryKey())
        .addColumn('version', 'bigint', (c) => c.notNull())
        .execute();
      // Every hour already logged is rolled up by the background job, oldest first.
      await sql`insert into usage_dirty_hours (hour, version)
        select distinct created_at - (created_at % 3600000), 0 from requests`.execute(db);
    },
  },
  // Virtual keys (keys/records.ts). Names are unique among keys not revoked, so `key=name` finds one.
  '0004_api_keys': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('api_keys')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('key_hash', 'text', (c) => c.notNull().unique())
        .addColumn('prefix', 'text', (c) => c.notNull())
        .addColumn('team', 'text')
        .addColumn('models', 'text')
        .addColumn('limits', 'text')
        .addColumn('budget', 'text')
        .addColumn('metadata', 'text')
        .addColumn('expires_at', 'bigint')
        .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('revoked_at', 'bigint')
        .execute();
      await db.schema.createIndex('api_keys_name_active').on('api_keys').column('name').unique().where(sql.ref('revoked_at'), 'is', null).execute();
      // Every instance asks each half second for the keys changed since it last looked.
      await db.schema.createIndex('api_keys_updated').on('api_keys').column('updated_at').execute();
    },
  },
  // Response cache savings (docs/CACHE.md): per row, and summed with the hits in the hourly rollup.
  '0005_cache_savings': {
    async up(db: Kysely<any>) {
      await db.schema.alterTable('requests').addColumn('cost_saved_usd', 'double precision', (c) => c.notNull().defaultTo(0)).execute();
      await db.schema.alterTable('usage_hourly').addColumn('cache_hits', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
      await db.schema.alterTable('usage_hourly').addColumn('cost_saved_usd', 'double precision', (c) => c.notNull().defaultTo(0)).execute();
    },
  },
  // The response cache in the configured database (`cache.store: database`).
  '0006_cache_entries': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('cache_entries')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('namespace', 'text', (c) => c.notNull())
        .addColumn('model', 'text', (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('cache_entries_expires').on('cache_entries').column('expires_at').execute();
    },
  },
  // The semantic cache's prompts, when the response cache is in the database.
  '0007_semantic_cache_records': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('semantic_cache_records')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('namespace', 'text', (c) => c.notNull())
        .addColumn('model', 'text', (c) => c.notNull())
        .addColumn('record', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('semantic_cache_records_created').on('semantic_cache_records').column('created_at').execute();
      await db.schema.createIndex('semantic_cache_records_expires').on('semantic_cache_records').column('expires_at').execute();
    },
  },
  // Guardrails (docs/GUARDRAILS.md): what ran and what it found, per request; a stored key's own.
  '0008_guardrails': {
    async up(db: Kysely<any>) {
      await db.schema.alterTable('requests').addColumn('guardrails', 'text').execute();
      await db.schema.alterTable('api_keys').addColumn('guardrails', 'text').execute();
    },
  },
  // Requests without a virtual key (a gateway with no keys, the quick start) stop paying for a key
  // index entry: ~7% of SQLite's instructions per logged row (docs/PERFORMANCE.md). A `key_id = ?`
  // or `key_id in (...)` filter implies `key_id is not null`, so SQLite and PostgreSQL still use it.
  '0009_request_log_key_index_partial': {
    async up(db: Kysely<any>) {
      await db.schema.dropIndex('requests_key_created').execute();
      await db.schema
        .createIndex('requests_key_created')
        .on('requests')
        .columns(['key_id', 'created_at', 'id'])
        .where(sql.ref('key_id'), 'is not', null)
        .execute();
    },
  },
};

class InCodeMigrations implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    return MIGRATIONS;
  }
}

/** Brings the schema to the latest version; several instances starting at once are serialised by Kysely's lock table. */
export async function migrateToLatest(db: Kysely<any>, dialect: 'sqlite' | 'postgres'): Promise<string[]> {
  // PostgreSQL: keep the bookkeeping tables in the schema the connection works in (search_path).
  // Left to itself Kysely looks for them in any schema, so a second Switchyard schema in the same
  // database (staging next to production, a benchmark) made it skip creating its own.
  const schema = dialect === 'postgres' ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(db)).rows[0]?.schema : undefined;
  const migrator = new Migrator({
    db,
    provider: new InCodeMigrations(),
    migrationTableName: 'switchyard_migrations',
    migrationLockTableName: 'switchyard_migrations_lock',
    ...(schema !== undefined && { migrationTableSchema: schema }),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((result) => result.status === 'Success').map((result) => result.migrationName);
}
