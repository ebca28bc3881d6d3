import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { postJson, startTestGateway, waitFor, type TestGateway } from './harness.js';
import { redisUrlForTests, storageForTests } from '../helpers/services.js';
import { startFakeOpenAI } from '../fakes/openai.js';
import type { FakeUpstream } from '../fakes/types.js';
import { CuttableProxy } from '../helpers/cuttable-proxy.js';

const ask = (gateway: TestGateway, key: string, model = 'fast', extra: Record<string, unknown> = {}) =>
  postJson(`${gateway.url}/v1/chat/completions`, { model, max_tokens: 5, messages: [{ role: 'user', content: 'hi' }], ...extra }, { authorization: `Bearer ${key}` });

async function metric(gateway: TestGateway, name: string): Promise<number> {
  const text = await (await fetch(`${gateway.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.split(' ')[1]) : Number.NaN;
}

/** A receiver for budget alerts. */
async function startReceiver(): Promise<{ url: string; bodies: any[]; close(): Promise<void> }> {
  const bodies: any[] = [];
  const server = http.createServer((request, response) => {
    let text = '';
    request.on('data', (chunk: Buffer) => (text += chunk.toString()));
    request.on('end', () => {
      bodies.push(JSON.parse(text));
      response.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/alerts`, bodies, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

// $1 per token: a request of "hi" with max_tokens 5 reserves 1 + 5 = $6; the mock echoes it (1 + 1 tokens), so it costs $2.
const PRICED = 'pricing: { input_per_mtok: 1000000, output_per_mtok: 1000000 }';

describe('rate limits and budgets (in process)', () => {
  let gateway: TestGateway;
  let slow: FakeUpstream;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let cleanup: () => Promise<void>;
  let storage: string;
  before(async () => {
    slow = await startFakeOpenAI({ text: 'slow answer '.repeat(10), chunkDelayMs: 30, chunkChars: 12 });
    receiver = await startReceiver();
    const store = await storageForTests('sqlite');
    cleanup = store.cleanup;
    storage = store.storage;
    gateway = await startTestGateway(config(storage, slow.url, receiver.url));
  });
  after(async () => {
    await gateway.stop();
    await slow.close();
    await receiver.close();
    await cleanup();
  });

  test('rpm 10 in a burst of 40: exactly 10 pass; each 429 names the limit and says when to retry', async () => {
    const replies = await Promise.all(Array.from({ length: 40 }, () => ask(gateway, 'sk-burst-00001')));
    const ok = replies.filter((r) => r.status === 200);
    const limited = replies.filter((r) => r.status === 429);
    assert.equal(ok.length, 10);
    assert.equal(limited.length, 30);
    assert.deepEqual(ok.map((r) => Number(r.headers.get('x-ratelimit-remaining-requests'))).sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (const reply of ok) assert.equal(reply.headers.get('x-ratelimit-limit-requests'), '10');
    for (const reply of limited) {
      assert.equal(reply.json.error.code, 'rate_limit_exceeded');
      assert.match(reply.json.error.message, /key "burst" allows 10 requests per minute \(rpm\)/);
      const retry = Number(reply.headers.get('retry-after'));
      assert.ok(retry >= 1 && retry <= 61, `retry-after ${retry}`);
      assert.equal(reply.headers.get('x-ratelimit-remaining-requests'), '0');
    }
    assert.ok((await metric(gateway, 'switchyard_ratelimited_total')) >= 30);
    // Through /v1/messages the 429 is in Anthropic's shape.
    const messages = await postJson(`${gateway.url}/v1/messages`, { model: 'fast', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] }, { 'x-api-key': 'sk-burst-00001' });
    assert.equal(messages.status, 429);
    assert.equal(messages.json.type, 'error');
    assert.equal(messages.json.error.type, 'rate_limit_error');
  });

  test('a team limit is shared by its keys; a model limit by every caller', async () => {
    assert.equal((await ask(gateway, 'sk-ml-a-00001')).status, 200);
    assert.equal((await ask(gateway, 'sk-ml-a-00001')).status, 200);
    assert.equal((await ask(gateway, 'sk-ml-b-00001')).status, 200);
    const team = await ask(gateway, 'sk-ml-b-00001');
    assert.equal(team.status, 429);
    assert.match(team.json.error.message, /team "ml" allows 3 requests per minute/);
    assert.equal((await ask(gateway, 'master-secret', 'capped')).status, 200);
    assert.equal((await ask(gateway, 'sk-free-00001', 'capped')).status, 200);
    const model = await ask(gateway, 'master-secret', 'capped');
    assert.equal(model.status, 429);
    assert.match(model.json.error.message, /model "capped" allows 2 requests per minute/);
  });

  test('tpm reserves the prompt estimate plus max_tokens and settles to the real count', async () => {
    const tooBig = await ask(gateway, 'sk-tokens-0001', 'fast', { max_tokens: 100 });
    assert.equal(tooBig.status, 429);
    assert.match(tooBig.json.error.message, /allows 50 tokens per minute \(tpm\), and this request alone may use 101/);
    const first = await ask(gateway, 'sk-tokens-0001');
    assert.equal(first.status, 200);
    assert.equal(first.headers.get('x-ratelimit-remaining-tokens'), '44', '50 - (1 prompt + 5 max_tokens)');
    assert.equal(first.headers.get('x-ratelimit-limit-tokens'), '50');
    // Settled to the 2 tokens the answer really used (after the response: wait for it).
    await gateway.limits.idle();
    const second = await ask(gateway, 'sk-tokens-0001');
    assert.equal(second.headers.get('x-ratelimit-remaining-tokens'), '42', '50 - 2 used - 6 reserved');
  });

  test('concurrency 1: a second request while a stream is in flight is refused; after it ends, admitted', async () => {
    const streaming = fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer sk-single-0001' },
      body: JSON.stringify({ model: 'slow', stream: true, messages: [{ role: 'user', content: 'go' }] }),
    });
    await waitFor(() => slow.requests.length > 0);
    const refused = await ask(gateway, 'sk-single-0001', 'slow');
    assert.equal(refused.status, 429);
    assert.match(refused.json.error.message, /key "single" allows 1 concurrent requests \(concurrency\)/);
    assert.equal(refused.headers.get('retry-after'), '1');
    await (await streaming).text();
    await waitFor(async () => (await ask(gateway, 'sk-single-0001', 'slow')).status === 200, 2000);
  });

  test('a budget admits a request only if its maximum cost fits; concurrent requests cannot overrun it', async () => {
    // Sequential: $2 each, $6 reserved each: spent 0, 2, ..., 14 admit (14 + 6 <= 20); at 16, 16 + 6 > 20.
    for (let i = 0; i < 8; i++) {
      assert.equal((await ask(gateway, 'sk-spend-0001', 'priced')).status, 200, `request ${i}`);
      await gateway.limits.idle();
    }
    await gateway.limits.idle();
    const refused = await ask(gateway, 'sk-spend-0001', 'priced');
    assert.equal(refused.status, 429);
    assert.equal(refused.json.error.code, 'budget_exceeded');
    assert.match(refused.json.error.message, /key "spender" has a daily budget of \$20\.00, \$4\.00 is left and this request may cost up to \$6\.00; it resets at \d{4}-\d\d-\d\dT00:00:00\.000Z/);
    assert.ok(Number(refused.headers.get('retry-after')) > 0);
    // A race of 20 on a fresh $20 budget: each reserves $6, so exactly 3 get in.
    const race = await Promise.all(Array.from({ length: 20 }, () => ask(gateway, 'sk-race-00001', 'priced')));
    assert.equal(race.filter((r) => r.status === 200).length, 3);
    assert.ok(race.filter((r) => r.status === 429).every((r) => r.json.error.code === 'budget_exceeded'));
  });

  test('budget alerts: each threshold crossed posts once', async () => {
    // max_tokens 1: $2 reserved and $2 spent each: 20%, 40%, 60% (50 crossed), 80%, 100%, then refused.
    const mine = () => receiver.bodies.filter((body) => body.scope === 'key "alerted"');
    // Store calls for alerts: the spent comes with each settle, and a threshold once claimed is not asked again.
    const store = gateway.limits.store;
    const counted = { claimOnce: 0, budgetSpent: 0 };
    const claimOnce = store.claimOnce.bind(store);
    const budgetSpent = store.budgetSpent.bind(store);
    store.claimOnce = (...args) => (counted.claimOnce++, claimOnce(...args));
    store.budgetSpent = (...args) => (counted.budgetSpent++, budgetSpent(...args));
    let admitted = 0;
    for (;;) {
      const reply = await ask(gateway, 'sk-alert-0001', 'priced', { max_tokens: 1 });
      if (reply.status !== 200) {
        assert.equal(reply.json.error.code, 'budget_exceeded');
        break;
      }
      admitted++;
      await gateway.limits.idle();
    }
    assert.equal(admitted, 5);
    await waitFor(() => mine().length === 3);
    assert.deepEqual(mine().map((alert) => alert.threshold_percent), [50, 80, 100]);
    const last = mine()[2];
    assert.deepEqual([last.type, last.spent_usd, last.budget_usd, last.period], ['budget_alert', 10, 10, 'day']);
    assert.match(last.resets_at, /T00:00:00\.000Z$/);
    await gateway.limits.idle();
    assert.equal(mine().length, 3, 'never twice');
    assert.deepEqual(counted, { claimOnce: 3, budgetSpent: 0 }, 'one claim per threshold, no read of the spent');
  });

  test('a budget starts from the spend the request log holds: a fresh instance on the same storage knows it', async () => {
    // The 3 race winners above cost $6 together; wait until their rows are written.
    await waitFor(async () => {
      const usage = await fetch(`${gateway.url}/admin/usage?group_by=key`, { headers: { authorization: 'Bearer master-secret' } });
      const rows = ((await usage.json()) as { data: Array<{ group: string; cost_usd: number }> }).data;
      return rows.some((row) => row.group === 'config:racer' && row.cost_usd === 6);
    });
    const fresh = await startTestGateway(config(storage, slow.url, receiver.url));
    try {
      // From $6: 6, 8, 10, 12, 14 admit, 16 + 6 > 20 (a store that started from 0 would admit 8).
      let admitted = 0;
      while ((await ask(fresh, 'sk-race-00001', 'priced')).status === 200) {
        admitted++;
        await fresh.limits.idle();
      }
      assert.equal(admitted, 5);
    } finally {
      await fresh.stop();
    }
  });
});

test('storage not open: a budget cannot be read, so it is skipped (open) or a 503 (closed); the other limits still hold', async () => {
  const yaml = (policy: string) => `
server: { master_key: master-secret }
storage: "postgres://postgres@127.0.0.1:1/none"
limits: { on_store_error: ${policy} }
providers: { mock: { type: mock } }
models: { priced: { targets: [{ provider: mock, model: echo, ${PRICED} }] } }
keys: [{ name: k, key: sk-k-00000001, limits: { rpm: 2 }, budget: { usd: 1, period: day } }]
`;
  const open = await startTestGateway(yaml('open'));
  try {
    // $6 reserved against a $1 budget would be refused if the budget were checked.
    assert.equal((await ask(open, 'sk-k-00000001', 'priced')).status, 200);
    assert.equal((await ask(open, 'sk-k-00000001', 'priced')).status, 200);
    const third = await ask(open, 'sk-k-00000001', 'priced');
    assert.equal(third.status, 429, 'rpm still enforced');
    assert.match(third.json.error.message, /rpm/);
  } finally {
    await open.stop();
  }
  const closed = await startTestGateway(yaml('closed'));
  try {
    const reply = await ask(closed, 'sk-k-00000001', 'priced');
    assert.equal(reply.status, 503);
    assert.match(reply.json.error.message, /budgets cannot be checked right now \(the request log is unavailable\)/);
  } finally {
    await closed.stop();
  }
});

function config(storage: string, slowUrl: string, alertsUrl: string, extra = ''): string {
  return `
server: { master_key: master-secret }
storage: "${storage}"
providers:
  mock: { type: mock }
  slowup: { type: openai, base_url: "${slowUrl}", api_key: sk-up }
teams:
  ml: { limits: { rpm: 3 } }
limits:
  budget_alerts: { webhook: "${alertsUrl}" }
models:
  fast: { targets: [{ provider: mock, model: echo }] }
  capped: { targets: [{ provider: mock, model: echo }], limits: { rpm: 2 } }
  priced: { targets: [{ provider: mock, model: echo, ${PRICED} }] }
  slow: { targets: [{ provider: slowup, model: gpt-4.1 }] }
keys:
  - { name: burst, key: sk-burst-00001, limits: { rpm: 10 } }
  - { name: tokens, key: sk-tokens-0001, limits: { tpm: 50 } }
  - { name: single, key: sk-single-0001, limits: { concurrency: 1 } }
  - { name: ml-a, key: sk-ml-a-00001, team: ml }
  - { name: ml-b, key: sk-ml-b-00001, team: ml }
  - { name: free, key: sk-free-00001 }
  - { name: spender, key: sk-spend-0001, budget: { usd: 20, period: day } }
  - { name: racer, key: sk-race-00001, budget: { usd: 20, period: day } }
  - { name: alerted, key: sk-alert-0001, budget: { usd: 10, period: day } }
${extra}`;
}

const redis = redisUrlForTests();
describe('rate limits through Redis', { skip: 'skip' in redis ? redis.skip : undefined }, () => {
  test('two gateway instances on one Redis share one limit exactly', async () => {
    const redisUrl = (redis as { url: string }).url;
    // A key of its own per run: counters in Redis outlive the test by a minute.
    const name = `shared-${randomUUID().slice(0, 8)}`;
    const yaml = `
server: { master_key: master-secret }
storage: memory
redis: "${redisUrl}"
providers: { mock: { type: mock } }
models: { fast: { targets: [{ provider: mock, model: echo }] } }
keys: [{ name: ${name}, key: sk-${name}, limits: { rpm: 10 } }]
`;
    const first = await startTestGateway(yaml);
    const second = await startTestGateway(yaml);
    try {
      const replies = await Promise.all(Array.from({ length: 30 }, (_, i) => ask(i % 2 === 0 ? first : second, `sk-${name}`)));
      assert.equal(replies.filter((r) => r.status === 200).length, 10);
      const ready = (await (await fetch(`${first.url}/health/ready`)).json()) as any;
      assert.deepEqual([ready.checks.redis.status, ready.checks.redis.used_for], ['ok', ['circuit_breaker', 'rate_limits']]);
    } finally {
      await first.stop();
      await second.stop();
    }
  });

  test('one Redis round trip on the request path: a single script call before the upstream answers, the settlement after', async () => {
    const redisUrl = (redis as { url: string }).url;
    const { Redis } = await import('ioredis');
    const client = new Redis(redisUrl);
    const monitor = await client.monitor();
    const name = `trip-${randomUUID().slice(0, 8)}`;
    const calls: string[] = [];
    // The script calls naming this key's limits (MONITOR also shows the commands scripts run, and other tests' traffic).
    monitor.on('monitor', (_time: string, args: string[]) => {
      const command = String(args[0]).toLowerCase();
      if ((command === 'evalsha' || command === 'eval') && args.some((arg) => arg.includes(name))) calls.push(command);
    });
    const upstream = await startFakeOpenAI({ delayMs: 300, usage: { input: 3, output: 2 } });
    let seenDuringUpstream = -1;
    let measuring = false;
    upstream.script = () => {
      // Counted once the upstream has held the request for a while: MONITOR's feed has caught up by then.
      if (measuring) setTimeout(() => (seenDuringUpstream = calls.length), 200);
      return { delayMs: measuring ? 300 : 0, usage: { input: 3, output: 2 } };
    };
    const gateway = await startTestGateway(`
server: { master_key: master-secret }
storage: memory
redis: "${redisUrl}"
providers: { up: { type: openai, base_url: "${upstream.url}", api_key: sk-up } }
models: { fast: { targets: [{ provider: up, model: m, pricing: { input_per_mtok: 1, output_per_mtok: 1 } }] } }
keys: [{ name: ${name}, key: sk-${name}, limits: { rpm: 100, tpm: 100000, concurrency: 5 }, budget: { usd: 100, period: day } }]
`);
    try {
      // The first request of a budget's period in a process also seeds its counter (one more call,
      // once), and may find a script not loaded in Redis yet (NOSCRIPT, then EVAL): wait until it is quiet.
      assert.equal((await ask(gateway, `sk-${name}`)).status, 200);
      await waitFor(async () => calls.length >= 3, 3000);
      for (let seen = -1; seen !== calls.length; ) {
        seen = calls.length;
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
      calls.length = 0;
      measuring = true;
      const reply = await ask(gateway, `sk-${name}`);
      assert.equal(reply.status, 200, JSON.stringify(reply.json));
      assert.equal(seenDuringUpstream, 1, 'rpm, tpm, concurrency and the budget were taken in one call before the upstream was asked');
      await waitFor(async () => calls.length >= 2, 3000);
      assert.equal(calls.length, 2, 'and settled in one call after the answer');
    } finally {
      monitor.disconnect();
      client.disconnect();
      await gateway.stop();
      await upstream.close();
    }
  });

  test('Redis lost mid-way and back: served without limits meanwhile (counted), the shared limit holds again after', async () => {
    const target = new URL((redis as { url: string }).url);
    const proxy = new CuttableProxy({ host: target.hostname, port: Number(target.port || 6379) });
    await proxy.up();
    const name = `cut-${randomUUID().slice(0, 8)}`;
    const gateway = await startTestGateway(`
server: { master_key: master-secret }
storage: memory
redis: "redis://127.0.0.1:${proxy.port}"
providers: { mock: { type: mock } }
models: { fast: { targets: [{ provider: mock, model: echo }] } }
keys: [{ name: ${name}, key: sk-${name}, limits: { rpm: 3 } }]
`);
    try {
      for (let i = 0; i < 2; i++) assert.equal((await ask(gateway, `sk-${name}`)).status, 200);
      await proxy.down();
      const errorsBefore = await metric(gateway, 'switchyard_limit_store_errors_total');
      for (let i = 0; i < 5; i++) assert.equal((await ask(gateway, `sk-${name}`)).status, 200, 'open: served while Redis is gone');
      assert.ok((await metric(gateway, 'switchyard_limit_store_errors_total')) >= errorsBefore + 5);
      await proxy.up();
      // Redis kept its counters (2 of 3 used): once reconnected, exactly one more passes, then 429.
      await waitFor(async () => ((await (await fetch(`${gateway.url}/health/ready`)).json()) as any).checks.redis.status === 'ok', 8000);
      assert.equal((await ask(gateway, `sk-${name}`)).status, 200);
      assert.equal((await ask(gateway, `sk-${name}`)).status, 429);
    } finally {
      await gateway.stop();
      await proxy.down();
    }
  });

  test('Redis unreachable: on_store_error open serves (and counts it), closed answers 503', async () => {
    const yaml = (policy: string) => `
server: { master_key: master-secret }
storage: memory
redis: "redis://127.0.0.1:1"
limits: { on_store_error: ${policy} }
providers: { mock: { type: mock } }
models: { fast: { targets: [{ provider: mock, model: echo }] } }
keys: [{ name: k, key: sk-k-00000001, limits: { rpm: 1 } }]
`;
    const open = await startTestGateway(yaml('open'));
    try {
      for (let i = 0; i < 3; i++) assert.equal((await ask(open, 'sk-k-00000001')).status, 200, 'served without limits');
      assert.ok((await metric(open, 'switchyard_limit_store_errors_total')) >= 3);
    } finally {
      await open.stop();
    }
    const closed = await startTestGateway(yaml('closed'));
    try {
      const reply = await ask(closed, 'sk-k-00000001');
      assert.equal(reply.status, 503);
      assert.match(reply.json.error.message, /limit store is unavailable/);
      // A key without limits needs no store: still served.
      assert.equal((await ask(closed, 'master-secret')).status, 200);
    } finally {
      await closed.stop();
    }
  });
});
