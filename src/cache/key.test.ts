import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Caller } from '../server/auth.js';
import { parseCacheControl } from './cache-control.js';
import { cacheNamespace, canonicalJson, deterministicEnough, exactCacheKey } from './key.js';

const body = { model: 'fast', messages: [{ role: 'user', content: 'hi' }], max_tokens: 5 };

test('the key ignores key order, stream, stream_options, user and metadata, and nothing else', () => {
  const key = exactCacheKey('openai-chat', 'global', body);
  assert.equal(exactCacheKey('openai-chat', 'global', { max_tokens: 5, messages: [{ content: 'hi', role: 'user' }], model: 'fast' }), key);
  assert.equal(exactCacheKey('openai-chat', 'global', { ...body, stream: true, stream_options: { include_usage: true }, user: 'u1', metadata: { a: 'b' } }), key);
  for (const changed of [
    { ...body, model: 'smart' },
    { ...body, max_tokens: 6 },
    { ...body, temperature: 0 },
    { ...body, messages: [{ role: 'user', content: 'hi!' }] },
    { ...body, tools: [] },
  ]) {
    assert.notEqual(exactCacheKey('openai-chat', 'global', changed), key, JSON.stringify(changed));
  }
  assert.notEqual(exactCacheKey('anthropic-messages', 'global', body), key, 'each dialect has its own entries');
  assert.notEqual(exactCacheKey('openai-chat', 'key:k1', body), key, 'each namespace has its own entries');
  // Only top-level fields are ignored: a message field called "user" still counts.
  assert.notEqual(
    exactCacheKey('openai-chat', 'global', { ...body, messages: [{ role: 'user', content: 'hi', user: 'x' }] }),
    key,
  );
});

test('canonical JSON: sorted keys at every level, arrays in order, undefined fields dropped, deep nesting without recursion', () => {
  assert.equal(canonicalJson({ b: [3, { d: 1, c: 'x' }], a: null, u: undefined }), '{"a":null,"b":[3,{"c":"x","d":1}]}');
  assert.equal(canonicalJson('s"q'), '"s\\"q"');
  let deep: unknown = 1;
  for (let i = 0; i < 100_000; i++) deep = [deep];
  assert.equal(canonicalJson(deep).length, 200_001);
});

test('namespaces: global, per key, per team (a key without a team is its own)', () => {
  const key = (team: string | null): Caller => ({ kind: 'key', key: { id: 'k1', team } as any });
  assert.equal(cacheNamespace('global', key('t')), 'global');
  assert.equal(cacheNamespace('key', key('t')), 'key:k1');
  assert.equal(cacheNamespace('team', key('t')), 'team:t');
  assert.equal(cacheNamespace('team', key(null)), 'key:k1');
  assert.equal(cacheNamespace('key', { kind: 'master' }), 'master');
});

test('temperature above 0 is not deterministic enough unless any_temperature', () => {
  assert.equal(deterministicEnough(body, false), true);
  assert.equal(deterministicEnough({ ...body, temperature: 0 }, false), true);
  assert.equal(deterministicEnough({ ...body, temperature: 0.7 }, false), false);
  assert.equal(deterministicEnough({ ...body, temperature: 0.7 }, true), true);
});

test('Cache-Control: no-cache, no-store, max-age (0 stores nothing); other directives ignored', () => {
  assert.deepEqual(parseCacheControl(undefined), { read: true, write: true });
  assert.deepEqual(parseCacheControl('no-cache'), { read: false, write: true });
  assert.deepEqual(parseCacheControl('No-Store, private'), { read: true, write: false });
  assert.deepEqual(parseCacheControl('max-age=120'), { read: true, write: true, maxAgeS: 120 });
  assert.deepEqual(parseCacheControl('max-age=0'), { read: true, write: false, maxAgeS: 0 });
  assert.deepEqual(parseCacheControl(['no-cache', 'max-age=5']), { read: false, write: true, maxAgeS: 5 });
  assert.deepEqual(parseCacheControl('max-age=soon'), { read: true, write: true });
});
