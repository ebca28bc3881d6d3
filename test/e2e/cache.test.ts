/** The exact response cache (`cache: { mode: exact }`) through the running gateway and the official SDKs. */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { startFakeOpenAI } from '../fakes/openai.js';
import type { FakeUpstream } from '../fakes/types.js';
import { freshPostgresSchema, postgresUrlForTests, redisUrlForTests } from '../helpers/services.js';
import { postJson, startTestGateway, waitFor, type TestGateway } from './harness.js';

const redis = redisUrlForTests();
const postgres = postgresUrlForTests();

function config(upstreamUrl: string, extra = ''): string {
  return `
server: { master_key: master-secret }
storage: memory
cache: { mode: exact, ttl_s: 60${extra} }
providers:
  up: { type: openai, base_url: "${upstreamUrl}", api_key: sk-up }
models:
  fast: { targets: [{ provider: up, model: gpt-4.1-mini, pricing: { input_per_mtok: 1000, output_per_mtok: 1000 } }] }
keys:
  - { name: alice, key: sk-alice-0001 }
  - { name: bob, key: sk-bob-0001 }
  - { name: carol, key: sk-carol-0001, limits: { rpm: 1000, tpm: 100000 } }
`;
}

const chat = (gateway: TestGateway, body: Record<string, unknown>, headers: Record<string, string> = {}) =>
  postJson(`${gateway.url}/v1/chat/completions`, { model: 'fast', ...body }, { authorization: 'Bearer master-secret', ...headers });

/** A prompt no other test uses, so each test starts with a cold cache. */
const prompt = (what: string) => [{ role: 'user', content: `${what} ${randomUUID()}` }];

async function metricValue(gateway: TestGateway, line: string): Promise<number> {
  const text = await (await fetch(`${gateway.url}/metrics`)).text();
  const found = text.split('\n').find((l) => l.startsWith(line));
  return found ? Number(found.split(' ').at(-1)) : 0;
}

describe('exact cache in process', () => {
  let upstream: FakeUpstream;
  let gateway: TestGateway;
  before(async () => {
    upstream = await startFakeOpenAI({ text: 'The answer is 42.', usage: { input: 10, output: 5 } });
    gateway = await startTestGateway(config(upstream.url));
  });
  after(async () => {
    await gateway.stop();
    await upstream.close();
  });

  test('a repeated request is answered from the cache: no upstream call, the same answer, attempts 0, cost 0, logged as a hit', async () => {
    const messages = prompt('first');
    const calls = upstream.requests.length;
    const miss = await chat(gateway, { messages, max_tokens: 20 });
    assert.equal(miss.status, 200);
    assert.equal(miss.headers.get('x-switchyard-cache'), 'miss');
    assert.equal(upstream.requests.length, calls + 1);
    await waitFor(async () => (await chat(gateway, { max_tokens: 20, messages })).headers.get('x-switchyard-cache') === 'hit', 3000);
    // A store write is off the response path: polls before it landed were misses (and went upstream).
    const afterWarm = upstream.requests.length;
    // Keys in another order are the same request.
    const hit = await postJson(`${gateway.url}/v1/chat/completions`, `{"max_tokens":20,"messages":${JSON.stringify(messages)},"model":"fast"}`, {
      authorization: 'Bearer master-secret',
    });
    assert.equal(hit.headers.get('x-switchyard-cache'), 'hit');
    assert.equal(upstream.requests.length, afterWarm, 'no upstream call for a hit');
    assert.equal(hit.json.choices[0].message.content, miss.json.choices[0].message.content);
    assert.deepEqual(hit.json, miss.json, "the same bytes as the first answer");
    assert.equal(hit.headers.get('x-switchyard-attempts'), '0');
    assert.equal(hit.headers.get('x-switchyard-provider'), 'up');
    assert.equal(hit.headers.get('x-switchyard-model'), 'gpt-4.1-mini');
    assert.equal(hit.headers.get('x-switchyard-cost-usd'), '0');
    assert.ok(Number(miss.headers.get('x-switchyard-cost-usd')) > 0);
    const id = hit.headers.get('x-request-id')!;
    await waitFor(async () => (await fetch(`${gateway.url}/admin/logs/${id}`, { headers: { authorization: 'Bearer master-secret' } })).status === 200, 3000);
    const row = (await (await fetch(`${gateway.url}/admin/logs/${id}`, { headers: { authorization: 'Bearer master-secret' } })).json()) as any;
    assert.deepEqual([row.cache, row.cost_usd, row.attempts, row.provider, row.upstream_model, row.status], ['hit', 0, 0, 'up', 'gpt-4.1-mini', 200]);
    const firstCost = Number(miss.headers.get('x-switchyard-cost-usd'));
    assert.ok(Math.abs(row.cost_saved_usd - firstCost) < 1e-9, `saved ${row.cost_saved_usd}, the first answer cost ${firstCost}`);
    const usage = (await (await fetch(`${gateway.url}/admin/usage?group_by=model`, { headers: { authorization: 'Bearer master-secret' } })).json()) as any;
    const fast = usage.data.find((entry: any) => entry.group === 'fast');
    assert.ok(fast.cache_hits >= 2 && fast.cost_saved_usd >= 2 * firstCost - 1e-9, JSON.stringify(fast));
    assert.equal(fast.cache_hit_rate, Math.round((fast.cache_hits / fast.requests) * 10_000) / 10_000);
    assert.ok((await metricValue(gateway, 'switchyard_cache_requests_total{result="hit"}')) >= 1);
    assert.ok((await metricValue(gateway, 'switchyard_cache_requests_total{result="miss"}')) >= 1);
  });

  test('a streamed answer serves a JSON request, and a JSON answer serves a stream (official openai SDK)', async () => {
    const client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'master-secret' });
    const streamedFirst = prompt('stream first');
    let streamedText = '';
    for await (const chunk of await client.chat.completions.create({ model: 'fast', messages: streamedFirst as any, stream: true })) {
      streamedText += chunk.choices[0]?.delta?.content ?? '';
    }
    assert.equal(streamedText, 'The answer is 42.');
    await waitFor(async () => (await chat(gateway, { messages: streamedFirst })).headers.get('x-switchyard-cache') === 'hit', 3000);
    const calls = upstream.requests.length;
    const asJson = await client.chat.completions.create({ model: 'fast', messages: streamedFirst as any });
    assert.equal(asJson.choices[0]!.message.content, 'The answer is 42.');
    assert.deepEqual([asJson.usage?.prompt_tokens, asJson.usage?.completion_tokens], [10, 5]);
    assert.equal(upstream.requests.length, calls);

    const jsonFirst = prompt('json first');
    await client.chat.completions.create({ model: 'fast', messages: jsonFirst as any });
    await waitFor(async () => (await chat(gateway, { messages: jsonFirst })).headers.get('x-switchyard-cache') === 'hit', 3000);
    const before = upstream.requests.length;
    let replayed = '';
    let usage: OpenAI.CompletionUsage | undefined;
    let finish: string | null | undefined;
    const stream = await client.chat.completions.create({ model: 'fast', messages: jsonFirst as any, stream: true, stream_options: { include_usage: true } });
    for await (const chunk of stream) {
      replayed += chunk.choices[0]?.delta?.content ?? '';
      finish ??= chunk.choices[0]?.finish_reason;
      if (chunk.usage) usage = chunk.usage;
    }
    assert.equal(replayed, 'The answer is 42.');
    assert.equal(finish, 'stop');
    assert.deepEqual([usage?.prompt_tokens, usage?.completion_tokens], [10, 5]);
    assert.equal(upstream.requests.length, before);
  });

  test('tool calls come back from the cache exactly, streamed to a client that sent JSON first', async () => {
    const args = '{"city":"Paris","unit":"c"}';
    upstream.script = { toolCalls: [{ id: 'call_cached', name: 'weather', arguments: args }], usage: { input: 20, output: 8 } };
    try {
      const client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'master-secret' });
      const request = {
        model: 'fast',
        messages: prompt('weather') as any,
        tools: [{ type: 'function' as const, function: { name: 'weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
      };
      const first = await client.chat.completions.create(request);
      assert.equal((first.choices[0]!.message.tool_calls![0] as any).function.arguments, args);
      await waitFor(async () => (await chat(gateway, request)).headers.get('x-switchyard-cache') === 'hit', 3000);
      const calls = upstream.requests.length;
      const replay = await client.chat.completions.create({ ...request, stream: true });
      let streamedArgs = '';
      let name = '';
      for await (const chunk of replay) {
        const call = chunk.choices[0]?.delta?.tool_calls?.[0];
        if (call?.function?.name) name = call.function.name;
        streamedArgs += call?.function?.arguments ?? '';
      }
      assert.deepEqual([name, streamedArgs], ['weather', args]);
      assert.equal(upstream.requests.length, calls);
    } finally {
      upstream.script = { text: 'The answer is 42.', usage: { input: 10, output: 5 } };
    }
  });

  test('Anthropic clients get Anthropic answers from the cache (translated provider), and never an OpenAI-format entry', async () => {
    const client = new Anthropic({ baseURL: gateway.url, apiKey: 'master-secret' });
    const messages = [{ role: 'user' as const, content: `anthropic ${randomUUID()}` }];
    const first = await client.messages.create({ model: 'fast', max_tokens: 50, messages });
    assert.equal((first.content[0] as any).text, 'The answer is 42.');
    const postMessages = () => postJson(`${gateway.url}/v1/messages`, { model: 'fast', max_tokens: 50, messages }, { 'x-api-key': 'master-secret', 'anthropic-version': '2023-06-01' });
    await waitFor(async () => (await postMessages()).headers.get('x-switchyard-cache') === 'hit', 3000);
    const calls = upstream.requests.length;
    let text = '';
    const stream = client.messages.stream({ model: 'fast', max_tokens: 50, messages });
    for await (const event of stream) if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') text += event.delta.text;
    const final = await stream.finalMessage();
    assert.equal(text, 'The answer is 42.');
    assert.equal(final.stop_reason, 'end_turn');
    assert.equal(upstream.requests.length, calls);
    // The same conversation in the OpenAI dialect is another entry.
    const openai = await chat(gateway, { max_tokens: 50, messages });
    assert.equal(openai.headers.get('x-switchyard-cache'), 'miss');
  });

  test('Cache-Control: no-cache skips the lookup but stores; no-store looks up but never stores; max-age sets the lifetime', async () => {
    const bypassed = prompt('no-cache');
    const first = await chat(gateway, { messages: bypassed }, { 'cache-control': 'no-cache' });
    assert.equal(first.headers.get('x-switchyard-cache'), 'bypass');
    await waitFor(async () => (await chat(gateway, { messages: bypassed })).headers.get('x-switchyard-cache') === 'hit', 3000);
    assert.equal((await chat(gateway, { messages: bypassed }, { 'cache-control': 'no-cache' })).headers.get('x-switchyard-cache'), 'bypass');

    const unstored = prompt('no-store');
    assert.equal((await chat(gateway, { messages: unstored }, { 'cache-control': 'no-store' })).headers.get('x-switchyard-cache'), 'miss');
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal((await chat(gateway, { messages: unstored })).headers.get('x-switchyard-cache'), 'miss');

    const brief = prompt('max-age');
    await chat(gateway, { messages: brief }, { 'cache-control': 'max-age=1' });
    await waitFor(async () => (await chat(gateway, { messages: brief }, { 'cache-control': 'no-store' })).headers.get('x-switchyard-cache') === 'hit', 3000);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    assert.equal((await chat(gateway, { messages: brief }, { 'cache-control': 'no-store' })).headers.get('x-switchyard-cache'), 'miss', 'expired after 1 s');
  });

  test('a temperature above 0 is not cached (no header); failed answers are never stored', async () => {
    const varied = prompt('creative');
    const first = await chat(gateway, { messages: varied, temperature: 0.8 });
    assert.equal(first.status, 200);
    assert.equal(first.headers.get('x-switchyard-cache'), null);
    assert.equal((await chat(gateway, { messages: varied, temperature: 0 })).headers.get('x-switchyard-cache'), 'miss', 'temperature 0 is cached');

    upstream.script = { error: { status: 400, message: 'bad request upstream' } };
    const failing = prompt('failing');
    try {
      assert.equal((await chat(gateway, { messages: failing })).status, 400);
    } finally {
      upstream.script = { text: 'The answer is 42.', usage: { input: 10, output: 5 } };
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    const after = await chat(gateway, { messages: failing });
    assert.equal(after.status, 200);
    assert.equal(after.headers.get('x-switchyard-cache'), 'miss');
  });

  test('a hit counts as a request (rpm) but uses no tokens (tpm)', async () => {
    const messages = prompt('limited');
    const ask = () => chat(gateway, { messages, max_tokens: 20 }, { authorization: 'Bearer sk-carol-0001' });
    assert.equal((await ask()).headers.get('x-switchyard-cache'), 'miss');
    await gateway.limits.idle();
    await waitFor(async () => (await ask()).headers.get('x-switchyard-cache') === 'hit', 3000);
    await gateway.limits.idle();
    const first = await ask();
    await gateway.limits.idle();
    const second = await ask();
    assert.equal(second.headers.get('x-switchyard-cache'), 'hit');
    assert.equal(second.headers.get('x-ratelimit-remaining-tokens'), first.headers.get('x-ratelimit-remaining-tokens'), 'the hit before gave its reservation back in full');
    assert.equal(Number(second.headers.get('x-ratelimit-remaining-requests')), Number(first.headers.get('x-ratelimit-remaining-requests')) - 1);
  });
});

describe('singleflight', () => {
  test('50 concurrent identical requests make one upstream call; the others get its answer, streamed or not', async () => {
    const upstream = await startFakeOpenAI({ text: 'once', usage: { input: 3, output: 1 }, delayMs: 300 });
    const gateway = await startTestGateway(config(upstream.url));
    try {
      const messages = prompt('herd');
      const replies = await Promise.all(Array.from({ length: 50 }, (_, i) => chat(gateway, { messages, stream: i % 5 === 0 })));
      assert.equal(upstream.requests.length, 1);
      assert.ok(replies.every((reply) => reply.status === 200));
      assert.deepEqual(
        replies.map((reply) => reply.headers.get('x-switchyard-cache')).sort(),
        ['miss', ...Array.from({ length: 49 }, () => 'hit')].sort(),
      );
      for (const [i, reply] of replies.entries()) {
        if (i % 5 === 0) assert.ok(reply.text.includes('"content":"once"') && reply.text.trimEnd().endsWith('data: [DONE]'), reply.text);
        else assert.equal(reply.json.choices[0].message.content, 'once');
      }
    } finally {
      await gateway.stop();
      await upstream.close();
    }
  });

  test('when the first request fails, the waiting ones go upstream themselves; with singleflight off every request does', async () => {
    const upstream = await startFakeOpenAI({ error: { status: 400, message: 'refused upstream' }, delayMs: 200 });
    const gateway = await startTestGateway(config(upstream.url));
    try {
      const messages = prompt('failing herd');
      const replies = await Promise.all(Array.from({ length: 5 }, () => chat(gateway, { messages })));
      assert.ok(replies.every((reply) => reply.status === 400));
      assert.equal(upstream.requests.length, 5, 'the first failed, so each of the four that waited asked upstream');
    } finally {
      await gateway.stop();
      await upstream.close();
    }
    const again = await startFakeOpenAI({ text: 'each', usage: { input: 3, output: 1 }, delayMs: 200 });
    const off = await startTestGateway(config(again.url, ', singleflight: false'));
    try {
      const messages = prompt('no singleflight');
      await Promise.all(Array.from({ length: 5 }, () => chat(off, { messages })));
      assert.equal(again.requests.length, 5);
    } finally {
      await off.stop();
      await again.close();
    }
  });
});

describe('DELETE /admin/cache', () => {
  test('clears one model, one namespace, or everything; master key only; other methods 405', async () => {
    const upstream = await startFakeOpenAI({ text: 'kept', usage: { input: 3, output: 1 } });
    const gateway = await startTestGateway(config(upstream.url).replace('fast: { targets', 'other: { targets: [{ provider: up, model: gpt-4.1 }] }\n  fast: { targets'));
    const clear = (query = '', key = 'master-secret') =>
      fetch(`${gateway.url}/admin/cache${query}`, { method: 'DELETE', headers: { authorization: `Bearer ${key}` } });
    try {
      const fastMessages = prompt('fast');
      const otherMessages = prompt('other');
      await chat(gateway, { messages: fastMessages });
      await chat(gateway, { model: 'other', messages: otherMessages });
      await waitFor(async () => (await chat(gateway, { model: 'other', messages: otherMessages }, { 'cache-control': 'no-store' })).headers.get('x-switchyard-cache') === 'hit', 3000);
      await waitFor(async () => (await chat(gateway, { messages: fastMessages }, { 'cache-control': 'no-store' })).headers.get('x-switchyard-cache') === 'hit', 3000);

      assert.equal((await clear('?model=fast', 'sk-alice-0001')).status, 403);
      assert.deepEqual(await (await clear('?model=fast')).json(), { deleted: 1 });
      assert.equal((await chat(gateway, { messages: fastMessages }, { 'cache-control': 'no-store' })).headers.get('x-switchyard-cache'), 'miss');
      assert.equal((await chat(gateway, { model: 'other', messages: otherMessages }, { 'cache-control': 'no-store' })).headers.get('x-switchyard-cache'), 'hit');
      assert.deepEqual(await (await clear('?namespace=key:nobody')).json(), { deleted: 0 });
      assert.deepEqual(await (await clear('?namespace=global')).json(), { deleted: 1 });
      assert.deepEqual(await (await clear()).json(), { deleted: 0 });
      const bad = await clear('?namespace=everyone');
      assert.equal(bad.status, 400);
      assert.equal(((await bad.json()) as any).error.param, 'namespace');
      const get = await fetch(`${gateway.url}/admin/cache`, { headers: { authorization: 'Bearer master-secret' } });
      assert.equal(get.status, 405);
      assert.equal(get.headers.get('allow'), 'DELETE');
    } finally {
      await gateway.stop();
      await upstream.close();
    }
  });
});

describe('per-model cache settings', () => {
  test("a model's cache overrides the global one: off for one model, on (with its own TTL) for another without a global cache", async () => {
    const upstream = await startFakeOpenAI({ text: 'per model', usage: { input: 3, output: 1 } });
    const gateway = await startTestGateway(`
storage: memory
cache: { mode: exact, ttl_s: 60 }
providers: { up: { type: openai, base_url: "${upstream.url}", api_key: sk-up } }
models:
  cached: { targets: [{ provider: up, model: a }] }
  fresh: { targets: [{ provider: up, model: b }], cache: { mode: off } }
`);
    const only = await startTestGateway(`
storage: memory
providers: { up: { type: openai, base_url: "${upstream.url}", api_key: sk-up } }
models:
  plain: { targets: [{ provider: up, model: a }] }
  brief: { targets: [{ provider: up, model: b }], cache: { mode: exact, ttl_s: 1 } }
`);
    const ask = (target: TestGateway, model: string, messages: unknown) => postJson(`${target.url}/v1/chat/completions`, { model, messages });
    try {
      const messages = prompt('per model');
      assert.equal((await ask(gateway, 'cached', messages)).headers.get('x-switchyard-cache'), 'miss');
      assert.equal((await ask(gateway, 'fresh', messages)).headers.get('x-switchyard-cache'), null);
      assert.equal((await ask(only, 'plain', messages)).headers.get('x-switchyard-cache'), null);
      assert.equal((await ask(only, 'brief', messages)).headers.get('x-switchyard-cache'), 'miss');
      await waitFor(async () => (await ask(only, 'brief', messages)).headers.get('x-switchyard-cache') === 'hit', 3000);
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      assert.equal((await ask(only, 'brief', messages)).headers.get('x-switchyard-cache'), 'miss', "the model's 1 s TTL");
    } finally {
      await gateway.stop();
      await only.stop();
      await upstream.close();
    }
  });
});

test('DELETE /admin/cache with the cache store unreachable is a 503, and requests are still served (a miss)', async () => {
  const upstream = await startFakeOpenAI({ text: 'served', usage: { input: 3, output: 1 } });
  const gateway = await startTestGateway(`${config(upstream.url, ', store: redis')}redis: "redis://127.0.0.1:1"\n`);
  try {
    const reply = await chat(gateway, { messages: prompt('no redis') });
    assert.equal(reply.status, 200);
    assert.equal(reply.headers.get('x-switchyard-cache'), 'miss');
    const cleared = await fetch(`${gateway.url}/admin/cache`, { method: 'DELETE', headers: { authorization: 'Bearer master-secret' } });
    assert.equal(cleared.status, 503);
    assert.match(((await cleared.json()) as any).error.message, /cache store is unavailable/);
  } finally {
    await gateway.stop();
    await upstream.close();
  }
});

describe('exact cache scopes', () => {
  test('scope: key keeps each key to its own entries', async () => {
    const upstream = await startFakeOpenAI({ text: 'scoped', usage: { input: 3, output: 1 } });
    const gateway = await startTestGateway(config(upstream.url, ', scope: key'));
    try {
      const messages = prompt('scoped');
      const ask = (key: string) => postJson(`${gateway.url}/v1/chat/completions`, { model: 'fast', messages }, { authorization: `Bearer ${key}` });
      assert.equal((await ask('sk-alice-0001')).headers.get('x-switchyard-cache'), 'miss');
      await waitFor(async () => (await ask('sk-alice-0001')).headers.get('x-switchyard-cache') === 'hit', 3000);
      assert.equal((await ask('sk-bob-0001')).headers.get('x-switchyard-cache'), 'miss', "bob never reads alice's entry");
    } finally {
      await gateway.stop();
      await upstream.close();
    }
  });
});

describe('exact cache in the database', () => {
  test('SQLite (the default storage, in its own thread): a stored answer is a hit', async () => {
    const upstream = await startFakeOpenAI({ text: 'from sqlite', usage: { input: 3, output: 1 } });
    const gateway = await startTestGateway(config(upstream.url, ', store: database').replace('storage: memory\n', ''));
    try {
      const messages = prompt('sqlite');
      await waitFor(async () => (await fetch(`${gateway.url}/health/ready`).then((r) => r.json()) as any).checks.storage.status === 'ok', 5000);
      assert.equal((await chat(gateway, { messages })).headers.get('x-switchyard-cache'), 'miss');
      await waitFor(async () => (await chat(gateway, { messages }, { 'cache-control': 'no-store' })).headers.get('x-switchyard-cache') === 'hit', 3000);
      const calls = upstream.requests.length;
      assert.equal((await chat(gateway, { messages })).json.choices[0].message.content, 'from sqlite');
      assert.equal(upstream.requests.length, calls, 'no upstream call for a hit');
      assert.deepEqual(await (await fetch(`${gateway.url}/admin/cache?model=fast`, { method: 'DELETE', headers: { authorization: 'Bearer master-secret' } })).json(), { deleted: 1 });
    } finally {
      await gateway.stop();
      await upstream.close();
    }
  });

  test('PostgreSQL: an answer stored by one instance is a hit on another', { skip: 'skip' in postgres ? postgres.skip : undefined }, async () => {
    const upstream = await startFakeOpenAI({ text: 'from postgres', usage: { input: 3, output: 1 } });
    const schema = await freshPostgresSchema((postgres as { url: string }).url);
    const yaml = config(upstream.url, ', store: database').replace('storage: memory', `storage: "${schema.url}"`);
    const first = await startTestGateway(yaml);
    const second = await startTestGateway(yaml);
    try {
      const ready = (gateway: TestGateway) => async () => ((await fetch(`${gateway.url}/health/ready`).then((r) => r.json())) as any).checks.storage.status === 'ok';
      await waitFor(ready(first), 5000);
      await waitFor(ready(second), 5000);
      const messages = prompt('postgres');
      assert.equal((await chat(first, { messages })).headers.get('x-switchyard-cache'), 'miss');
      // Misses on `second` store nothing (no-store): its hit can only be what `first` stored.
      await waitFor(async () => (await chat(second, { messages }, { 'cache-control': 'no-store' })).headers.get('x-switchyard-cache') === 'hit', 3000);
    } finally {
      await first.stop();
      await second.stop();
      await upstream.close();
      await schema.drop();
    }
  });
});

describe('exact cache shared through Redis', { skip: 'skip' in redis ? redis.skip : undefined }, () => {
  test('an answer stored by one instance is a hit on another', async () => {
    const upstream = await startFakeOpenAI({ text: 'shared', usage: { input: 3, output: 1 } });
    const yaml = `${config(upstream.url, ', store: redis')}redis: "${(redis as { url: string }).url}"\n`;
    const first = await startTestGateway(yaml);
    const second = await startTestGateway(yaml);
    try {
      const messages = prompt('shared');
      assert.equal((await chat(first, { messages })).headers.get('x-switchyard-cache'), 'miss');
      // Misses on `second` store nothing (no-store): its hit can only be what `first` stored.
      await waitFor(async () => (await chat(second, { messages }, { 'cache-control': 'no-store' })).headers.get('x-switchyard-cache') === 'hit', 3000);
      const calls = upstream.requests.length;
      const hit = await chat(second, { messages });
      assert.equal(hit.json.choices[0].message.content, 'shared');
      const ready = (await (await fetch(`${second.url}/health/ready`)).json()) as any;
      assert.equal(ready.checks.redis.connections.response_cache, 'ready', '/health/ready reports the cache connection');
      assert.equal(upstream.requests.length, calls);
    } finally {
      await first.stop();
      await second.stop();
      await upstream.close();
    }
  });
});
