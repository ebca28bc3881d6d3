import assert from 'node:assert/strict';
import { test } from 'node:test';
import { keyFilter } from '../key.js';
import type { PromptGuard } from './prompt.js';
import { decodeRecord, encodeRecord, partitionOf, type SemanticRecord } from './record.js';
import { VectorIndex } from './vector-index.js';

const guard: PromptGuard = { system: 's', tools: 't', parameters: 'p', conversation: 'c' };
const P = partitionOf('global', 'fast', 'openai', 'embed');

function record(key: string, vector: number[], expiresAt = 10_000, partition = P): SemanticRecord {
  const [namespace, model] = key.split('|');
  return { key, namespace: namespace!, model: model!, partition, guard, vector: Float32Array.from(vector), expiresAt };
}

test('nearest: most similar first, with cosine similarity as the score', () => {
  const index = new VectorIndex(100, () => 0);
  index.add(record('global|fast|a', [1, 0, 0]));
  index.add(record('global|fast|b', [1, 1, 0]));
  index.add(record('global|fast|c', [0, 0, 1]));
  const found = index.nearest(P, Float32Array.from([1, 0.1, 0]), 3);
  assert.deepEqual(found.map((n) => n.record.key), ['global|fast|a', 'global|fast|b', 'global|fast|c']);
  assert.ok(Math.abs(found[0]!.score - 1 / Math.hypot(1, 0.1)) < 1e-4);
  assert.ok(Math.abs(found[1]!.score - 1.1 / (Math.hypot(1, 0.1) * Math.SQRT2)) < 1e-4);
  assert.ok(Math.abs(found[2]!.score) < 1e-4);
});

test('partitions never see each other, nor vectors of another size', () => {
  const index = new VectorIndex(100, () => 0);
  const other = partitionOf('key:k1', 'fast', 'openai', 'embed');
  index.add(record('global|fast|a', [1, 0]));
  index.add(record('key%3Ak1|fast|b', [1, 0], 10_000, other));
  assert.deepEqual(index.nearest(P, Float32Array.from([1, 0]), 5).map((n) => n.record.key), ['global|fast|a']);
  assert.deepEqual(index.nearest(other, Float32Array.from([1, 0]), 5).map((n) => n.record.key), ['key%3Ak1|fast|b']);
  assert.deepEqual(index.nearest(P, Float32Array.from([1, 0, 0]), 5), []);
  assert.deepEqual(index.nearest('nowhere', Float32Array.from([1, 0]), 5), []);
});

test('expired records are skipped and removed; sweep removes the rest', () => {
  let now = 0;
  const index = new VectorIndex(100, () => now);
  index.add(record('global|fast|a', [1, 0], 100));
  index.add(record('global|fast|b', [0.9, 0.1], 200));
  index.add(record('global|fast|c', [0, 1], 300));
  now = 150;
  assert.deepEqual(index.nearest(P, Float32Array.from([1, 0]), 1).map((n) => n.record.key), []);
  assert.equal(index.size, 2, 'the expired one met by the lookup is gone');
  assert.deepEqual(index.nearest(P, Float32Array.from([1, 0]), 2).map((n) => n.record.key), ['global|fast|b', 'global|fast|c']);
  now = 250;
  assert.equal(index.sweep(), 1);
  assert.equal(index.size, 1);
  index.add(record('global|fast|d', [1, 0], 200));
  assert.equal(index.size, 1, 'a record already expired is not added');
});

test('bounded: past maxEntries the oldest go first; re-adding a key replaces it and makes it newest', () => {
  const index = new VectorIndex(3, () => 0);
  index.add(record('global|fast|a', [1, 0]));
  index.add(record('global|fast|b', [0, 1]));
  index.add(record('global|fast|c', [1, 1]));
  index.add(record('global|fast|a', [1, 0.01], 20_000));
  index.add(record('global|fast|d', [-1, 0]));
  assert.equal(index.size, 3);
  assert.deepEqual(index.nearest(P, Float32Array.from([0, 1]), 5).map((n) => n.record.key).sort(), ['global|fast|a', 'global|fast|c', 'global|fast|d']);
  const a = index.nearest(P, Float32Array.from([1, 0]), 1)[0]!;
  assert.equal(a.record.expiresAt, 20_000);
});

test('the same record heard again (an own announcement, a poll overlap) changes nothing', () => {
  const index = new VectorIndex(10, () => 0);
  const first = record('global|fast|a', [1, 0]);
  index.add(first);
  index.add(record('global|fast|a', [0, 1]));
  assert.equal(index.nearest(P, Float32Array.from([1, 0]), 1)[0]!.record, first);
});

test('removeMatching clears a namespace or a model; many removals rebuild a partition and keep it searchable', () => {
  const index = new VectorIndex(10_000, () => 0);
  index.add(record('global|fast|a', [1, 0]));
  index.add(record('global|slow|b', [1, 0], 10_000, partitionOf('global', 'slow', 'openai', 'embed')));
  assert.equal(index.removeMatching(keyFilter(undefined, 'slow')), 1);
  assert.equal(index.size, 1);
  for (let i = 0; i < 2_500; i++) index.add(record(`global|fast|n${i}`, [Math.cos(i), Math.sin(i)]));
  for (let i = 0; i < 2_400; i++) index.remove(`global|fast|n${i}`);
  assert.equal(index.size, 101);
  assert.equal(index.nearest(P, Float32Array.from([1, 0]), 1)[0]!.record.key, 'global|fast|a');
  assert.equal(index.removeMatching(keyFilter('global')), 101);
  assert.equal(index.size, 0);
});

test('records survive encoding (vector bytes exact) and damaged text is refused', () => {
  const original = record('global|fast|a', [0.1, -0.2, 0.3333333]);
  const decoded = decodeRecord(encodeRecord(original))!;
  assert.deepEqual(decoded, original);
  assert.equal(decodeRecord('{"v":2}'), undefined);
  assert.equal(decodeRecord('not json'), undefined);
  assert.equal(decodeRecord(encodeRecord(original).replace(/"vector":"[^"]*"/, '"vector":"AAA"')), undefined);
});
