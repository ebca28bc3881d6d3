import type { StreamDecoder, StreamEvent } from '../../src/ir/stream.js';
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

/**
 * Runs a whole upstream body through a provider's stream decoder: its events and any transport
 * error. The decoder is ended after a clean body, and after a cut one only with `endAfterError`
 * (to see how it reports the truncation).
 */
export async function decodeBody(
  body: UpstreamBody,
  decoder: StreamDecoder,
  endAfterError = false,
): Promise<{ events: StreamEvent[]; error?: unknown }> {
  const { chunks, error } = await collectChunks(body);
  const events: StreamEvent[] = [];
  for (const chunk of chunks) events.push(...decoder.push(chunk));
  if (error === undefined || endAfterError) events.push(...decoder.end());
  return error === undefined ? { events } : { events, error };
}
