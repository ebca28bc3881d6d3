import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { TokenCounter } from './token-counter.js';
import { countTextTokens } from './tokenizer.js';

const counter = new TokenCounter();
after(() => counter.close());

test('counts in the worker exactly as the in-process tokenizer does', async () => {
  const texts = ['', 'hello world', 'Ünïcödé and emoji 🚀 and code: const x = () => 42;', 'word '.repeat(1000)];
  const counted = await Promise.all(texts.map((text) => counter.count(text)));
  assert.deepEqual(counted, texts.map((text) => countTextTokens(text)));
});

test('a long text is counted on a sample and scaled', async () => {
  const text = 'The quick brown fox jumps over the lazy dog. '.repeat(10_000); // 450k chars
  const exact = countTextTokens(text);
  const sampled = await counter.count(text);
  assert.ok(Math.abs(sampled - exact) / exact < 0.01, `${sampled} vs ${exact}`);
});

test('a closed counter starts a new worker on the next count', async () => {
  await counter.close();
  assert.equal(await counter.count('hello world'), 2);
});
