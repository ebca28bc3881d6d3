import type { UpstreamBody } from '../../src/upstream/http.js';

/** Every chunk of an upstream body as it arrived, and the error that cut it short, if any. */
export function collectChunks(body: UpstreamBody): Promise<{ chunks: Buffer[]; error?: unknown }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    body.consume({
      data: (chunk) => chunks.push(chunk),
      end: () => resolve({ chunks }),
      error: (error) => resolve({ chunks, error }),
    });
  });
}
