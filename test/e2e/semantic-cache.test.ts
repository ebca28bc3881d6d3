/** The semantic cache (`cache: { mode: semantic }`) through the running gateway, with a bag-of-words embedding model on the fake upstream. */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import OpenAI from 'openai';
import pg from 'pg';
import { startFakeOpenAI } from '../fakes/openai.js';
import type { FakeUpstream } from '../fakes/types.js';
import { freshPostgresSchema, postgresUrlForTests, redisUrlForTests } from '../helpers/services.js';
import { postJson, startTestGateway, waitFor, type TestGateway } from './harness.js';

const redis = redisUrlForTests();
const postgres = postgresUrlForTests();

function config(upstreamUrl: string, extra = '', storage = 'storage: memory'): string {
  return `
server: { master_key: master-secret }
${storage}
cache: { mode: semantic, embedding_model: embed, threshold: 0.9, ttl_s: 60${extra} }
providers:
  up: { type: openai, base_url: "${upstreamUrl}", api_key: sk-up }
models:
  fast: { targets: [{ provider: up, model: gpt-4.1-mini, pricing: { input_per_mtok: 1000, output_per_mtok: 1000 } }] }
  embed: { targets: [{ provider: up, model: text-embedding-3-small }] }
keys:
  - { name: alice, key: sk-alice-0001 }
  - { name: bob, key: sk-bob-0001 }
`;
}

const MASTER = { authorization: 'Bearer master-secret' };
const chat = (gateway: TestGateway, body: Record<string, unknown>, headers: Record<string, string> = MASTER) =>
  postJson(`${gateway.url}/v1/chat/completions`, { model: 'fast', ...body }, headers);
const ask = (text: string, system?: string) => [...(system ? [{ role: 'system', content: system }] : []), { role: 'user', content: text }];
/** A word no other test uses: each test's prompts are alone in the shared index. */
const word = () => `w${randomUUID().replaceAll('-', '')}`;
const chatCalls = (upstream: FakeUpstream) => upstream.requests.filter((r) => r.url === '/v1/chat/completions').length;

/** Sends `body` until its answer has been filed (a store write is off the response path), returning that answer. */
async function warm(gateway: TestGateway, body: Record<string, unknown>, similar: Record<string, unknown>, headers = MASTER) {
  const first = await chat(gateway, body, headers);
  assert.equal(first.status, 200);
  assert.equal(first.headers.get('x-switchyard-cache'), 'miss');
  await waitFor(async () => (await chat(gateway, similar, { ...headers, 'cache-control': 'no-store' })).headers.get('x-switchyard-cache') === 'semantic-hit', 5000);
  return first;
}

describe('semantic cache in process', () => {
  let upstream: FakeUpstream;
  let gateway: TestGateway;
  before(async () => {
    upstream = await startFakeOpenAI({ text: 'Paris.', usage: { input: 10, output: 2 }, embeddingKind: 'words' });
    gateway = await startTestGateway(config(upstream.url));
  });
  after(async () => {
    await gateway.stop();
    await upstream.close();
  });

  test('a prompt worded alike is a semantic hit: no upstream chat call, the same answer, its score, cost 0, logged with what it saved', async () => {
    const id = word();
    const miss = await warm(gateway, { messages: ask(`What is the capital of France ${id}?`) }, { messages: ask(`what IS the capital of france, ${id}`) });
    const embeddings = upstream.requests.filter((r) => r.url === '/v1/embeddings');
    const embedded = JSON.parse(embeddings.at(-1)!.body);
    assert.equal(embedded.model, 'text-embedding-3-small');
    assert.deepEqual(embedded.input, [`user: what IS the capital of france, ${id}`], 'the conversation is embedded, turn by turn');
    const calls = chatCalls(upstream);
    const hit = await chat(gateway, { messages: ask(`France: what is the capital of ${id}`) });
    assert.equal(hit.status, 200);
    assert.equal(hit.headers.get('x-switchyard-cache'), 'semantic-hit');
    assert.equal(hit.headers.get('x-switchyard-cache-score'), '1.0000');
    assert.equal(hit.headers.get('x-switchyard-cache-near-miss'), null);
    assert.equal(chatCalls(upstream), calls, 'no upstream chat call');
    assert.deepEqual(hit.json, miss.json);
    assert.equal(hit.headers.get('x-switchyard-attempts'), '0');
    assert.equal(hit.headers.get('x-switchyard-cost-usd'), '0');
    assert.equal(hit.headers.get('x-switchyard-provider'), 'up');
    const id2 = hit.headers.get('x-request-id')!;
    await waitFor(async () => (await fetch(`${gateway.url}/admin/logs/${id2}`, { headers: MASTER })).status === 200, 3000);
    const row = (await (await fetch(`${gateway.url}/admin/logs/${id2}`, { headers: MASTER })).json()) as any;
    assert.equal(row.cache, 'semantic-hit');
    assert.equal(row.cost_usd, 0);
    assert.ok(row.cost_saved_usd > 0, 'a semantic hit saves what the answer had cost');
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    assert.match(metrics, /switchyard_cache_requests_total\{result="semantic-hit"\} [1-9]/);
    // The gateway's own embedding calls are logged as embeddings requests, tagged, without a key.
    const logs = (await (await fetch(`${gateway.url}/admin/logs?limit=200`, { headers: MASTER })).json()) as any;
    const own = logs.data.filter((r: any) => r.api === 'embeddings');
    assert.ok(own.length > 0 && own.every((r: any) => r.tags.includes('semantic-cache') && r.key_id === null && r.model === 'embed'));
  });

  test('near misses are not served, and say why: below the threshold, another system prompt, other tools, other parameters', async () => {
    const id = word();
    const text = `What is the capital of France ${id}?`;
    await warm(gateway, { messages: ask(text, 'Be brief.') }, { messages: ask(text.toUpperCase(), 'Be brief.') });
    const calls = chatCalls(upstream);
    // no-store: each near miss is compared with the one filed answer only.
    const chat = (g: TestGateway, body: Record<string, unknown>) => postJson(`${g.url}/v1/chat/completions`, { model: 'fast', ...body }, { ...MASTER, 'cache-control': 'no-store' });
    const far = await chat(gateway, { messages: ask(`Tell me the capital of France ${id}`, 'Be brief.') });
    assert.equal(far.headers.get('x-switchyard-cache'), 'miss');
    assert.equal(far.headers.get('x-switchyard-cache-near-miss'), 'below_threshold');
    assert.ok(Number(far.headers.get('x-switchyard-cache-score')) < 0.9 && Number(far.headers.get('x-switchyard-cache-score')) > 0.5);
    const system = await chat(gateway, { messages: ask(text, 'Answer in French.') });
    assert.equal(system.headers.get('x-switchyard-cache-near-miss'), 'system');
    assert.equal(system.headers.get('x-switchyard-cache-score'), '1.0000');
    const tools = await chat(gateway, {
      messages: ask(text, 'Be brief.'),
      tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: {} } } }],
    });
    assert.equal(tools.headers.get('x-switchyard-cache-near-miss'), 'tools');
    const params = await chat(gateway, { messages: ask(text, 'Be brief.'), max_tokens: 5 });
    assert.equal(params.headers.get('x-switchyard-cache-near-miss'), 'parameters');
    assert.equal(chatCalls(upstream), calls + 4, 'every near miss went upstream');
  });

  test('a streaming client gets a semantic hit as a stream (official openai SDK); the other API never shares entries', async () => {
    const id = word();
    await warm(gateway, { messages: ask(`Name the largest ocean ${id}`) }, { messages: ask(`name the LARGEST ocean ${id}`) });
    const client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'master-secret' });
    const { data: stream, response } = await client.chat.completions
      .create({ model: 'fast', stream: true, messages: [{ role: 'user', content: `largest ocean: name the ${id}` }] })
      .withResponse();
    assert.equal(response.headers.get('x-switchyard-cache'), 'semantic-hit');
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    assert.equal(text, 'Paris.');
    // The same words on /v1/messages: another partition, so no candidate at all.
    const anthropic = await postJson(`${gateway.url}/v1/messages`, { model: 'fast', max_tokens: 20, messages: [{ role: 'user', content: `Name the largest ocean ${id}` }] }, MASTER);
    assert.equal(anthropic.status, 200);
    assert.equal(anthropic.headers.get('x-switchyard-cache'), 'miss');
    assert.equal(anthropic.headers.get('x-switchyard-cache-near-miss'), null);
  });

  test('scope: key: one key never sees, nor hears of, another key\'s prompts', async () => {
    const scoped = await startTestGateway(config(upstream.url, ', scope: key'));
    try {
      const id = word();
      const alice = { authorization: 'Bearer sk-alice-0001' };
      await warm(scoped, { messages: ask(`Who wrote Hamlet ${id}`) }, { messages: ask(`who WROTE hamlet ${id}`) }, alice);
      const bob = await chat(scoped, { messages: ask(`who WROTE hamlet ${id}`) }, { authorization: 'Bearer sk-bob-0001' });
      assert.equal(bob.headers.get('x-switchyard-cache'), 'miss');
      assert.equal(bob.headers.get('x-switchyard-cache-near-miss'), null, 'not even a near miss: no leak across keys');
    } finally {
      await scoped.stop();
    }
  });

  test('a model can turn the semantic cache on for itself (models.X.cache) while the rest stay exact', async () => {
    const yaml = config(upstream.url)
      .replace('mode: semantic, embedding_model: embed, threshold: 0.9', 'mode: exact, embedding_model: embed')
      .replace('pricing: { input_per_mtok: 1000, output_per_mtok: 1000 } }] }', 'pricing: { input_per_mtok: 1000, output_per_mtok: 1000 } }] }\n  faq: { targets: [{ provider: up, model: gpt-4.1-mini }], cache: { mode: semantic, threshold: 0.9 } }');
    const mixed = await startTestGateway(yaml);
    try {
      const id = word();
      const faq = { model: 'faq', messages: ask(`How do I reset my password ${id}`) };
      await warm(mixed, faq, { model: 'faq', messages: ask(`how do I RESET my password ${id}`) });
      const first = await chat(mixed, { messages: ask(`How do I reset my password ${id}`) });
      assert.equal(first.headers.get('x-switchyard-cache'), 'miss');
      await waitFor(async () => (await chat(mixed, { messages: ask(`How do I reset my password ${id}`) })).headers.get('x-switchyard-cache') === 'hit', 3000);
      const alike = await chat(mixed, { messages: ask(`how do I RESET my password ${id}`) });
      assert.equal(alike.headers.get('x-switchyard-cache'), 'miss', 'the exact-only model does not match by meaning');
      assert.equal(alike.headers.get('x-switchyard-cache-near-miss'), null);
    } finally {
      await mixed.stop();
    }
  });

  test('DELETE /admin/cache removes the prompts too; an embedding model that fails leaves a plain miss that still answers', async () => {
    const id = word();
    await warm(gateway, { messages: ask(`Boiling point of water ${id}`) }, { messages: ask(`boiling POINT of water ${id}`) });
    const cleared = await fetch(`${gateway.url}/admin/cache?model=fast`, { method: 'DELETE', headers: MASTER });
    assert.equal(cleared.status, 200);
    const after = await chat(gateway, { messages: ask(`water boiling point of ${id}`) }, { ...MASTER, 'cache-control': 'no-store' });
    assert.equal(after.headers.get('x-switchyard-cache'), 'miss');
    assert.equal(after.headers.get('x-switchyard-cache-near-miss'), null, 'no prompt left to be near');

    const broken = await startTestGateway(config(upstream.url).replace('model: text-embedding-3-small', 'model: no-such-model').replace('api_key: sk-up', 'api_key: sk-up'));
    upstream.script = (request) => (request.url === '/v1/embeddings' ? { status: 500 } : { text: 'Paris.', usage: { input: 10, output: 2 }, embeddingKind: 'words' });
    try {
      const answer = await chat(broken, { messages: ask(`Anything ${word()}`) });
      assert.equal(answer.status, 200);
      assert.equal(answer.headers.get('x-switchyard-cache'), 'miss');
      assert.equal(answer.json.choices[0].message.content, 'Paris.');
    } finally {
      upstream.script = { text: 'Paris.', usage: { input: 10, output: 2 }, embeddingKind: 'words' };
      await broken.stop();
    }
  });
});

describe('semantic cache shared through Redis', { skip: 'skip' in redis ? redis.skip : undefined }, () => {
  test('a prompt filed by one instance is a semantic hit on a running one (pub/sub) and on one started later (loaded at start)', async () => {
    const upstream = await startFakeOpenAI({ text: 'Shared.', usage: { input: 3, output: 1 }, embeddingKind: 'words' });
    const yaml = `${config(upstream.url, ', store: redis')}redis: "${(redis as { url: string }).url}"\n`;
    const first = await startTestGateway(yaml);
    const second = await startTestGateway(yaml);
    let third: TestGateway | undefined;
    try {
      const id = word();
      assert.equal((await chat(first, { messages: ask(`Speed of light in vacuum ${id}`) })).headers.get('x-switchyard-cache'), 'miss');
      // `second` stores nothing (no-store): its hit can only be what `first` filed and announced.
      await waitFor(async () => (await chat(second, { messages: ask(`speed of LIGHT in vacuum ${id}`) }, { ...MASTER, 'cache-control': 'no-store' })).headers.get('x-switchyard-cache') === 'semantic-hit', 5000);
      third = await startTestGateway(yaml);
      // Its records load in the background; requests meanwhile search what has loaded.
      await waitFor(async () => (await chat(third!, { messages: ask(`in vacuum the speed of light ${id}`) }, { ...MASTER, 'cache-control': 'no-store' })).headers.get('x-switchyard-cache') === 'semantic-hit', 5000);
      const calls = chatCalls(upstream);
      const hit = await chat(third, { messages: ask(`vacuum: speed of light in ${id}`) });
      assert.equal(hit.headers.get('x-switchyard-cache'), 'semantic-hit');
      assert.equal(hit.json.choices[0].message.content, 'Shared.');
      assert.equal(chatCalls(upstream), calls);
      const ready = (await (await fetch(`${third.url}/health/ready`)).json()) as any;
      assert.equal(ready.checks.redis.connections.semantic_cache, 'ready', '/health/ready reports the connection sharing the prompts');
      // A clear on one instance reaches the others' indexes.
      await fetch(`${third.url}/admin/cache?model=fast`, { method: 'DELETE', headers: MASTER });
      await waitFor(async () => (await chat(second, { messages: ask(`light speed in vacuum of ${id}`) }, { ...MASTER, 'cache-control': 'no-store' })).headers.get('x-switchyard-cache-near-miss') === null, 3000);
    } finally {
      await first.stop();
      await second.stop();
      await third?.stop();
      await upstream.close();
    }
  });
});

describe('semantic cache in PostgreSQL', { skip: 'skip' in postgres ? postgres.skip : undefined }, () => {
  test('without Redis: a prompt filed by one instance reaches another by polling', async () => {
    const upstream = await startFakeOpenAI({ text: 'Polled.', usage: { input: 3, output: 1 }, embeddingKind: 'words' });
    const schema = await freshPostgresSchema((postgres as { url: string }).url);
    const yaml = config(upstream.url, ', store: database', `storage: "${schema.url}"`);
    const first = await startTestGateway(yaml);
    const second = await startTestGateway(yaml);
    try {
      const id = word();
      await waitFor(async () => ((await (await fetch(`${first.url}/health/ready`)).json()) as any).checks.storage.status === 'ok', 10_000);
      assert.equal((await chat(first, { messages: ask(`Height of Everest ${id}`) })).headers.get('x-switchyard-cache'), 'miss');
      await waitFor(async () => (await chat(second, { messages: ask(`height of EVEREST ${id}`) }, { ...MASTER, 'cache-control': 'no-store' })).headers.get('x-switchyard-cache') === 'semantic-hit', 8000);
    } finally {
      await first.stop();
      await second.stop();
      await upstream.close();
      await schema.drop();
    }
  });

  test('pgvector: the lookup runs in PostgreSQL where the extension exists', async (t) => {
    const url = (postgres as { url: string }).url;
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const available = (await client.query("select 1 from pg_available_extensions where name = 'vector'")).rowCount! > 0;
    await client.end();
    const upstream = await startFakeOpenAI({ text: 'Vectors.', usage: { input: 3, output: 1 }, embeddingKind: 'words' });
    const schema = await freshPostgresSchema(url);
    const gateway = await startTestGateway(config(upstream.url, ', store: database, semantic: { store: pgvector }', `storage: "${schema.url}"`));
    try {
      await waitFor(async () => ((await (await fetch(`${gateway.url}/health/ready`)).json()) as any).checks.storage.status === 'ok', 10_000);
      if (!available) {
        // This server cannot run it: requests are still answered (plain misses), and the test says why it stops here.
        const answer = await chat(gateway, { messages: ask(`Anything ${word()}`) });
        assert.equal(answer.status, 200);
        assert.equal(answer.headers.get('x-switchyard-cache'), 'miss');
        t.skip('PostgreSQL here has no pgvector extension (Debian 12 does not package it): the pgvector lookup was not exercised');
        return;
      }
      const id = word();
      await warm(gateway, { messages: ask(`Chemical symbol of gold ${id}`) }, { messages: ask(`chemical SYMBOL of gold ${id}`) });
      const near = await chat(gateway, { messages: ask(`Chemical symbol of gold ${id}`, 'Answer in Latin.') });
      assert.equal(near.headers.get('x-switchyard-cache-near-miss'), 'system');
    } finally {
      await gateway.stop();
      await upstream.close();
      await schema.drop();
    }
  });
});
