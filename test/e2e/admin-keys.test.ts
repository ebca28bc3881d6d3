/**
 * The virtual keys admin API end to end, on every storage backend: create (plaintext once),
 * list, get, patch, revoke, validation naming the field, 404s, 405s and the master key.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { storageBackendsForTests, storageForTests } from '../helpers/services.js';
import { startTestGateway, type TestGateway } from './harness.js';

const ADMIN = { authorization: 'Bearer admin-secret' };
const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

interface Reply {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

async function call(gateway: TestGateway, method: string, path: string, body?: unknown, headers: Record<string, string> = ADMIN): Promise<Reply> {
  const init: RequestInit = { method, headers: { ...headers } };
  if (body !== undefined) {
    (init.headers as Record<string, string>)['content-type'] = 'application/json';
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
  }
  const response = await fetch(`${gateway.url}${path}`, init);
  const text = await response.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

/** Fields every key answer has; never `key_hash`. */
const RECORD_FIELDS = ['id', 'name', 'prefix', 'team', 'models', 'limits', 'budget', 'metadata', 'guardrails', 'disabled', 'created_at', 'updated_at', 'expires_at', 'revoked_at'];

for (const backend of storageBackendsForTests()) {
  describe(`admin keys API on ${backend.name}`, { skip: backend.skip }, () => {
    let gateway: TestGateway;
    let cleanup: () => Promise<void>;
    const create = (body: unknown) => call(gateway, 'POST', '/admin/keys', body);

    before(async () => {
      const store = await storageForTests(backend.name);
      cleanup = store.cleanup;
      gateway = await startTestGateway(`
server: { master_key: admin-secret }
storage: "${store.storage}"
providers:
  mock: { type: mock }
`);
    });
    after(async () => {
      await gateway.stop();
      await cleanup();
    });

    test('create answers 201 with the record and the plaintext; list and get never show the plaintext or its hash', async () => {
      const created = await create({ name: 'ci-bot', models: ['fast', 'gpt-*'], limits: { rpm: 60, tpm: 100000, concurrency: 4 }, budget: { usd: 5, period: 'day' }, team: 'platform', metadata: { owner: 'ci' } });
      assert.equal(created.status, 201, created.text);
      assert.equal(created.headers.get('cache-control'), 'no-store');
      const key = created.json.key as string;
      assert.match(key, /^sk-sy-[A-Za-z0-9_-]{32}$/);
      assert.ok(key.startsWith(created.json.prefix), `${key} starts with ${created.json.prefix}`);
      assert.ok(created.json.prefix.length >= 10 && created.json.prefix.length < key.length / 2, 'the prefix tells keys apart without giving one away');
      assert.match(created.json.id, /^key_[0-9a-f]{32}$/);
      assert.deepEqual(Object.keys(created.json).sort(), [...RECORD_FIELDS, 'key'].sort());
      assert.deepEqual(
        { name: created.json.name, team: created.json.team, models: created.json.models, limits: created.json.limits, budget: created.json.budget, metadata: created.json.metadata },
        { name: 'ci-bot', team: 'platform', models: ['fast', 'gpt-*'], limits: { rpm: 60, tpm: 100000, concurrency: 4 }, budget: { usd: 5, period: 'day' }, metadata: { owner: 'ci' } },
      );
      assert.equal(created.json.disabled, false);
      assert.equal(created.json.expires_at, null);
      assert.equal(created.json.revoked_at, null);
      assert.ok(Math.abs(Date.parse(created.json.created_at) - Date.now()) < 60_000, created.json.created_at);

      const listed = await call(gateway, 'GET', '/admin/keys');
      assert.equal(listed.status, 200, listed.text);
      const row = listed.json.data.find((k: any) => k.id === created.json.id);
      assert.ok(row, 'the new key is listed');
      assert.deepEqual(Object.keys(row).sort(), [...RECORD_FIELDS].sort());
      assert.equal(row.prefix, created.json.prefix);
      const got = await call(gateway, 'GET', `/admin/keys/${created.json.id}`);
      assert.equal(got.status, 200, got.text);
      const { key: _plaintext, ...record } = created.json;
      const { budget_status: status, ...gotRecord } = got.json;
      assert.deepEqual(gotRecord, record);
      // A key with a budget shows its spend this period (from the request log) and when it resets.
      // (Derived from the answer's own period start, so a run across midnight UTC holds too.)
      const start = Date.parse(status.period_start);
      assert.equal(start % 86_400_000, 0, 'a UTC day starts at midnight');
      assert.ok(Math.abs(start - Date.now()) < 2 * 86_400_000);
      assert.deepEqual(status, { spent_usd: 0, period_start: new Date(start).toISOString(), resets_at: new Date(start + 86_400_000).toISOString() });
      for (const text of [listed.text, got.text, (await call(gateway, 'GET', '/admin/keys?include_revoked=true')).text]) {
        assert.ok(!text.includes(key), 'never the plaintext again');
        assert.ok(!text.includes(sha256(key)), 'never the hash');
        assert.ok(!text.includes('key_hash'));
      }
    });

    test('defaults: budget period month, expires_at as ISO 8601 or epoch ms, disabled', async () => {
      const expires = Date.UTC(2099, 0, 31, 12);
      const byIso = await create({ name: 'iso-expiry', budget: { usd: 12.5 }, expires_at: '2099-01-31T12:00:00Z' });
      assert.equal(byIso.status, 201, byIso.text);
      assert.deepEqual(byIso.json.budget, { usd: 12.5, period: 'month' });
      assert.equal(byIso.json.expires_at, new Date(expires).toISOString());
      const byEpoch = await create({ name: 'epoch-expiry', expires_at: expires, disabled: true, team: null, models: null });
      assert.equal(byEpoch.status, 201, byEpoch.text);
      assert.equal(byEpoch.json.expires_at, new Date(expires).toISOString());
      assert.equal(byEpoch.json.disabled, true);
      assert.equal(byEpoch.json.team, null);
      assert.equal(byEpoch.json.models, null);
      assert.notEqual(byEpoch.json.key, byIso.json.key);
    });

    test('a second live key with the same name is 409 conflict naming `name`; each create makes a new id', async () => {
      const first = await create({ name: 'twice' });
      assert.equal(first.status, 201, first.text);
      const second = await create({ name: 'twice' });
      assert.equal(second.status, 409, second.text);
      assert.equal(second.json.error.code, 'conflict');
      assert.equal(second.json.error.param, 'name');
      assert.match(second.json.error.message, /twice/);
      const listed = await call(gateway, 'GET', '/admin/keys');
      assert.equal(listed.json.data.filter((k: any) => k.name === 'twice').length, 1);
    });

    test('bad bodies are 400 naming the field, and create nothing', async () => {
      const before = (await call(gateway, 'GET', '/admin/keys?include_revoked=true')).json.data.length;
      const cases: Array<[unknown, string, RegExp]> = [
        [{}, 'name', /^name: required/],
        [{ name: '' }, 'name', /name: must not be empty/],
        [{ name: 'x'.repeat(101) }, 'name', /name: at most 100 characters/],
        [{ name: 42 }, 'name', /name: expected a string/],
        [{ name: 'a', nmae: 'b' }, 'nmae', /nmae: unknown field/],
        [{ name: 'a', limits: { rpm: 0 } }, 'limits.rpm', /^limits\.rpm: expected a positive integer$/],
        [{ name: 'a', limits: { tpm: 1.5 } }, 'limits.tpm', /limits\.tpm: expected a positive integer/],
        [{ name: 'a', limits: { concurrency: '4' } }, 'limits.concurrency', /limits\.concurrency: expected a positive integer/],
        [{ name: 'a', limits: { rpm: 5, burst: 10 } }, 'limits.burst', /limits\.burst: unknown field/],
        [{ name: 'a', limits: 60 }, 'limits', /limits: expected an object/],
        [{ name: 'a', models: 'gpt-4.1' }, 'models', /models: expected an array/],
        [{ name: 'a', models: [] }, 'models', /models: needs at least one/],
        [{ name: 'a', models: ['fast', ''] }, 'models[1]', /models\[1\]: must not be empty/],
        [{ name: 'a', budget: { usd: 0 } }, 'budget.usd', /budget\.usd: expected a number of US dollars above 0/],
        [{ name: 'a', budget: { usd: 5, period: 'year' } }, 'budget.period', /budget\.period: expected one of "day", "week", "month", "total"/],
        [{ name: 'a', budget: { period: 'day' } }, 'budget.usd', /budget\.usd/],
        [{ name: 'a', expires_at: '2001-01-01T00:00:00Z' }, 'expires_at', /expires_at: must be in the future/],
        [{ name: 'a', expires_at: 'next tuesday' }, 'expires_at', /expires_at: expected an ISO 8601 time/],
        [{ name: 'a', expires_at: '2099-01-31T12:00:00' }, 'expires_at', /expires_at: expected an ISO 8601 time with a zone/],
        [{ name: 'a', expires_at: '2099-02-30' }, 'expires_at', /expires_at/],
        [{ name: 'a', metadata: ['x'] }, 'metadata', /metadata: expected a JSON object/],
        [{ name: 'a', metadata: { blob: 'x'.repeat(17 * 1024) } }, 'metadata', /metadata: at most 16384 bytes as JSON/],
        [{ name: 'a', disabled: 'yes' }, 'disabled', /disabled: expected true or false/],
        [{ name: 'a', team: '' }, 'team', /team: must not be empty/],
      ];
      for (const [body, param, message] of cases) {
        const reply = await create(body);
        assert.equal(reply.status, 400, `${JSON.stringify(body).slice(0, 80)}: ${reply.text}`);
        assert.equal(reply.json.error.code, 'invalid_request', reply.text);
        assert.equal(reply.json.error.type, 'invalid_request_error');
        assert.equal(reply.json.error.param, param, reply.text);
        assert.match(reply.json.error.message, message);
      }
      const several = await create({ name: 'a', limits: { rpm: -1 }, budget: { usd: 'lots' } });
      assert.equal(several.status, 400);
      assert.match(several.json.error.message, /limits\.rpm: .*; budget\.usd: /, 'every problem is named');
      for (const [body, message] of [['{"name": "a"', /not valid JSON/], ['[1, 2]', /must be a JSON object/], ['', /empty/]] as const) {
        const reply = await create(body);
        assert.equal(reply.status, 400, reply.text);
        assert.equal(reply.json.error.code, 'invalid_json');
        assert.match(reply.json.error.message, message);
      }
      assert.equal((await call(gateway, 'GET', '/admin/keys?include_revoked=true')).json.data.length, before, 'no key was created');
    });

    test('PATCH changes the fields given, null clears, and validates like create', async () => {
      const created = await create({ name: 'patch-me', team: 'a', models: ['fast'], limits: { rpm: 10 }, metadata: { v: 1 } });
      assert.equal(created.status, 201, created.text);
      const id = created.json.id;
      const patched = await call(gateway, 'PATCH', `/admin/keys/${id}`, { name: 'patched', limits: { rpm: 20, tpm: 500 }, budget: { usd: 3, period: 'week' }, disabled: true, expires_at: '2099-06-01' });
      assert.equal(patched.status, 200, patched.text);
      assert.equal(patched.json.name, 'patched');
      assert.deepEqual(patched.json.limits, { rpm: 20, tpm: 500 });
      assert.deepEqual(patched.json.budget, { usd: 3, period: 'week' });
      assert.equal(patched.json.disabled, true);
      assert.equal(patched.json.expires_at, '2099-06-01T00:00:00.000Z');
      assert.equal(patched.json.team, 'a', 'fields not given are kept');
      assert.deepEqual(patched.json.models, ['fast']);
      assert.equal(patched.json.prefix, created.json.prefix);
      assert.equal(patched.json.key, undefined, 'no plaintext on PATCH');
      assert.ok(!patched.text.includes(created.json.key));

      const cleared = await call(gateway, 'PATCH', `/admin/keys/${id}`, { team: null, models: null, limits: null, budget: null, metadata: null, expires_at: null, disabled: false });
      assert.equal(cleared.status, 200, cleared.text);
      for (const field of ['team', 'models', 'limits', 'budget', 'metadata', 'expires_at']) assert.equal(cleared.json[field], null, field);
      assert.equal(cleared.json.disabled, false);
      assert.deepEqual((await call(gateway, 'GET', `/admin/keys/${id}`)).json, cleared.json);

      for (const [body, param] of [[{ limits: { rpm: 0 } }, 'limits.rpm'], [{ name: null }, 'name'], [{ key_hash: 'x' }, 'key_hash'], [{ prefix: 'sk-sy-me' }, 'prefix'], [{ disabled: null }, 'disabled']] as const) {
        const reply = await call(gateway, 'PATCH', `/admin/keys/${id}`, body);
        assert.equal(reply.status, 400, reply.text);
        assert.equal(reply.json.error.param, param, reply.text);
      }
      const empty = await call(gateway, 'PATCH', `/admin/keys/${id}`, {});
      assert.equal(empty.status, 400, empty.text);
      assert.match(empty.json.error.message, /nothing to change/);
      const badJson = await call(gateway, 'PATCH', `/admin/keys/${id}`, '{');
      assert.equal(badJson.status, 400);
      assert.equal(badJson.json.error.code, 'invalid_json');

      const other = await create({ name: 'taken' });
      assert.equal(other.status, 201, other.text);
      const rename = await call(gateway, 'PATCH', `/admin/keys/${id}`, { name: 'taken' });
      assert.equal(rename.status, 409, rename.text);
      assert.equal(rename.json.error.param, 'name');
    });

    test('DELETE revokes: the record comes back with revoked_at; GET still shows it; the list leaves it out unless include_revoked=true', async () => {
      const created = await create({ name: 'revoke-me' });
      const id = created.json.id;
      const revoked = await call(gateway, 'DELETE', `/admin/keys/${id}`);
      assert.equal(revoked.status, 200, revoked.text);
      assert.equal(revoked.json.id, id);
      assert.ok(Math.abs(Date.parse(revoked.json.revoked_at) - Date.now()) < 60_000, revoked.json.revoked_at);
      assert.ok(!revoked.text.includes(created.json.key));
      const got = await call(gateway, 'GET', `/admin/keys/${id}`);
      assert.equal(got.status, 200);
      assert.equal(got.json.revoked_at, revoked.json.revoked_at);
      assert.equal(got.json.name, 'revoke-me', 'the row stays, with its name');
      const live = await call(gateway, 'GET', '/admin/keys');
      assert.ok(!live.json.data.some((k: any) => k.id === id));
      const all = await call(gateway, 'GET', '/admin/keys?include_revoked=true');
      assert.ok(all.json.data.some((k: any) => k.id === id && k.revoked_at !== null));
      const explicit = await call(gateway, 'GET', '/admin/keys?include_revoked=false');
      assert.ok(!explicit.json.data.some((k: any) => k.id === id));
      const badFlag = await call(gateway, 'GET', '/admin/keys?include_revoked=yes');
      assert.equal(badFlag.status, 400);
      assert.equal(badFlag.json.error.param, 'include_revoked');

      const again = await call(gateway, 'DELETE', `/admin/keys/${id}`);
      assert.equal(again.status, 404, again.text);
      assert.equal(again.json.error.code, 'not_found');
      assert.match(again.json.error.message, /revoked/);
      const patch = await call(gateway, 'PATCH', `/admin/keys/${id}`, { disabled: true });
      assert.equal(patch.status, 404, 'a revoked key cannot be changed');
      const reuse = await create({ name: 'revoke-me' });
      assert.equal(reuse.status, 201, 'the name of a revoked key is free again');
    });

    test('an unknown id is 404 not_found on GET, PATCH and DELETE', async () => {
      for (const method of ['GET', 'PATCH', 'DELETE']) {
        const reply = await call(gateway, method, '/admin/keys/key_doesnotexist', method === 'PATCH' ? { disabled: true } : undefined);
        assert.equal(reply.status, 404, `${method}: ${reply.text}`);
        assert.equal(reply.json.error.code, 'not_found');
        assert.match(reply.json.error.message, /key_doesnotexist/);
      }
      const malformed = await call(gateway, 'GET', '/admin/keys/%zz');
      assert.equal(malformed.status, 400);
      assert.equal(malformed.json.error.param, 'id');
    });

    test('other methods are 405 with allow', async () => {
      const onList = await call(gateway, 'PUT', '/admin/keys', { name: 'x' });
      assert.equal(onList.status, 405, onList.text);
      assert.equal(onList.headers.get('allow'), 'GET, POST');
      assert.equal(onList.json.error.code, 'method_not_allowed');
      const onKey = await call(gateway, 'POST', '/admin/keys/key_x', { name: 'x' });
      assert.equal(onKey.status, 405, onKey.text);
      assert.equal(onKey.headers.get('allow'), 'GET, PATCH, DELETE');
    });

    test('the master key is required: 401 without a key and with a wrong one; x-api-key works too', async () => {
      const created = await create({ name: 'guarded' });
      assert.equal(created.status, 201);
      const id = created.json.id;
      const attempts: Array<[string, string, unknown]> = [
        ['GET', '/admin/keys', undefined],
        ['POST', '/admin/keys', { name: 'intruder' }],
        ['GET', `/admin/keys/${id}`, undefined],
        ['PATCH', `/admin/keys/${id}`, { disabled: true }],
        ['DELETE', `/admin/keys/${id}`, undefined],
      ];
      for (const [method, path, body] of attempts) {
        for (const headers of [{}, { authorization: 'Bearer wrong-secret' }, { 'x-api-key': 'admin-secre' }] as Array<Record<string, string>>) {
          const reply = await call(gateway, method, path, body, headers);
          assert.equal(reply.status, 401, `${method} ${path} with ${JSON.stringify(headers)}: ${reply.text}`);
          assert.equal(reply.json.error.code, 'invalid_api_key');
        }
      }
      // A virtual key is not the master key.
      const asKey = await call(gateway, 'GET', '/admin/keys', undefined, { authorization: `Bearer ${created.json.key}` });
      // The admin API applies a key it created to this instance's registry at once: a known virtual key, refused.
      assert.equal(asKey.status, 403, asKey.text);
      assert.equal(asKey.json.error.code, 'permission_denied');
      const unchanged = await call(gateway, 'GET', `/admin/keys/${id}`, undefined, { 'x-api-key': 'admin-secret' });
      assert.equal(unchanged.status, 200, unchanged.text);
      assert.equal(unchanged.json.revoked_at, null);
      assert.equal(unchanged.json.disabled, false);
      assert.ok(!(await call(gateway, 'GET', '/admin/keys')).json.data.some((k: any) => k.name === 'intruder'));
    });
  });
}
