const LF = 0x0a;
const CR = 0x0d;

/**
 * Splits an SSE byte stream into raw events (each with its terminating blank line) without
 * decoding text, so a pass-through stream can be watched or filtered event by event at the cost
 * of a native byte search per chunk. A chunk made only of whole events comes back as-is, uncopied.
 */
export function createSseFrameSplitter(): { push(chunk: Buffer): Buffer[]; end(): Buffer[] } {
  let pending: Buffer | undefined;
  return {
    push(chunk) {
      const buffer = pending ? Buffer.concat([pending, chunk]) : chunk;
      pending = undefined;
      const frames: Buffer[] = [];
      let start = 0;
      for (;;) {
        const end = eventEnd(buffer, start);
        if (end === -1) break;
        frames.push(start === 0 && end === buffer.length ? buffer : buffer.subarray(start, end));
        start = end;
      }
      if (start < buffer.length) pending = buffer.subarray(start);
      return frames;
    },
    end() {
      const rest = pending;
      pending = undefined;
      return rest && rest.length > 0 ? [rest] : [];
    },
  };
}

/** Index just past the blank line ending the event that starts at `from`, or -1 if incomplete. */
function eventEnd(buffer: Buffer, from: number): number {
  let i = buffer.indexOf(LF, from);
  while (i !== -1) {
    // "\n\n" or "\n\r\n" ends an event (LF and CRLF line endings).
    if (buffer[i + 1] === LF) return i + 2;
    if (buffer[i + 1] === CR && buffer[i + 2] === LF) return i + 3;
    if (i + 2 >= buffer.length) return -1;
    i = buffer.indexOf(LF, i + 1);
  }
  return -1;
}
