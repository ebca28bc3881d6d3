import type { UpstreamBody } from '../upstream/http.js';

/** Where stream frames go: the client's response (ServerResponse fits). */
export interface FrameSink {
  /** false: the client's buffer is full; wait for `drain`. */
  write(frame: string | Uint8Array): boolean;
  once(event: 'drain', listener: () => void): unknown;
  readonly destroyed: boolean;
}

/** A stream answer, ready to be written into a sink. Resolves when done; never rejects. */
export interface FrameSource {
  pipe(sink: FrameSink): Promise<void>;
}

export interface PumpHandlers {
  /** Frame for one upstream chunk ('' for none). */
  onChunk(chunk: Buffer): string | Uint8Array;
  /** True when the stream must stop now (an error event was written). */
  stopped(): boolean;
  /** Closing frame: after the body ended (error undefined) or failed. */
  onEnd(error: unknown): string | Uint8Array;
}

/**
 * Moves an upstream body into the sink chunk by chunk, the way `pipe` does but without streams:
 * no async iterator or generator per chunk, and the upstream socket is paused while the client's
 * buffer is full, so a slow client slows the upstream read instead of growing memory.
 */
export function pumpBody(body: UpstreamBody, sink: FrameSink, handlers: PumpHandlers): Promise<void> {
  return new Promise((resolve) => {
    let finished = false;
    const finish = (error: unknown): void => {
      if (finished) return;
      finished = true;
      const tail = handlers.onEnd(error);
      if (tail.length > 0 && !sink.destroyed) sink.write(tail);
      resolve();
    };
    const resume = (): void => body.resume();
    body.consume({
      data(chunk) {
        if (finished) return;
        const frame = handlers.onChunk(chunk);
        const writable = frame.length === 0 || sink.destroyed || sink.write(frame);
        if (handlers.stopped()) {
          body.destroy();
          finish(undefined);
        } else if (!writable) {
          body.pause();
          sink.once('drain', resume);
        }
      },
      end: () => finish(undefined),
      error: (error) => finish(error),
    });
  });
}

/** Writes an async iterable of frames (in-process providers), waiting for drain when needed. */
export async function pumpIterable(frames: AsyncIterable<string | Uint8Array>, sink: FrameSink): Promise<void> {
  for await (const frame of frames) {
    if (sink.destroyed) return;
    if (!sink.write(frame)) await new Promise<void>((resolve) => sink.once('drain', resolve));
  }
}
