import type { StreamDecoder, StreamEvent } from '../ir/stream.js';
import { generatedText } from './estimate.js';
import { tokenCounter } from './token-counter.js';

/** Raw bytes kept per stream for an estimate; past this the rest is only counted. */
const KEEP_BYTES = 1024 * 1024;

/**
 * What a stream delivered, kept until the request ends so that output tokens can be estimated
 * when no usage arrives (a client that left mid-stream, a provider that reports none).
 * Pass-through streams keep references to the raw chunks (no copy, no decoding on the way);
 * they are decoded only if an estimate is needed. Decoded streams keep the generated text.
 */
export class StreamTranscript {
  #chunks: Buffer[] = [];
  #keptBytes = 0;
  #skippedBytes = 0;
  #text = '';

  pushRaw(chunk: Buffer): void {
    if (this.#keptBytes < KEEP_BYTES) {
      this.#chunks.push(chunk);
      this.#keptBytes += chunk.length;
    } else this.#skippedBytes += chunk.length;
  }

  pushText(text: string): void {
    this.#text += text;
  }

  /** Nothing was delivered. */
  get empty(): boolean {
    return this.#text === '' && this.#chunks.length === 0 && this.#skippedBytes === 0;
  }

  /** Estimated output tokens; `createDecoder` reads the raw chunks (the provider's own stream decoder). */
  async outputTokens(createDecoder?: () => StreamDecoder): Promise<number> {
    const tokens = await tokenCounter.count(this.text(createDecoder));
    // Bytes past the cap are scaled by what the kept part gave per byte.
    return this.#skippedBytes > 0 && this.#keptBytes > 0 ? Math.round(tokens * (1 + this.#skippedBytes / this.#keptBytes)) : tokens;
  }

  /**
   * The kept raw chunks decoded into events (`createDecoder`: the provider's stream decoder), or
   * undefined when part of the stream was not kept (past the cap) or it does not decode.
   */
  events(createDecoder: () => StreamDecoder): StreamEvent[] | undefined {
    if (this.#skippedBytes > 0) return undefined;
    const decoder = createDecoder();
    const events: StreamEvent[] = [];
    try {
      for (const chunk of this.#chunks) for (const event of decoder.push(chunk)) events.push(event);
      for (const event of decoder.end()) events.push(event);
    } catch {
      return undefined;
    }
    return events;
  }

  /** The generated text (answer, reasoning, tool calls) of what was kept. */
  text(createDecoder?: () => StreamDecoder): string {
    let text = this.#text;
    if (createDecoder && this.#chunks.length > 0) {
      const decoder = createDecoder();
      const parts: string[] = [];
      const collect = (events: ReturnType<StreamDecoder['push']>): void => {
        for (const event of events) {
          const generated = generatedText(event);
          if (generated) parts.push(generated);
        }
      };
      try {
        for (const chunk of this.#chunks) collect(decoder.push(chunk));
        collect(decoder.end());
      } catch {
        // A stream that does not decode still counted what came before.
      }
      text += parts.join('');
    }
    return text;
  }
}
