import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InProcessLimitStore } from './in-process-store.js';
import { limitStoreSuite } from './store-suite.js';

limitStoreSuite('in process', async () => {
  const store = new InProcessLimitStore();
  return { stores: [store], close: () => store.close() };
});

test('in process: memory is bounded; an id in use survives a flood of new ones', async () => {
  const store = new InProcessLimitStore({ maxIds: 100 });
  const busy = { kind: 'window', id: 'busy', limit: 3, windowMs: 60_000, amount: 1 } as const;
  store.acquireNow([busy], 0);
  store.acquireNow([busy], 1);
  for (let i = 0; i < 1_000; i++) {
    store.acquireNow([{ kind: 'window', id: `flood-${i}`, limit: 3, windowMs: 60_000, amount: 1 }], 2);
    if (i % 50 === 0) store.acquireNow([{ ...busy, amount: 0 }], 2); // keep using it
  }
  const result = store.acquireNow([busy], 3);
  assert.equal(result.states[0]!.remaining, 0, 'busy still remembers its two requests');
});

test('in process: a clock that steps back counts against the latest instant seen', () => {
  const store = new InProcessLimitStore();
  const rule = { kind: 'window', id: 'clock', limit: 2, windowMs: 60_000, amount: 1 } as const;
  assert.ok(store.acquireNow([rule], 100_000).ok);
  assert.ok(store.acquireNow([rule], 100_500).ok);
  // Ten minutes "earlier": still inside the window ending at 100.5 s, so still full.
  assert.equal(store.acquireNow([rule], 40_000).ok, false);
});

test('in process: a window whose length changed starts over', () => {
  const store = new InProcessLimitStore();
  assert.ok(store.acquireNow([{ kind: 'window', id: 'reload', limit: 1, windowMs: 60_000, amount: 1 }], 0).ok);
  assert.ok(store.acquireNow([{ kind: 'window', id: 'reload', limit: 1, windowMs: 1_000, amount: 1 }], 10).ok);
});
