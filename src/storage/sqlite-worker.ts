/**
 * The SQLite store's own thread (see worker-storage.ts): opens the database named in
 * `workerData`, then runs each Storage call it is sent and posts the result back.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { SqlStorage } from './store.js';
import type { StorageSpec } from './spec.js';
import type { StorageCall, StorageReply } from './worker-storage.js';

const port = parentPort!;

function describeError(error: unknown): StorageReply['error'] {
  const { message, code, param } = error as { message?: string; code?: unknown; param?: unknown };
  return {
    message: message ?? String(error),
    ...(typeof code === 'string' && { code }),
    ...(typeof param === 'string' && { param }),
  };
}

SqlStorage.open(workerData.spec as StorageSpec).then(
  (storage) => {
    port.on('message', (call: StorageCall) => {
      const run = storage[call.op] as (...args: unknown[]) => Promise<unknown>;
      run.apply(storage, call.args).then(
        (value) => port.postMessage({ id: call.id, value } satisfies StorageReply),
        (error: unknown) => port.postMessage({ id: call.id, error: describeError(error) } satisfies StorageReply),
      );
    });
    port.postMessage({ id: -1, value: 'ready' } satisfies StorageReply);
  },
  (error: unknown) => port.postMessage({ id: -1, error: describeError(error) } satisfies StorageReply),
);
