import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CATALOG_CHECKED, CATALOG_TABLES, catalogPrice, type ModelPrice } from './pricing-catalog.js';

function io(type: string, model: string): [number, number] | undefined {
  const price = catalogPrice(type, model);
  return price && [price.input_per_mtok, price.output_per_mtok];
}

test('exact ids resolve for every provider family', () => {
  assert.deepEqual(catalogPrice('openai', 'gpt-4.1'), { input_per_mtok: 2, output_per_mtok: 8, cached_input_per_mtok: 0.5 });
  assert.deepEqual(io('openai', 'gpt-5'), [1.25, 10]);
  assert.deepEqual(io('openai', 'gpt-5-mini'), [0.25, 2]);
  assert.deepEqual(io('openai', 'gpt-5-nano'), [0.05, 0.4]);
  assert.deepEqual(io('openai', 'gpt-4o'), [2.5, 10]);
  assert.deepEqual(io('openai', 'o1'), [15, 60]);
  assert.deepEqual(catalogPrice('openai', 'text-embedding-3-small'), { input_per_mtok: 0.02, output_per_mtok: 0 });
  assert.deepEqual(catalogPrice('openai', 'text-embedding-3-large'), { input_per_mtok: 0.13, output_per_mtok: 0 });
  assert.deepEqual(catalogPrice('anthropic', 'claude-sonnet-4-5'), {
    input_per_mtok: 3,
    output_per_mtok: 15,
    cached_input_per_mtok: 0.3,
    cache_write_input_per_mtok: 3.75,
  });
  assert.deepEqual(io('anthropic', 'claude-opus-4-1'), [15, 75]);
  assert.deepEqual(io('anthropic', 'claude-opus-4-5'), [5, 25]);
  assert.deepEqual(io('anthropic', 'claude-haiku-4-5'), [1, 5]);
  assert.deepEqual(io('anthropic', 'claude-3-7-sonnet'), [3, 15]);
  assert.deepEqual(io('gemini', 'gemini-2.5-pro'), [1.25, 10]);
  assert.deepEqual(io('gemini', 'gemini-2.5-flash'), [0.3, 2.5]);
  assert.deepEqual(io('gemini', 'gemini-2.5-flash-lite'), [0.1, 0.4]);
  assert.deepEqual(io('gemini', 'gemini-2.0-flash'), [0.1, 0.4]);
  assert.deepEqual(catalogPrice('gemini', 'gemini-embedding-001')?.output_per_mtok, 0);
  assert.deepEqual(io('mistral', 'mistral-large-latest'), [0.5, 1.5]);
  assert.deepEqual(io('mistral', 'codestral-latest'), [0.3, 0.9]);
  assert.deepEqual(io('mistral', 'mistral-small-latest'), [0.1, 0.3]);
  assert.deepEqual(io('mistral', 'mistral-medium-2508'), [0.4, 2]);
  assert.deepEqual(io('groq', 'llama-3.3-70b-versatile'), [0.59, 0.79]);
  assert.deepEqual(io('groq', 'llama-3.1-8b-instant'), [0.05, 0.08]);
  assert.deepEqual(io('groq', 'openai/gpt-oss-120b'), [0.15, 0.6]);
  assert.deepEqual(catalogPrice('deepseek', 'deepseek-chat'), { input_per_mtok: 0.14, output_per_mtok: 0.28, cached_input_per_mtok: 0.0028 });
  assert.equal(catalogPrice('deepseek', 'deepseek-reasoner')?.cached_input_per_mtok, 0.0028);
  assert.deepEqual(io('xai', 'grok-4'), [3, 15]);
  assert.deepEqual(io('xai', 'grok-3-mini'), [0.3, 0.5]);
  assert.deepEqual(io('together', 'meta-llama/Llama-3.3-70B-Instruct-Turbo'), [0.88, 0.88]);
  assert.deepEqual(io('bedrock', 'amazon.nova-lite-v1:0'), [0.06, 0.24]);
});

test('dated snapshots and aliases fall back to the base id', () => {
  assert.deepEqual(catalogPrice('openai', 'gpt-4.1-2025-04-14'), catalogPrice('openai', 'gpt-4.1'));
  assert.deepEqual(catalogPrice('openai', 'gpt-5-2025-08-07'), catalogPrice('openai', 'gpt-5'));
  assert.deepEqual(catalogPrice('openai', 'o3-2025-04-16'), catalogPrice('openai', 'o3'));
  assert.deepEqual(io('openai', 'gpt-4-0613'), [30, 60]);
  assert.deepEqual(io('openai', 'gpt-5-chat-latest'), [1.25, 10]);
  // An exact entry wins over the fallback: the first gpt-4o snapshot kept its launch price.
  assert.deepEqual(io('openai', 'gpt-4o-2024-05-13'), [5, 15]);
  assert.deepEqual(io('openai', 'gpt-4o-2024-08-06'), [2.5, 10]);
  assert.deepEqual(io('openai', 'chatgpt-4o-latest'), [5, 15]);
  assert.deepEqual(catalogPrice('anthropic', 'claude-sonnet-4-5-20250929'), catalogPrice('anthropic', 'claude-sonnet-4-5'));
  assert.deepEqual(catalogPrice('anthropic', 'claude-3-5-haiku-latest'), catalogPrice('anthropic', 'claude-3-5-haiku'));
  assert.deepEqual(io('anthropic', 'claude-3-5-haiku-20241022'), [0.8, 4]);
  assert.deepEqual(io('anthropic', 'claude-haiku-4-5-20251001'), [1, 5]);
  assert.deepEqual(io('anthropic', 'claude-opus-4-20250514'), [15, 75]);
  assert.deepEqual(io('anthropic', 'claude-sonnet-4-5@20250929'), [3, 15]); // Vertex spelling
  assert.deepEqual(io('mistral', 'mistral-large-2512'), [0.5, 1.5]);
  assert.deepEqual(io('mistral', 'mistral-large-2411'), [2, 6]);
  assert.deepEqual(io('xai', 'grok-4-0709'), [3, 15]);
  assert.deepEqual(io('xai', 'grok-code-fast-1-0825'), [0.2, 1.5]);
});

test('both Anthropic spellings (dashes and dots) are accepted', () => {
  assert.deepEqual(catalogPrice('anthropic', 'claude-sonnet-4.5'), catalogPrice('anthropic', 'claude-sonnet-4-5'));
  assert.deepEqual(catalogPrice('anthropic', 'claude-3.5-haiku'), catalogPrice('anthropic', 'claude-3-5-haiku'));
  assert.deepEqual(catalogPrice('anthropic', 'Claude-Opus-4.1'), catalogPrice('anthropic', 'claude-opus-4-1'));
});

test('Gemini ids with models/ prefix, version and preview suffixes', () => {
  assert.deepEqual(catalogPrice('gemini', 'models/gemini-2.5-flash'), catalogPrice('gemini', 'gemini-2.5-flash'));
  assert.deepEqual(catalogPrice('gemini', 'gemini-2.0-flash-001'), catalogPrice('gemini', 'gemini-2.0-flash'));
  assert.deepEqual(catalogPrice('gemini', 'models/gemini-2.0-flash-lite-001'), catalogPrice('gemini', 'gemini-2.0-flash-lite'));
  assert.deepEqual(catalogPrice('gemini', 'gemini-2.5-pro-latest'), catalogPrice('gemini', 'gemini-2.5-pro'));
  assert.deepEqual(catalogPrice('gemini', 'gemini-2.5-flash-preview-09-2025'), catalogPrice('gemini', 'gemini-2.5-flash'));
  assert.deepEqual(catalogPrice('gemini', 'gemini-2.5-flash-lite-preview-06-17'), catalogPrice('gemini', 'gemini-2.5-flash-lite'));
  assert.deepEqual(io('gemini', 'gemini-3-pro-preview'), [2, 12]);
});

test('a mini/nano model never resolves to its base model, nor the other way round', () => {
  assert.deepEqual(io('openai', 'gpt-4.1-mini'), [0.4, 1.6]);
  assert.deepEqual(io('openai', 'gpt-4.1-mini-2025-04-14'), [0.4, 1.6]);
  assert.deepEqual(io('openai', 'gpt-4.1-nano'), [0.1, 0.4]);
  assert.deepEqual(io('openai', 'gpt-4o-mini'), [0.15, 0.6]);
  assert.deepEqual(io('openai', 'gpt-4o-mini-2024-07-18'), [0.15, 0.6]);
  assert.deepEqual(io('openai', 'o3-mini'), [1.1, 4.4]);
  assert.deepEqual(io('openai', 'o3-mini-2025-01-31'), [1.1, 4.4]);
  assert.deepEqual(io('openai', 'o3'), [2, 8]);
  assert.deepEqual(io('openai', 'o4-mini-2025-04-16'), [1.1, 4.4]);
  assert.deepEqual(io('openai', 'gpt-5-mini-2025-08-07'), [0.25, 2]);
  assert.deepEqual(io('gemini', 'gemini-2.5-flash-lite'), [0.1, 0.4]);
  assert.deepEqual(io('xai', 'grok-3-mini-fast'), [0.6, 4]);
  // No loose prefix matching: an unknown variant of a known model has no price.
  assert.equal(catalogPrice('openai', 'gpt-4.1-turbo'), undefined);
  assert.equal(catalogPrice('openai', 'gpt-4o-mini-tts'), undefined);
  assert.equal(catalogPrice('openai', 'o3-mini-high'), undefined);
  assert.equal(catalogPrice('anthropic', 'claude-sonnet-4-5-experimental'), undefined);
});

test('Bedrock ids, with and without a geo prefix or ARN, map to the Anthropic table', () => {
  const sonnet = catalogPrice('anthropic', 'claude-sonnet-4-5');
  assert.deepEqual(catalogPrice('bedrock', 'anthropic.claude-sonnet-4-5-20250929-v1:0'), sonnet);
  assert.deepEqual(catalogPrice('bedrock', 'us.anthropic.claude-sonnet-4-5-20250929-v1:0'), sonnet);
  assert.deepEqual(catalogPrice('bedrock', 'global.anthropic.claude-sonnet-4-5-20250929-v1:0'), sonnet);
  assert.deepEqual(catalogPrice('bedrock', 'us.anthropic.claude-3-5-haiku-20241022-v1:0'), catalogPrice('anthropic', 'claude-3-5-haiku'));
  assert.deepEqual(io('bedrock', 'eu.anthropic.claude-3-7-sonnet-20250219-v1:0'), [3, 15]);
  assert.deepEqual(io('bedrock', 'apac.anthropic.claude-haiku-4-5-20251001-v1:0'), [1, 5]);
  assert.deepEqual(io('bedrock', 'anthropic.claude-opus-4-6-v1'), [5, 25]);
  assert.deepEqual(
    catalogPrice('bedrock', 'arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-sonnet-4-5-20250929-v1:0'),
    sonnet,
  );
  assert.deepEqual(io('bedrock', 'us.amazon.nova-pro-v1:0'), [0.8, 3.2]);
  assert.deepEqual(io('bedrock', 'amazon.nova-micro-v1:0'), [0.035, 0.14]);
  assert.equal(catalogPrice('bedrock', 'meta.llama3-3-70b-instruct-v1:0'), undefined);
  assert.equal(catalogPrice('bedrock', 'anthropic.claude-v2'), undefined);
});

test('OpenRouter ids strip the vendor prefix and use that vendor table', () => {
  assert.deepEqual(catalogPrice('openrouter', 'openai/gpt-4.1'), catalogPrice('openai', 'gpt-4.1'));
  assert.deepEqual(catalogPrice('openrouter', 'openai/gpt-4.1-mini'), catalogPrice('openai', 'gpt-4.1-mini'));
  assert.deepEqual(catalogPrice('openrouter', 'anthropic/claude-sonnet-4.5'), catalogPrice('anthropic', 'claude-sonnet-4-5'));
  assert.deepEqual(catalogPrice('openrouter', 'anthropic/claude-3.5-haiku'), catalogPrice('anthropic', 'claude-3-5-haiku'));
  assert.deepEqual(catalogPrice('openrouter', 'google/gemini-2.5-flash'), catalogPrice('gemini', 'gemini-2.5-flash'));
  assert.deepEqual(catalogPrice('openrouter', 'mistralai/codestral-2508'), catalogPrice('mistral', 'codestral'));
  assert.deepEqual(catalogPrice('openrouter', 'x-ai/grok-4'), catalogPrice('xai', 'grok-4'));
  assert.deepEqual(catalogPrice('openrouter', 'deepseek/deepseek-chat'), catalogPrice('deepseek', 'deepseek-chat'));
  assert.deepEqual(catalogPrice('openrouter', 'meta-llama/llama-3.3-70b-instruct:free'), { input_per_mtok: 0, output_per_mtok: 0 });
  assert.equal(catalogPrice('openrouter', 'openai/gpt-4o:extended'), undefined);
  assert.equal(catalogPrice('openrouter', 'meta-llama/llama-3.3-70b-instruct'), undefined);
  assert.equal(catalogPrice('openrouter', 'gpt-4.1'), undefined);
});

test('azure uses the OpenAI table, trying the deployment name as a model id', () => {
  assert.deepEqual(catalogPrice('azure', 'gpt-4o'), catalogPrice('openai', 'gpt-4o'));
  assert.deepEqual(catalogPrice('azure', 'gpt-4.1-mini-2025-04-14'), catalogPrice('openai', 'gpt-4.1-mini'));
  assert.deepEqual(catalogPrice('azure', 'gpt-35-turbo'), catalogPrice('openai', 'gpt-3.5-turbo'));
  assert.equal(catalogPrice('azure', 'my-prod-deployment'), undefined);
  assert.equal(catalogPrice('azure', 'claude-sonnet-4-5'), undefined);
});

test('self-hosted and unknown ids have no price', () => {
  for (const type of ['ollama', 'vllm', 'mock']) {
    assert.equal(catalogPrice(type, 'gpt-4.1'), undefined, type);
    assert.equal(catalogPrice(type, 'llama3.1:8b'), undefined, type);
  }
  // openai-compatible: only an exact known id has a price (no snapshot fallback).
  assert.deepEqual(catalogPrice('openai-compatible', 'gpt-4.1'), catalogPrice('openai', 'gpt-4.1'));
  assert.deepEqual(catalogPrice('openai-compatible', 'llama-3.3-70b-versatile'), catalogPrice('groq', 'llama-3.3-70b-versatile'));
  assert.equal(catalogPrice('openai-compatible', 'gpt-4.1-2025-04-14'), undefined);
  assert.equal(catalogPrice('openai-compatible', 'qwen2.5-coder:32b'), undefined);
  assert.equal(catalogPrice('openai', 'no-such-model'), undefined);
  assert.equal(catalogPrice('openai', ''), undefined);
  assert.equal(catalogPrice('anthropic', 'gpt-4.1'), undefined);
  assert.equal(catalogPrice('fireworks', 'accounts/fireworks/models/llama-v3p3-70b-instruct'), undefined);
  assert.equal(catalogPrice('some-new-type', 'gpt-4.1'), undefined);
});

test('lookups are memoized: the same object comes back, misses stay misses', () => {
  const first = catalogPrice('bedrock', 'us.anthropic.claude-sonnet-4-5-20250929-v1:0');
  assert.ok(first);
  assert.equal(catalogPrice('bedrock', 'us.anthropic.claude-sonnet-4-5-20250929-v1:0'), first);
  assert.ok(Object.isFrozen(first));
  assert.equal(catalogPrice('openai', 'memo-miss'), undefined);
  assert.equal(catalogPrice('openai', 'memo-miss'), undefined);
  // Past the memo's cap lookups still answer correctly.
  for (let i = 0; i < 5000; i++) catalogPrice('openai', `unknown-${i}`);
  assert.deepEqual(io('openai', 'gpt-4.1'), [2, 8]);
});

test('every entry has sane, non-negative prices', () => {
  assert.match(CATALOG_CHECKED, /^\d{4}-\d{2}-\d{2}$/);
  let count = 0;
  for (const [name, tbl] of Object.entries(CATALOG_TABLES)) {
    for (const [id, price] of tbl) {
      count++;
      const where = `${name}/${id}`;
      assert.equal(id, id.toLowerCase(), where);
      const values: (number | undefined)[] = [
        price.input_per_mtok,
        price.output_per_mtok,
        price.cached_input_per_mtok,
        price.cache_write_input_per_mtok,
      ];
      for (const value of values) {
        if (value === undefined) continue;
        assert.ok(Number.isFinite(value) && value >= 0, `${where}: ${value}`);
      }
      assert.ok(price.input_per_mtok < 1000 && price.output_per_mtok < 1000, where);
      if (price.cached_input_per_mtok !== undefined) assert.ok(price.cached_input_per_mtok <= price.input_per_mtok, where);
      if (id.includes('embedding') || id.includes('embed')) assert.equal(price.output_per_mtok, 0, where);
    }
  }
  assert.ok(count > 100, `only ${count} entries`);
});

test('Claude 3.x/4.x cache prices follow the 0.1x read / 1.25x write rule', () => {
  for (const [id, price] of CATALOG_TABLES.anthropic) {
    // Claude 3 Haiku predates the rule: its list price is $0.03 read / $0.30 write on $0.25 input.
    if (!/^claude-(3|opus-4|sonnet-4|haiku-4)/.test(id) || id === 'claude-3-haiku') continue;
    const p: ModelPrice = price;
    assert.ok(Math.abs(p.cached_input_per_mtok! - p.input_per_mtok * 0.1) < 1e-9, id);
    assert.ok(Math.abs(p.cache_write_input_per_mtok! - p.input_per_mtok * 1.25) < 1e-9, id);
  }
});
