import { test } from 'node:test';
import assert from 'node:assert/strict';
import { postgresUrlForTests } from '../../test/helpers/services.js';
import { CuttableProxy } from '../../test/helpers/cuttable-proxy.js';
import { openDatabase } from './database.js';

const postgres = postgresUrlForTests();

test('PostgreSQL: a connection lost while a client is checked out fails its query, never the process', { skip: 'skip' in postgres ? postgres.skip : undefined }, async () => {
  const target = new URL((postgres as { url: string }).url);
  const proxy = new CuttableProxy({ host: target.hostname, port: Number(target.port || 5432) });
  await proxy.up();
  const viaProxy = new URL(target);
  viaProxy.hostname = '127.0.0.1';
  viaProxy.port = String(proxy.port);
  const open = openDatabase({ kind: 'postgres', url: viaProxy.toString() }, () => {});
  assert.equal(open.kind, 'postgres');
  if (open.kind !== 'postgres') return;
  const uncaught: unknown[] = [];
  const onUncaught = (error: unknown): void => void uncaught.push(error);
  process.on('uncaughtException', onUncaught);
  try {
    // Checked out, mid-query, when the server goes away (the way a log batch or a key poll is).
    const client = await open.pool.connect();
    const running = client.query('select pg_sleep(5)');
    await new Promise((resolve) => setTimeout(resolve, 100));
    await proxy.down();
    await assert.rejects(running);
    client.release(true);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepEqual(uncaught, []);
  } finally {
    process.off('uncaughtException', onUncaught);
    await open.pool.end().catch(() => {});
  }
});
