import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FakeScript, FakeUpstream, RecordedRequest } from './types.js';

export type FakeHandler = (
  request: RecordedRequest,
  response: http.ServerResponse,
  script: FakeScript,
  state: { closed: boolean },
) => void | Promise<void>;

/**
 * Starts a loopback HTTP server that records each request, resolves the current script and hands
 * both to the provider-specific handler. Connections closed before the answer ended are recorded
 * in `aborted`.
 */
export async function startFakeServer(handler: FakeHandler, pathPrefix = ''): Promise<FakeUpstream> {
  const fake: FakeUpstream = {
    url: '',
    requests: [],
    aborted: [],
    script: {},
    close: async () => {},
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const recorded: RecordedRequest = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body };
      try {
        if (body) recorded.json = JSON.parse(body);
      } catch {
        // Not JSON: handlers see the raw body.
      }
      fake.requests.push(recorded);
      const state = { closed: false };
      res.on('close', () => {
        state.closed = true;
        if (!res.writableFinished) fake.aborted.push(recorded);
      });
      const script = typeof fake.script === 'function' ? fake.script(recorded) : fake.script;
      const answer = async (): Promise<void> => {
        if (script.delayMs) await sleep(script.delayMs);
        if (!state.closed) await handler(recorded, res, script, state);
      };
      answer().catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String(error));
      });
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  fake.url = `http://127.0.0.1:${port}${pathPrefix}`;
  fake.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return fake;
}

/** Splits text into pieces of `size` characters (at least one piece, possibly empty). */
export function pieces(text: string, size = 4): string[] {
  if (text.length === 0) return [];
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A deterministic pseudo-embedding for `text` (same text → same vector), unit length. */
/**
 * A bag-of-words vector: each lower-cased word (letters and digits) counts in the slot its hash
 * picks, normalised. Two texts with the same words in any order and case embed identically; the
 * cosine of two texts is their word overlap (as long as their words do not share slots).
 */
export function wordEmbedding(text: string, dimensions = 256): number[] {
  const vector = new Array<number>(dimensions).fill(0);
  for (const word of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
    let seed = 2166136261;
    for (let i = 0; i < word.length; i++) seed = Math.imul(seed ^ word.charCodeAt(i), 16777619);
    vector[(seed >>> 0) % dimensions]! += 1;
  }
  const norm = Math.hypot(...vector) || 1;
  return vector.map((value) => value / norm);
}

export function fakeEmbedding(text: string, dimensions = 8): number[] {
  let seed = 2166136261;
  for (let i = 0; i < text.length; i++) seed = Math.imul(seed ^ text.charCodeAt(i), 16777619);
  const vector: number[] = [];
  for (let i = 0; i < dimensions; i++) {
    seed = Math.imul(seed ^ (seed >>> 15), 2246822507) ^ i;
    vector.push(((seed >>> 0) % 2000) / 1000 - 1);
  }
  const norm = Math.hypot(...vector) || 1;
  return vector.map((value) => value / norm);
}
