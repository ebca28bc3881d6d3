// A lean incremental HTTP/1.1 response reader for the load generator: it finds where each
// response ends (Content-Length or chunked encoding), when its first body byte arrived and how
// its body ended, without copying body bytes. Work per socket chunk is proportional to the chunk.

export interface ResponseEvents {
  /** The first byte of the (decoded) body arrived. */
  onFirstBodyByte(): void;
  /** The response ended; `bodyTail` holds its last (up to 32) body bytes as latin1 text. */
  onComplete(status: number, bodyBytes: number, bodyTail: string): void;
}

const enum State {
  Head,
  FixedBody,
  ChunkSize,
  ChunkData,
  ChunkDataEnd,
  Trailer,
  UntilClose,
}

const CR = 13;
const LF = 10;
const HEAD_END = Buffer.from('\r\n\r\n');
const TAIL_BYTES = 32;

/** Parses a stream of responses on one keep-alive connection; call `push` with each socket chunk. */
export class HttpResponseReader {
  private state = State.Head;
  private head: Buffer = Buffer.alloc(0);
  private status = 0;
  private remaining = 0;
  private chunkSize = 0;
  private inChunkExtension = false;
  private lineLength = 0;
  private bodyBytes = 0;
  private tail = '';

  constructor(private readonly events: ResponseEvents) {}

  /** Feeds one socket chunk; may complete zero or more responses. */
  push(data: Buffer): void {
    let offset = 0;
    while (offset < data.length) {
      switch (this.state) {
        case State.Head:
          offset = this.readHead(data, offset);
          break;
        case State.FixedBody:
        case State.UntilClose:
        case State.ChunkData:
          offset = this.readBody(data, offset);
          break;
        case State.ChunkSize:
          offset = this.readChunkSize(data, offset);
          break;
        case State.ChunkDataEnd:
          // The CRLF after chunk data: skip until the LF.
          if (data[offset++] === LF) this.state = State.ChunkSize;
          break;
        case State.Trailer:
          offset = this.readTrailer(data, offset);
          break;
      }
    }
  }

  /** The connection closed: a close-delimited body ends here. Returns false if a response was cut. */
  end(): boolean {
    if (this.state === State.UntilClose) {
      this.complete();
      return true;
    }
    return this.state === State.Head && this.head.length === 0;
  }

  private readHead(data: Buffer, offset: number): number {
    const searchFrom = Math.max(0, this.head.length - 3);
    this.head = this.head.length === 0 ? data.subarray(offset) : Buffer.concat([this.head, data.subarray(offset)]);
    const end = this.head.indexOf(HEAD_END, searchFrom);
    if (end < 0) {
      this.head = Buffer.from(this.head); // own the bytes: the socket may reuse its buffer
      return data.length;
    }
    const consumedFromData = end + 4 - (this.head.length - (data.length - offset));
    this.startBody(this.head.toString('latin1', 0, end));
    this.head = Buffer.alloc(0);
    return offset + consumedFromData;
  }

  private startBody(headText: string): void {
    this.status = Number(headText.slice(9, 12));
    this.bodyBytes = 0;
    this.tail = '';
    const lower = headText.toLowerCase();
    const length = /\r\ncontent-length:\s*(\d+)/.exec(lower);
    if (/\r\ntransfer-encoding:[^\r]*chunked/.test(lower)) {
      this.state = State.ChunkSize;
      this.chunkSize = 0;
      this.inChunkExtension = false;
    } else if (length) {
      this.remaining = Number(length[1]);
      this.state = State.FixedBody;
      if (this.remaining === 0) this.complete();
    } else if (this.status === 204 || this.status === 304 || (this.status >= 100 && this.status < 200)) {
      this.complete();
    } else {
      this.state = State.UntilClose;
      this.remaining = Infinity;
    }
  }

  private readBody(data: Buffer, offset: number): number {
    const take = Math.min(this.remaining, data.length - offset);
    if (take > 0) {
      if (this.bodyBytes === 0) this.events.onFirstBodyByte();
      this.bodyBytes += take;
      this.remaining -= take;
      const tailStart = Math.max(offset, offset + take - TAIL_BYTES);
      this.tail = (this.tail + data.toString('latin1', tailStart, offset + take)).slice(-TAIL_BYTES);
    }
    if (this.remaining === 0) {
      if (this.state === State.ChunkData) this.state = State.ChunkDataEnd;
      else this.complete();
    }
    return offset + take;
  }

  private readChunkSize(data: Buffer, offset: number): number {
    while (offset < data.length) {
      const byte = data[offset++]!;
      if (byte === LF) {
        if (this.chunkSize === 0) {
          this.state = State.Trailer;
          this.lineLength = 0;
        } else {
          this.state = State.ChunkData;
          this.remaining = this.chunkSize;
        }
        this.chunkSize = 0;
        this.inChunkExtension = false;
        return offset;
      }
      if (this.inChunkExtension || byte === CR) continue;
      if (byte === 59 /* ; */) this.inChunkExtension = true;
      else this.chunkSize = this.chunkSize * 16 + hexValue(byte);
    }
    return offset;
  }

  private readTrailer(data: Buffer, offset: number): number {
    while (offset < data.length) {
      const byte = data[offset++]!;
      if (byte === LF) {
        if (this.lineLength === 0) {
          this.complete();
          return offset;
        }
        this.lineLength = 0;
      } else if (byte !== CR) {
        this.lineLength++;
      }
    }
    return offset;
  }

  private complete(): void {
    this.state = State.Head;
    this.events.onComplete(this.status, this.bodyBytes, this.tail);
  }
}

function hexValue(byte: number): number {
  if (byte >= 48 && byte <= 57) return byte - 48;
  if (byte >= 97 && byte <= 102) return byte - 87;
  if (byte >= 65 && byte <= 70) return byte - 55;
  throw new Error(`invalid chunk size byte ${byte}`);
}
