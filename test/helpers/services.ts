/**
 * Shared-state tests run against real Redis / PostgreSQL named by environment variables. On a
 * developer machine without them they skip and say how to enable them; `.ci/run` sets
 * SWITCHYARD_TEST_REQUIRE_SERVICES=1, which turns a missing variable into a failure, never a skip.
 */
export function redisUrlForTests(): { url: string } | { skip: string } {
  return serviceUrlForTests('Redis', 'SWITCHYARD_TEST_REDIS_URL', 'redis://127.0.0.1:6379');
}

export function postgresUrlForTests(): { url: string } | { skip: string } {
  return serviceUrlForTests('PostgreSQL', 'SWITCHYARD_TEST_POSTGRES_URL', 'postgres://postgres@127.0.0.1:5432/test');
}

function serviceUrlForTests(service: string, variable: string, example: string): { url: string } | { skip: string } {
  const url = process.env[variable];
  if (url) return { url };
  if (process.env.SWITCHYARD_TEST_REQUIRE_SERVICES === '1') {
    throw new Error(`SWITCHYARD_TEST_REQUIRE_SERVICES=1 but ${variable} is not set`);
  }
  return { skip: `needs ${service}: set ${variable}=${example} to run` };
}

/**
 * A schema of its own in the test database, so parallel test files never see each other's rows:
 * the returned URL sets `search_path` to it. `drop()` removes it and everything in it.
 */
export async function freshPostgresSchema(baseUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const { default: pg } = await import('pg');
  const schema = `switchyard_test_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const url = new URL(baseUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: baseUrl });
      await client.connect();
      await client.query(`drop schema if exists ${schema} cascade`);
      await client.end();
    },
  };
}

/** Every storage backend a storage test runs on: memory and SQLite always, PostgreSQL when configured. */
export function storageBackendsForTests(): Array<{ name: 'memory' | 'sqlite' | 'postgres'; skip?: string }> {
  const postgres = postgresUrlForTests();
  return [{ name: 'memory' }, { name: 'sqlite' }, { name: 'postgres', ...('skip' in postgres && { skip: postgres.skip }) }];
}

/** A `storage:` value for a fresh, empty store of the given backend, and how to clean it up. */
export async function storageForTests(name: 'memory' | 'sqlite' | 'postgres'): Promise<{ storage: string; cleanup(): Promise<void> }> {
  if (name === 'memory') return { storage: 'memory', cleanup: async () => {} };
  if (name === 'sqlite') {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-store-'));
    return { storage: `sqlite:${join(dir, 'test.db')}`, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const postgres = postgresUrlForTests();
  if ('skip' in postgres) throw new Error(postgres.skip);
  const schema = await freshPostgresSchema(postgres.url);
  return { storage: schema.url, cleanup: () => schema.drop() };
}
