import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { postJson, startTestGateway, waitFor, type TestGateway } from './harness.js';
import { storageForTests, postgresUrlForTests } from '../helpers/services.js';
import { generateKey, newKeyId } from '../../src/keys/records.js';

const MASTER = 'Bearer master-secret';
const chat = (gateway: TestGateway, model: string, headers: Record<string, string>, extra: Record<string, unknown> = {}) =>
  postJson(`${gateway.url}/v1/chat/completions`, { model, messages: [{ role: 'user', content: 'hi' }], ...extra }, headers);

async function storedKey(gateway: TestGateway, name: string, fields: { models?: string[]; disabled?: boolean } = {}) {
  const fresh = generateKey();
  const record = await gateway.storage.get().createKey({
    id: newKeyId(),
    name,
    key_hash: fresh.hash,
    prefix: fresh.prefix,
    team: null,
    models: fields.models ?? null,
    limits: null,
    budget: null,
    metadata: null,
    guardrails: null,
    expires_at: null,
    disabled: fields.disabled ?? false,
  });
  return { record, auth: { authorization: `Bearer ${fresh.plaintext}` } };
}

describe('virtual keys', () => {
  let gateway: TestGateway;
  let cleanup: () => Promise<void>;
  before(async () => {
    const store = await storageForTests('sqlite');
    cleanup = store.cleanup;
    gateway = await startTestGateway(`
server: { master_key: master-secret }
storage: "${store.storage}"
providers: { mock: { type: mock } }
models:
  fast: { targets: [{ provider: mock, model: echo }] }
  smart: { targets: [{ provider: mock, model: lorem }] }
keys:
  - { name: ci-bot, key: sk-ci-bot-0001, models: [fast, "mock/*"], metadata: { owner: ci } }
  - { name: off, key: sk-off-00000001, disabled: true }
  - { name: old, key: sk-old-00000001, expires_at: "2020-01-01T00:00:00Z" }
  - { name: anything, key: sk-anything-001 }
`);
    await waitFor(() => gateway.keys.loaded);
  });
  after(async () => {
    await gateway.stop();
    await cleanup();
  });

  test('no key, a wrong key, a disabled or expired key: 401 in each API\'s own shape', async () => {
    const none = await chat(gateway, 'fast', {});
    assert.equal(none.status, 401);
    assert.equal(none.json.error.code, 'invalid_api_key');
    assert.match(none.json.error.message, /missing API key/);
    const anthropic = await postJson(`${gateway.url}/v1/messages`, { model: 'fast', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] }, { 'x-api-key': 'sk-wrong-000000' });
    assert.equal(anthropic.status, 401);
    assert.equal(anthropic.json.type, 'error');
    assert.equal(anthropic.json.error.type, 'authentication_error');
    assert.match((await chat(gateway, 'fast', { authorization: 'Bearer sk-off-00000001' })).json.error.message, /"off" is disabled/);
    assert.match((await chat(gateway, 'fast', { authorization: 'Bearer sk-old-00000001' })).json.error.message, /"old" expired at 2020-01-01/);
    assert.equal((await fetch(`${gateway.url}/health`)).status, 200, 'health needs no key');
    assert.equal((await fetch(`${gateway.url}/v1/models`)).status, 401);
  });

  test('a key works as Bearer or x-api-key, on the models it may use (names and globs)', async () => {
    for (const headers of [{ authorization: 'Bearer sk-ci-bot-0001' }, { authorization: 'bearer sk-ci-bot-0001' }, { 'x-api-key': 'sk-ci-bot-0001' }] as Array<Record<string, string>>) {
      const reply = await chat(gateway, 'fast', headers);
      assert.equal(reply.status, 200, reply.text);
    }
    assert.equal((await chat(gateway, 'mock/echo', { 'x-api-key': 'sk-ci-bot-0001' })).status, 200, 'mock/* matches');
    const denied = await chat(gateway, 'smart', { 'x-api-key': 'sk-ci-bot-0001' });
    assert.equal(denied.status, 403);
    assert.equal(denied.json.error.code, 'model_not_allowed');
    assert.match(denied.json.error.message, /may not use model "smart"/);
    const missing = await chat(gateway, 'nope', { 'x-api-key': 'sk-ci-bot-0001' });
    assert.equal(missing.status, 404);
    assert.equal(missing.json.error.code, 'model_not_found');
    // The client's own fallbacks are held to the same list.
    const fallback = await chat(gateway, 'fast', { 'x-api-key': 'sk-ci-bot-0001', 'x-switchyard-fallbacks': 'smart' });
    assert.equal(fallback.status, 403);
    assert.equal(fallback.json.error.param, 'x-switchyard-fallbacks');
    // The embeddings and count_tokens routes too.
    const embeddings = await postJson(`${gateway.url}/v1/embeddings`, { model: 'smart', input: 'x' }, { 'x-api-key': 'sk-ci-bot-0001' });
    assert.equal(embeddings.status, 403);
    // /v1/models lists what the key may use.
    const models = await fetch(`${gateway.url}/v1/models`, { headers: { 'x-api-key': 'sk-ci-bot-0001' } });
    const ids = ((await models.json()) as { data: Array<{ id: string }> }).data.map((m) => m.id);
    assert.ok(ids.includes('fast') && !ids.includes('smart'), ids.join(','));
    // A key without `models` may use every model.
    assert.equal((await chat(gateway, 'smart', { 'x-api-key': 'sk-anything-001' })).status, 200);
  });

  test('the master key reaches every route; a virtual key never reaches /admin', async () => {
    assert.equal((await chat(gateway, 'smart', { authorization: MASTER })).status, 200);
    assert.equal((await fetch(`${gateway.url}/admin/providers`, { headers: { authorization: MASTER } })).status, 200);
    const ordinary = await fetch(`${gateway.url}/admin/providers`, { headers: { 'x-api-key': 'sk-ci-bot-0001' } });
    assert.equal(ordinary.status, 403);
    assert.equal(((await ordinary.json()) as any).error.code, 'permission_denied');
    assert.equal((await fetch(`${gateway.url}/admin/logs`)).status, 401);
  });

  test('a stored key works once created; disabled, re-enabled and revoked, it follows within a second', async () => {
    const { record, auth } = await storedKey(gateway, 'svc-a', { models: ['fast'] });
    await waitFor(async () => (await chat(gateway, 'fast', auth)).status === 200, 1500);
    assert.equal((await chat(gateway, 'smart', auth)).status, 403);
    await gateway.storage.get().updateKey(record.id, { disabled: true });
    await waitFor(async () => (await chat(gateway, 'fast', auth)).status === 401, 1500);
    await gateway.storage.get().updateKey(record.id, { disabled: false, models: null });
    await waitFor(async () => (await chat(gateway, 'smart', auth)).status === 200, 1500);
    await gateway.storage.get().revokeKey(record.id);
    await waitFor(async () => (await chat(gateway, 'fast', auth)).status === 401, 1500);
  });
});

test('a gateway with no master key and no keys is open: any key, or none, is accepted', async () => {
  const gateway = await startTestGateway(`
storage: memory
providers: { mock: { type: mock } }
`);
  try {
    assert.equal((await chat(gateway, 'mock/echo', {})).status, 200);
    assert.equal((await chat(gateway, 'mock/echo', { authorization: 'Bearer sk-whatever' })).status, 200);
    assert.equal((await fetch(`${gateway.url}/admin/providers`)).status, 200);
    const ready = await fetch(`${gateway.url}/health/ready`);
    assert.equal(ready.status, 200);
    assert.deepEqual(((await ready.json()) as any).checks.keys, { status: 'ok', config: 0, stored: 0 });
  } finally {
    await gateway.stop();
  }
});

test('storage not read yet but a config key exists: /health/ready is 200 (that key is served) and says keys are loading', async () => {
  const gateway = await startTestGateway(`
storage: "postgres://postgres@127.0.0.1:1/none"
keys: [{ name: static-one, key: sk-static-one }]
providers: { mock: { type: mock } }
`);
  try {
    assert.equal((await chat(gateway, 'mock/echo', { authorization: 'Bearer sk-static-one' })).status, 200);
    const ready = await fetch(`${gateway.url}/health/ready`);
    assert.equal(ready.status, 200);
    assert.deepEqual(((await ready.json()) as any).checks.keys, { status: 'loading', config: 1, stored: 0 });
  } finally {
    await gateway.stop();
  }
});

test('no master key and no config keys, but storage not read yet: 503, never open (stored keys may exist)', async () => {
  const gateway = await startTestGateway(`
storage: "postgres://postgres@127.0.0.1:1/none"
providers: { mock: { type: mock } }
`);
  try {
    const reply = await chat(gateway, 'mock/echo', {});
    assert.equal(reply.status, 503);
    assert.match(reply.json.error.message, /virtual keys are not loaded yet/);
    assert.equal((await fetch(`${gateway.url}/admin/providers`)).status, 503);
    assert.equal((await fetch(`${gateway.url}/health`)).status, 200);
    // A load balancer must not send traffic here yet: every request would be a 503.
    const ready = await fetch(`${gateway.url}/health/ready`);
    assert.equal(ready.status, 503);
    assert.deepEqual(((await ready.json()) as any).checks.keys, { status: 'loading', config: 0, stored: 0 });
  } finally {
    await gateway.stop();
  }
});

const postgres = postgresUrlForTests();
test('two instances on one database: a key revoked through one stops working on the other within a second', { skip: 'skip' in postgres ? postgres.skip : undefined }, async () => {
  const store = await storageForTests('postgres');
  const config = `
server: { master_key: master-secret }
storage: "${store.storage}"
providers: { mock: { type: mock } }
`;
  const first = await startTestGateway(config);
  const second = await startTestGateway(config);
  try {
    const { record, auth } = await storedKey(first, 'shared');
    await waitFor(async () => (await chat(second, 'mock/echo', auth)).status === 200, 1500);
    assert.equal((await chat(first, 'mock/echo', auth)).status, 200);
    await first.storage.get().revokeKey(record.id);
    const revokedAt = Date.now();
    await waitFor(async () => (await chat(second, 'mock/echo', auth)).status === 401, 2000);
    assert.ok(Date.now() - revokedAt < 2000, `seen by the other instance after ${Date.now() - revokedAt} ms`);
  } finally {
    await first.stop();
    await second.stop();
    await store.cleanup();
  }
});
