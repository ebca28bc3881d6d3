import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BatchQueue } from './batch-queue.js';

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const until = async (condition: () => boolean): Promise<void> => {
  for (let waited = 0; !condition(); waited += 2) {
    if (waited > 2000) throw new Error('condition not met in time');
    await tick(2);
  }
};

test('writes full batches at once and a partial batch after flushMs', async () => {
  const written: number[][] = [];
  const queue = new BatchQueue<number>({ maxQueued: 100, batchSize: 3, flushMs: 30, write: async (batch) => void written.push([...batch]) });
  const started = Date.now();
  for (let i = 0; i < 7; i++) queue.push(i);
  await until(() => written.length === 2);
  assert.deepEqual(written, [[0, 1, 2], [3, 4, 5]], 'full batches go at once, one write at a time');
  await until(() => written.length === 3);
  assert.deepEqual(written, [[0, 1, 2], [3, 4, 5], [6]]);
  assert.ok(Date.now() - started >= 25, 'the partial batch waited for flushMs');
  assert.equal(queue.written, 7);
  await queue.close(100);
});

test('a failing store keeps the batch in order and retries it; past the bound new items are dropped and counted', async () => {
  let down = true;
  let drops = 0;
  const written: number[] = [];
  const queue = new BatchQueue<number>({
    maxQueued: 5,
    batchSize: 2,
    flushMs: 5,
    retryBaseMs: 5,
    retryMaxMs: 10,
    write: async (batch) => {
      if (down) throw new Error('down');
      written.push(...batch);
    },
    onDrop: (count) => (drops += count),
  });
  for (let i = 0; i < 8; i++) queue.push(i);
  await until(() => queue.state === 'retrying');
  assert.equal(queue.depth, 5);
  assert.equal(drops, 3);
  assert.equal(queue.dropped, 3);
  down = false;
  await until(() => written.length === 5);
  assert.deepEqual(written, [0, 1, 2, 3, 4], 'nothing lost below the bound, in order');
  assert.equal(queue.state, 'ok');
  await queue.close(100);
});

test('close drains what it can in time and counts the rest as dropped', async () => {
  let drops = 0;
  const queue = new BatchQueue<number>({ maxQueued: 10, batchSize: 10, flushMs: 1000, retryBaseMs: 5, retryMaxMs: 5, write: async () => Promise.reject(new Error('down')), onDrop: (count) => (drops += count) });
  queue.push(1);
  queue.push(2);
  assert.equal(await queue.close(30), 2);
  assert.equal(drops, 2);
  assert.equal(queue.push(3), false, 'a closed queue takes nothing');
});
