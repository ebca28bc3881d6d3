import { TOKEN_MAX_LENGTH } from './pii/detect.js';
import { PLACEHOLDER, PLACEHOLDER_MAX_LENGTH, type MaskTable, type Span, type TextGuard } from './text-guard.js';

/** Text already sent that is kept as left context, so a span is not found in the middle of a longer token. */
const CONTEXT = 64;
/** New text gathered before scanning again (fewer, larger scans). */
const MIN_BATCH = 16;
const NOT_SPACE = /\S/;
/** What a phone, card, SSN, IBAN or IP address is written with; a lower-case letter ends the run. */
const GROUPED_NUMBER = /[0-9A-Z+()\-./: \t]/;
/** The longest finding of those: an IPv6 address (45), an IBAN (42), a phone (32). */
const GROUPED_NUMBER_MAX = 48;
/** A private key block is held from its BEGIN line until its END line, up to this much. */
const PEM_HOLD_MAX = 8192;

/**
 * Guards one streamed text (a choice's content, or one tool call's arguments) whose pieces arrive
 * split anywhere. It sends on all but what a match could still be part of, and never cuts through
 * a span or a placeholder, so what is found across piece boundaries is acted on as in a whole text.
 * Held back at the text's end:
 * - the trailing run of non-space characters, whole: an email, a key, a token or a placeholder still
 *   arriving (up to the longest such finding);
 * - the trailing run of characters a grouped number is made of (digits, capitals, spaces, `+()-./:`),
 *   up to the longest such finding: a phone, a card, an IBAN, an IP address;
 * - the longest match of a deny rule or a listed name (any words), when there are some;
 * - an unfinished private key block, from its BEGIN line.
 * So prose is held back by about a word. Placeholders are restored in what is sent. Throws
 * `guardrail_blocked` when a span is to block.
 */
export class StreamTextScanner {
  #buffer = '';
  #context = '';
  #sinceScan = 0;
  readonly #holdback: number;
  readonly #pii: boolean;
  /** The longest trailing run of non-space characters held whole. */
  readonly #tokenMax: number;

  constructor(
    private readonly guard: TextGuard | undefined,
    private readonly masks: MaskTable,
  ) {
    this.#pii = guard?.active === true && guard.scansPii;
    this.#holdback = guard?.active ? guard.fixedHoldback : 0;
    this.#tokenMax = this.#pii ? TOKEN_MAX_LENGTH : masks.size > 0 ? PLACEHOLDER_MAX_LENGTH : 0;
  }

  /** What may be sent of the text so far (possibly nothing yet). */
  push(text: string): string {
    this.#buffer += text;
    this.#sinceScan += text.length;
    if (this.#buffer.length <= this.#holdback || this.#sinceScan < MIN_BATCH) return '';
    this.#sinceScan = 0;
    const scanned = this.#context + this.#buffer;
    const offset = this.#context.length;
    let cut = Math.min(scanned.length - this.#holdback, this.#runStart(scanned, NOT_SPACE, this.#tokenMax), this.#pii ? this.#runStart(scanned, GROUPED_NUMBER, GROUPED_NUMBER_MAX) : Infinity);
    const spans = this.#spans(scanned, offset);
    for (const span of spans) if (span.start < cut && span.end > cut) cut = span.start;
    cut = Math.min(cut, this.#openPemBlock(scanned, offset));
    if (cut <= offset) return '';
    return this.#send(scanned, offset, cut, spans.filter((span) => span.end <= cut));
  }

  /** The rest, at the end of the text. */
  end(): string {
    if (this.#buffer === '') return '';
    const scanned = this.#context + this.#buffer;
    const offset = this.#context.length;
    return this.#send(scanned, offset, scanned.length, this.#spans(scanned, offset));
  }

  /** Spans (and placeholders, as spans to keep whole) starting in the unsent part. */
  #spans(scanned: string, offset: number): Span[] {
    const spans = this.guard?.active ? this.guard.find(scanned).filter((span) => span.start >= offset) : [];
    if (this.masks.size > 0) {
      for (const match of scanned.matchAll(PLACEHOLDER)) {
        if (match.index >= offset) spans.push({ start: match.index, end: match.index + match[0].length, guardrail: 'pii', type: 'placeholder', action: 'log' });
      }
    }
    return spans;
  }

  /** Where the trailing run of characters matching `allowed` starts (at most `max` back), else Infinity. */
  #runStart(scanned: string, allowed: RegExp, max: number): number {
    if (max === 0) return Infinity;
    const floor = Math.max(0, scanned.length - max);
    let at = scanned.length;
    while (at > floor && allowed.test(scanned[at - 1]!)) at--;
    return at;
  }

  /** Where an unfinished private key block starts (held until its END line), else Infinity. */
  #openPemBlock(scanned: string, offset: number): number {
    if (!this.guard?.active) return Infinity;
    const begin = scanned.lastIndexOf('-----BEGIN', scanned.length);
    if (begin < offset || scanned.indexOf('-----END', begin) >= 0 || scanned.length - begin > PEM_HOLD_MAX) return Infinity;
    return begin;
  }

  #send(scanned: string, offset: number, cut: number, spans: Span[]): string {
    const piece = scanned.slice(offset, cut);
    const own = spans.filter((span) => span.type !== 'placeholder').map((span) => ({ ...span, start: span.start - offset, end: span.end - offset }));
    const guarded = this.guard && own.length > 0 ? this.guard.apply(piece, own) : piece;
    this.#context = (this.#context + piece).slice(-CONTEXT);
    this.#buffer = scanned.slice(cut);
    return this.masks.restore(guarded);
  }
}
