import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { storageBackendsForTests, storageForTests } from '../../test/helpers/services.js';
import { parseStorage, type StorageSpec } from './spec.js';
import { SqlStorage } from './store.js';
import type { LogRecord } from './records.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 10, 20, 10, 0, 0);

function record(overrides: Partial<LogRecord> & { id: string }): LogRecord {
  return {
    created_at: T0,
    api: 'chat.completions',
    key_id: null,
    model: 'smart',
    provider: 'openai',
    upstream_model: 'gpt-4.1',
    variant: null,
    status: 200,
    error_code: null,
    error_message: null,
    stream: false,
    latency_ms: 100,
    ttft_ms: 40,
    input_tokens: 10,
    output_tokens: 5,
    cached_tokens: 0,
    reasoning_tokens: 0,
    tokens_estimated: false,
    cost_usd: 0.001,
    cache: null,
    cost_saved_usd: 0,
    attempts: 1,
    attempt_log: [],
    tags: [],
    guardrails: null,
    ...overrides,
  };
}

for (const backend of storageBackendsForTests()) {
  describe(`storage on ${backend.name}`, { skip: backend.skip }, () => {
    let store: SqlStorage;
    let cleanup: () => Promise<void>;
    let storageValue: string;
    before(async () => {
      const fresh = await storageForTests(backend.name);
      cleanup = fresh.cleanup;
      storageValue = fresh.storage;
      store = await SqlStorage.open(parseStorage(fresh.storage, process.cwd()) as StorageSpec);
    });
    after(async () => {
      await store.close();
      await cleanup();
    });

    test('a row written twice (a retried batch) is stored once', async () => {
      const row = record({ id: 'dup-1', tags: ['a'] });
      assert.equal(await store.writeRequests([row]), 1);
      assert.equal(await store.writeRequests([row, record({ id: 'dup-2' })]), 1);
      const usage = await store.usage({ groupBy: 'tag', from: T0 - HOUR, to: T0 + HOUR });
      assert.deepEqual(usage.map((u) => [u.group, u.requests]), [['a', 1]]);
    });

    test('a row reads back with its attempts, tags and bodies', async () => {
      const row = record({
        id: 'full-1',
        created_at: T0 + 1,
        stream: true,
        tokens_estimated: true,
        attempt_log: [{ provider: 'openai', model: 'gpt-4.1', status: 503, error_code: 'upstream_unavailable', error: 'boom', latency_ms: 12 }],
        attempts: 2,
        tags: ['team-x', 'exp'],
        guardrails: { ran: ['pii'], hits: [{ guardrail: 'pii', type: 'email', action: 'redact', stage: 'input', count: 2 }] },
        request_body: '{"a":1}',
        response_body: '{"b":2}',
      });
      await store.writeRequests([row]);
      const read = await store.getRequest('full-1');
      assert.deepEqual(read, row);
      const listed = await store.listRequests({ limit: 10, tag: 'exp' });
      assert.deepEqual(listed.rows.map((r) => r.id), ['full-1']);
      assert.equal('request_body' in listed.rows[0]!, false, 'bodies only on the single-row read');
      assert.equal(await store.getRequest('nope'), undefined);
    });

    test('pages newest first with a cursor that neither skips nor repeats, and filters', async () => {
      const rows = Array.from({ length: 25 }, (_, i) =>
        record({ id: `page-${String(i).padStart(2, '0')}`, created_at: T0 + 10 * HOUR + Math.floor(i / 2), model: i % 2 ? 'odd' : 'even', status: i % 5 === 0 ? 502 : 200 }),
      );
      await store.writeRequests(rows);
      const from = T0 + 10 * HOUR;
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.listRequests({ limit: 7, from, ...(cursor !== undefined && { cursor }) });
        seen.push(...page.rows.map((r) => r.id));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      assert.equal(seen.length, 25);
      assert.deepEqual(seen, [...rows].sort((a, b) => b.created_at - a.created_at || (a.id < b.id ? 1 : -1)).map((r) => r.id));
      const odd = await store.listRequests({ limit: 100, from, model: 'odd' });
      assert.equal(odd.rows.length, 12);
      assert.equal(odd.nextCursor, null);
      const errors = await store.listRequests({ limit: 100, from, status: 'error' });
      assert.deepEqual(errors.rows.map((r) => r.status), [502, 502, 502, 502, 502]);
      const exact = await store.listRequests({ limit: 100, from, status: 200 });
      assert.equal(exact.rows.length, 20);
    });

    test('usage groups, buckets and ranks latency per group', async () => {
      const base = T0 + 100 * HOUR;
      const rows: LogRecord[] = [];
      for (let i = 1; i <= 20; i++) {
        rows.push(record({ id: `u-a-${i}`, created_at: base + (i <= 10 ? 0 : HOUR), model: 'a', latency_ms: i * 10, input_tokens: 1, output_tokens: 2, cost_usd: 0.5, key_id: 'k1' }));
      }
      rows.push(record({ id: 'u-b-1', created_at: base, model: 'b', latency_ms: 7, status: 429, key_id: 'k2', variant: 'openai/gpt-4.1' }));
      await store.writeRequests(rows);
      const byModel = await store.usage({ groupBy: 'model', from: base, to: base + 2 * HOUR });
      const a = byModel.find((u) => u.group === 'a')!;
      assert.equal(a.requests, 20);
      assert.equal(a.input_tokens, 20);
      assert.equal(a.output_tokens, 40);
      assert.ok(Math.abs(a.cost_usd - 10) < 1e-9);
      assert.equal(a.errors, 0);
      assert.equal(a.p50_latency_ms, 100, 'nearest rank: the 10th of 20');
      assert.equal(a.p95_latency_ms, 190, 'nearest rank: the 19th of 20');
      const b = byModel.find((u) => u.group === 'b')!;
      assert.deepEqual([b.requests, b.errors, b.p50_latency_ms, b.p95_latency_ms], [1, 1, 7, 7]);

      const hourly = await store.usage({ groupBy: 'model', from: base, to: base + 2 * HOUR, interval: 'hour' });
      assert.deepEqual(
        hourly.filter((u) => u.group === 'a').map((u) => [u.bucket, u.requests, u.p50_latency_ms]),
        [
          [base, 10, 50],
          [base + HOUR, 10, 150],
        ],
      );
      const byKey = await store.usage({ groupBy: 'key', from: base, to: base + 2 * HOUR });
      assert.deepEqual(byKey.map((u) => [u.group, u.requests]).sort(), [['k1', 20], ['k2', 1]]);
      const byVariant = await store.usage({ groupBy: 'variant', from: base, to: base + 2 * HOUR });
      assert.ok(byVariant.some((u) => u.group === 'openai/gpt-4.1' && u.requests === 1));
      const daily = await store.usage({ groupBy: 'provider', from: base, to: base + 2 * HOUR, interval: 'day' });
      assert.deepEqual(daily.map((u) => [u.group, u.bucket, u.requests]), [['openai', base - (base % (24 * HOUR)), 21]]);
    });

    test('the hourly rollup answers like the raw rows; a late row reopens its hour until rolled up again', async () => {
      const base = T0 + 500 * HOUR;
      let seed = 7;
      const random = (): number => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
      const rows: LogRecord[] = [];
      for (let i = 0; i < 600; i++) {
        rows.push(record({
          id: `roll-${i}`,
          created_at: base + Math.floor(random() * 3.5 * HOUR),
          model: random() < 0.6 ? 'big' : 'small',
          key_id: random() < 0.2 ? null : `k${i % 3}`,
          variant: random() < 0.5 ? 'openai/gpt-4.1' : null,
          latency_ms: Math.floor(random() * 5_000),
          status: random() < 0.1 ? 502 : 200,
          input_tokens: i,
          cost_usd: 0.001 * (i % 7),
          ...(i % 4 === 0 && { cache: 'hit', cost_usd: 0, cost_saved_usd: 0.002 * (i % 5) }),
          tags: random() < 0.5 ? ['x', 'y'] : ['x'],
        }));
      }
      await store.writeRequests(rows);
      // A range with partial hours at both ends: 2 whole hours in the middle are rolled up.
      const range = { from: base + 0.5 * HOUR, to: base + 3.25 * HOUR };
      const groups = ['model', 'key', 'variant', 'tag', 'provider', 'upstream_model'] as const;
      const before = await Promise.all(groups.map((groupBy) => store.usage({ groupBy, ...range, interval: 'hour' })));
      const beforeTotal = await store.usage({ groupBy: 'model', ...range });
      const hitsInRange = rows.filter((r) => r.cache === 'hit' && r.created_at >= range.from && r.created_at < range.to);
      assert.ok(hitsInRange.length > 0);
      assert.equal(beforeTotal.reduce((sum, u) => sum + u.cache_hits, 0), hitsInRange.length, 'hits counted from the rows');
      assert.ok(Math.abs(beforeTotal.reduce((sum, u) => sum + u.cost_saved_usd, 0) - hitsInRange.reduce((sum, r) => sum + (r.cost_saved_usd ?? 0), 0)) < 1e-9);
      assert.ok((await store.rollupUsage(base + 3 * HOUR, 100)) >= 3, 'the three closed hours are rolled up');
      assert.equal(await store.rollupUsage(base + 3 * HOUR, 100), 0, 'nothing left to roll up');
      const after = await Promise.all(groups.map((groupBy) => store.usage({ groupBy, ...range, interval: 'hour' })));
      const close = (rolled: number | null, raw: number | null): boolean => rolled !== null && raw !== null && Math.abs(rolled - raw) <= raw * 0.033 + 1;
      for (const [index, rawRows] of before.entries()) {
        const rolledRows = after[index]!;
        assert.deepEqual(
          rolledRows.map((u) => [u.group, u.bucket, u.requests, u.input_tokens, u.errors, u.cost_usd.toFixed(9), u.cache_hits, u.cost_saved_usd.toFixed(9)]),
          rawRows.map((u) => [u.group, u.bucket, u.requests, u.input_tokens, u.errors, u.cost_usd.toFixed(9), u.cache_hits, u.cost_saved_usd.toFixed(9)]),
          `group_by=${groups[index]}`,
        );
        for (const [i, raw] of rawRows.entries()) {
          assert.ok(close(rolledRows[i]!.p50_latency_ms, raw.p50_latency_ms), `p50 within 3.2%: ${rolledRows[i]!.p50_latency_ms} vs ${raw.p50_latency_ms}`);
          assert.ok(close(rolledRows[i]!.p95_latency_ms, raw.p95_latency_ms), `p95 within 3.2%: ${rolledRows[i]!.p95_latency_ms} vs ${raw.p95_latency_ms}`);
        }
      }
      const afterTotal = await store.usage({ groupBy: 'model', ...range });
      assert.deepEqual(afterTotal.map((u) => [u.group, u.requests]), beforeTotal.map((u) => [u.group, u.requests]));

      // A row arriving late (after an outage) for a rolled-up hour counts at once, read raw.
      await store.writeRequests([record({ id: 'roll-late', created_at: base + 1.5 * HOUR, model: 'big', latency_ms: 10 })]);
      const withLate = await store.usage({ groupBy: 'model', ...range });
      assert.equal(withLate.find((u) => u.group === 'big')!.requests, afterTotal.find((u) => u.group === 'big')!.requests + 1);
      assert.equal(await store.rollupUsage(base + 3 * HOUR, 100), 1, 'only the reopened hour');
      const reRolled = await store.usage({ groupBy: 'model', ...range });
      assert.deepEqual(reRolled.map((u) => [u.group, u.requests]), withLate.map((u) => [u.group, u.requests]));

      // Spend per key (budgets): the same from rollups and raw rows, over whole and partial hours.
      for (const [from, to] of [[base, base + 4 * HOUR], [base + 0.3 * HOUR, base + 2.7 * HOUR]] as const) {
        const expected = rows.filter((r) => r.key_id !== null && ['k0', 'k2'].includes(r.key_id) && r.created_at >= from && r.created_at < to).reduce((sum, r) => sum + r.cost_usd, 0);
        assert.ok(Math.abs((await store.spendOf(['k0', 'k2'], from, to)) - expected) < 1e-9, `spend ${from}-${to}`);
      }
      assert.equal(await store.spendOf([], base, base + HOUR), 0);
    });

    test('keys: created with a hash and prefix, names unique among live keys, patched, revoked, polled by change time', async () => {
      const { generateKey, newKeyId } = await import('../keys/records.js');
      const fresh = generateKey();
      const base = { key_hash: fresh.hash, prefix: fresh.prefix, team: 'ml', models: ['gpt-*'], limits: { rpm: 60 }, budget: { usd: 5, period: 'day' as const }, metadata: { owner: 'ana' }, guardrails: { pii: { action: 'mask' as const, input: true, output: true } }, expires_at: null, disabled: false };
      const created = await store.createKey({ id: newKeyId(), name: 'ci-bot', ...base });
      assert.equal(created.name, 'ci-bot');
      assert.deepEqual(created.limits, { rpm: 60 });
      assert.deepEqual(created.guardrails, { pii: { action: 'mask', input: true, output: true } }, 'a key keeps its own guardrails');
      assert.ok(created.created_at > Date.now() - 60_000 && created.created_at <= Date.now() + 60_000, 'dated by the database clock');
      const other = generateKey();
      await assert.rejects(store.createKey({ id: newKeyId(), name: 'ci-bot', ...base, key_hash: other.hash, prefix: other.prefix }), (error: { code?: string; status?: number }) => error.code === 'conflict');
      const since = created.updated_at;
      const patched = await store.updateKey(created.id, { disabled: true, limits: { rpm: 10, tpm: 1000 } });
      assert.equal(patched!.disabled, true);
      assert.deepEqual(patched!.limits, { rpm: 10, tpm: 1000 });
      assert.ok(patched!.updated_at >= since);
      assert.deepEqual((await store.keysChangedSince(since)).map((k) => k.id), [created.id]);
      assert.equal((await store.listKeys()).filter((k) => k.name === 'ci-bot').length, 1);
      const revoked = await store.revokeKey(created.id);
      assert.ok(revoked!.revoked_at !== null);
      assert.equal(await store.revokeKey(created.id), undefined, 'revoked once');
      assert.equal(await store.updateKey(created.id, { disabled: false }), undefined, 'a revoked key cannot be revived');
      assert.equal((await store.listKeys()).some((k) => k.id === created.id), false);
      assert.equal((await store.listKeys({ includeRevoked: true })).some((k) => k.id === created.id), true);
      // The name is free again once its key is revoked.
      const again = await store.createKey({ id: newKeyId(), name: 'ci-bot', ...base, key_hash: other.hash, prefix: other.prefix });
      assert.equal(again.name, 'ci-bot');
    });

    test('pruning deletes old rows in batches, with their tags and bodies', async () => {
      const old = T0 - 1000 * HOUR;
      // Three tags a request, batches of three requests: each batch removes nine tag rows.
      const rows = Array.from({ length: 7 }, (_, i) => record({ id: `old-${i}`, created_at: old + i, tags: ['old', 'older', 'oldest'], request_body: 'x' }));
      await store.writeRequests(rows);
      let total = 0;
      for (;;) {
        const deleted = await store.pruneRequests(old + 100, 3);
        total += deleted;
        if (deleted < 3) break;
      }
      assert.equal(total, 7);
      if (backend.name !== 'memory') assert.equal(await countRows(backend.name, storageValue, 'request_tags', old + 100), 0, 'no tag row outlives its request');
      if (backend.name !== 'memory') assert.equal(await countRows(backend.name, storageValue, 'request_bodies', old + 100), 0);
      assert.equal(await store.getRequest('old-3'), undefined);
      const tagged = await store.usage({ groupBy: 'tag', from: old, to: old + 100 });
      assert.deepEqual(tagged, []);
      // Rollups of expired hours go too.
      await store.writeRequests([record({ id: 'old-rolled', created_at: old + 5 * HOUR })]);
      assert.ok((await store.rollupUsage(old + 6 * HOUR, 100)) >= 1);
      assert.equal((await store.usage({ groupBy: 'model', from: old + 5 * HOUR, to: old + 6 * HOUR }))[0]!.requests, 1);
      await store.pruneRequests(old + 7 * HOUR, 100);
      assert.deepEqual(await store.usage({ groupBy: 'model', from: old + 5 * HOUR, to: old + 6 * HOUR }), []);
      assert.ok(await store.getRequest('full-1'), 'newer rows are kept');
    });
  });
}

test('storage values parse, relative SQLite paths against the base folder', () => {
  assert.deepEqual(parseStorage('memory', '/x'), { kind: 'memory' });
  assert.deepEqual(parseStorage('sqlite:.switchyard/s.db', '/srv/app'), { kind: 'sqlite', path: '/srv/app/.switchyard/s.db' });
  assert.deepEqual(parseStorage('sqlite:/abs/s.db', '/srv/app'), { kind: 'sqlite', path: '/abs/s.db' });
  assert.deepEqual(parseStorage('postgres://u:p@h:5432/db', '/x'), { kind: 'postgres', url: 'postgres://u:p@h:5432/db' });
  assert.match((parseStorage('mysql://x', '/x') as { error: string }).error, /unknown storage "mysql:\/\/x"/);
});

test('PostgreSQL: a second Switchyard schema in the same database gets its own tables', { skip: storageBackendsForTests().find((b) => b.name === 'postgres')!.skip }, async () => {
  const first = await storageForTests('postgres');
  const second = await storageForTests('postgres');
  const a = await SqlStorage.open(parseStorage(first.storage, process.cwd()) as StorageSpec);
  const b = await SqlStorage.open(parseStorage(second.storage, process.cwd()) as StorageSpec);
  try {
    await a.writeRequests([record({ id: 'only-in-a' })]);
    assert.ok(await a.getRequest('only-in-a'));
    assert.equal(await b.getRequest('only-in-a'), undefined);
  } finally {
    await a.close();
    await b.close();
    await first.cleanup();
    await second.cleanup();
  }
});

/** Rows of a table created before `before`, read with a connection of its own (the store hides orphans: its queries join requests). */
async function countRows(backend: 'sqlite' | 'postgres', storage: string, table: string, before: number): Promise<number> {
  if (backend === 'sqlite') {
    const { default: Sqlite } = await import('better-sqlite3');
    const db = new Sqlite(storage.slice('sqlite:'.length), { readonly: true });
    try {
      return (db.prepare(`select count(*) as n from ${table} where created_at < ?`).get(before) as { n: number }).n;
    } finally {
      db.close();
    }
  }
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: storage });
  await client.connect();
  try {
    return Number((await client.query(`select count(*) as n from ${table} where created_at < $1`, [before])).rows[0].n);
  } finally {
    await client.end();
  }
}
