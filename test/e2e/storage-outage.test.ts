/**
 * PostgreSQL goes away under load: every request is still served, /health/ready stays 200 and
 * reports the store, rows past the queue bound are dropped and counted, and the rows held in the
 * queue arrive once the database is back. The outage is a TCP proxy in front of the real server
 * that the test closes and reopens.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startFakeOpenAI } from '../fakes/openai.js';
import type { FakeUpstream } from '../fakes/types.js';
import { freshPostgresSchema, postgresUrlForTests } from '../helpers/services.js';
import { postJson as postJsonAs, startTestGateway, waitFor, type TestGateway } from './harness.js';
import { CuttableProxy } from '../helpers/cuttable-proxy.js';

// With a master key set the gateway is not open: clients call with it too.
const postJson = (url: string, body: unknown, headers: Record<string, string> = {}) => postJsonAs(url, body, { authorization: 'Bearer admin-secret', ...headers });

const postgres = postgresUrlForTests();
const ADMIN = { authorization: 'Bearer admin-secret' };

let proxy: CuttableProxy;
let upstream: FakeUpstream;
let gateway: TestGateway;
let dropSchema: () => Promise<void>;
let direct: string;

before(async () => {
  if ('skip' in postgres) return;
  const schema = await freshPostgresSchema(postgres.url);
  dropSchema = schema.drop;
  direct = schema.url;
  const target = new URL(postgres.url);
  proxy = new CuttableProxy({ host: target.hostname, port: Number(target.port || 5432) });
  await proxy.up();
  const viaProxy = new URL(schema.url);
  viaProxy.hostname = '127.0.0.1';
  viaProxy.port = String(proxy.port);
  upstream = await startFakeOpenAI({ usage: { input: 3, output: 2 } });
  gateway = await startTestGateway(`
server: { master_key: admin-secret }
storage: "${viaProxy.toString()}"
logging: { max_queued_rows: 30 }
providers:
  up: { type: openai, base_url: "${upstream.url}", api_key: sk-x }
models:
  m: { targets: [{ provider: up, model: gpt-4.1-mini }] }
`);
});

after(async () => {
  if ('skip' in postgres) return;
  await gateway.stop();
  await proxy.down().catch(() => {});
  await upstream.close();
  await dropSchema();
});

/** Rows in the log, read directly (-1 until the gateway has created the table). */
async function countRows(): Promise<number> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: direct });
  await client.connect();
  try {
    return Number((await client.query('select count(*) as n from requests')).rows[0].n);
  } catch (error) {
    if ((error as { code?: string }).code === '42P01') return -1;
    throw error;
  } finally {
    await client.end();
  }
}

async function ready(): Promise<any> {
  const response = await fetch(`${gateway.url}/health/ready`);
  assert.equal(response.status, 200, 'a store that is down never makes the gateway unready');
  return ((await response.json()) as any).checks.storage;
}

const ask = () => postJson(`${gateway.url}/v1/chat/completions`, { model: 'm', messages: [{ role: 'user', content: 'x' }] });

test('a storage outage fails no request, drops only past the bound (counted), and the rest arrive after recovery', { skip: 'skip' in postgres ? postgres.skip : undefined }, async () => {
  for (let i = 0; i < 5; i++) assert.equal((await ask()).status, 200);
  await waitFor(async () => (await countRows()) === 5);

  await proxy.down();
  const replies = await Promise.all(Array.from({ length: 50 }, () => ask()));
  assert.deepEqual(new Set(replies.map((reply) => reply.status)), new Set([200]), 'every request served while the store is down');
  await waitFor(async () => (await ready()).status === 'unreachable', 5000);
  const during = await ready();
  assert.equal(during.log_queue.queued, 30);
  assert.equal(during.log_queue.dropped, 20);
  const metrics = await (await fetch(`${gateway.url}/metrics`, { headers: ADMIN })).text();
  assert.match(metrics, /^switchyard_log_rows_dropped_total\{sink="storage"\} 20$/m);
  assert.match(metrics, /^switchyard_log_queue_depth\{sink="storage"\} 30$/m);

  await proxy.up();
  await waitFor(async () => (await countRows()) === 35, 10_000);
  await waitFor(async () => (await ready()).status === 'ok', 5000);
  const after = await ready();
  assert.deepEqual([after.log_queue.queued, after.log_queue.dropped], [0, 20]);
  const logs = await (await fetch(`${gateway.url}/admin/logs?limit=1000`, { headers: ADMIN })).json();
  assert.equal((logs as any).data.length, 35);
});
