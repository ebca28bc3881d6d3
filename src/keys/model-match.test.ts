import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileModelMatcher } from './model-match.js';

test('model globs: exact names, * anywhere, regex characters taken literally', () => {
  const may = compileModelMatcher(['fast', 'gpt-*', 'mock/*-mini', '*.v2', 'a*b*c']);
  for (const name of ['fast', 'gpt-', 'gpt-4.1', 'mock/x-mini', 'mock/-mini', 'x.v2', 'abc', 'aXbYc', 'abbc']) assert.ok(may(name), name);
  for (const name of ['faster', 'gpt', 'mock/mini', 'xv2', 'ab', 'acb', 'aXbY', 'mock/x-mini-2']) assert.ok(!may(name), name);
  assert.ok(!compileModelMatcher(['a*a'])('a'), 'prefix and suffix may not overlap');
});

test('a long crafted name is matched in linear time', () => {
  const may = compileModelMatcher(['mock/*-*-*-mini']);
  const started = performance.now();
  assert.equal(may(`mock/${'-'.repeat(200_000)}x`), false);
  assert.ok(performance.now() - started < 200, `${performance.now() - started} ms`);
});
