import assert from 'node:assert/strict';
import { test } from 'node:test';
import { categoryOf, hotSpots } from './profile-summary.js';

const frame = (functionName: string, url = '', lineNumber = 0) => ({ functionName, url, lineNumber });

// root → (idle) 50 | handler(dist) 2 → [parse(dist) 3 → JSON.parse 5, writev 10] | (garbage collector) 10 | undici 20
const profile = {
  nodes: [
    { id: 1, callFrame: frame('(root)'), hitCount: 0, children: [2, 3, 6, 7] },
    { id: 2, callFrame: frame('(idle)'), hitCount: 50 },
    { id: 3, callFrame: frame('handler', 'file:///app/dist/server/chat.js', 9), hitCount: 2, children: [4, 8] },
    { id: 4, callFrame: frame('parse', 'file:///app/dist/pipeline/parse.js', 4), hitCount: 3, children: [5] },
    { id: 5, callFrame: frame('parse'), hitCount: 5 },
    { id: 6, callFrame: frame('(garbage collector)'), hitCount: 10 },
    { id: 7, callFrame: frame('onData', 'file:///app/node_modules/undici/lib/core/request.js', 289), hitCount: 20 },
    { id: 8, callFrame: frame('writev'), hitCount: 10 },
  ],
};

test('self time excludes idle and is a share of busy samples', () => {
  const { self } = hotSpots(profile, 3);
  assert.deepEqual(
    self.map((s) => [s.name, s.location, s.share]),
    [
      ['onData', 'node_modules/undici/lib/core/request.js:290', 0.4],
      ['writev', '', 0.2], // ties keep visiting order (depth first)
      ['(garbage collector)', '', 0.2],
    ],
  );
});

test('inclusive time is listed for the gateway code only', () => {
  const { inclusive } = hotSpots(profile, 5);
  assert.deepEqual(
    inclusive.map((s) => [s.name, s.location, s.share]),
    [
      ['handler', 'dist/server/chat.js:10', 0.4],
      ['parse', 'dist/pipeline/parse.js:5', 0.16],
    ],
  );
});

test('categories add up to the busy time', () => {
  const { categories } = hotSpots(profile, 5);
  assert.deepEqual(
    categories.map((c) => [c.name, c.share]),
    [
      ['undici', 0.4],
      ['native (syscalls, builtins)', 0.3],
      ['garbage collector', 0.2],
      ['gateway code (dist/)', 0.1],
    ],
  );
  assert.equal(categoryOf('emit', 'node:events:471'), 'node internals (JS)');
});
