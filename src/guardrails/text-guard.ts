import { GatewayError } from '../errors/gateway-error.js';
import type { PiiEntity } from './pii/detect.js';
import type { GuardrailSet } from './resolve.js';
import type { GuardrailAction } from './schema.js';

export type Stage = 'input' | 'output';

/** One guardrail hit, counted: never the matched text. */
export interface GuardrailHit {
  guardrail: 'pii' | 'deny' | 'max_input_tokens' | 'webhook';
  /** The PII entity, the deny rule's name, or the webhook's verdict. */
  type: string;
  action: GuardrailAction | 'deny' | 'modify' | 'error';
  stage: Stage;
  count: number;
}

/** What the guardrails did to one request: which ran, and what they found (types and counts only). */
export class GuardrailReport {
  readonly ran = new Set<string>();
  readonly hits: GuardrailHit[] = [];
  /** Values were masked: the answer depends on this request's placeholders, so it is never cached. */
  masked = false;

  count(hit: Omit<GuardrailHit, 'count'>, count = 1): void {
    const same = this.hits.find((h) => h.guardrail === hit.guardrail && h.type === hit.type && h.action === hit.action && h.stage === hit.stage);
    if (same) same.count += count;
    else this.hits.push({ ...hit, count });
  }

  toJSON(): { ran: string[]; hits: GuardrailHit[] } {
    return { ran: [...this.ran], hits: this.hits };
  }
}

/**
 * Placeholders of masked values, per request: the same value gets the same `<EMAIL_1>` wherever it
 * appears (so the model can refer to it), and the answer gets the values back.
 */
export class MaskTable {
  readonly #byValue = new Map<string, string>();
  readonly #byPlaceholder = new Map<string, string>();
  readonly #counters = new Map<string, number>();

  get size(): number {
    return this.#byPlaceholder.size;
  }

  placeholderFor(entity: PiiEntity, value: string): string {
    const known = this.#byValue.get(`${entity}\u0000${value}`);
    if (known) return known;
    const label = entity.toUpperCase();
    const n = (this.#counters.get(label) ?? 0) + 1;
    this.#counters.set(label, n);
    const placeholder = `<${label}_${n}>`;
    this.#byValue.set(`${entity}\u0000${value}`, placeholder);
    this.#byPlaceholder.set(placeholder, value);
    return placeholder;
  }

  /** Every known placeholder in `text` back to its value. */
  restore(text: string): string {
    if (this.#byPlaceholder.size === 0 || !text.includes('<')) return text;
    return text.replace(PLACEHOLDER, (placeholder) => this.#byPlaceholder.get(placeholder) ?? placeholder);
  }
}

/** What a placeholder looks like (`<EMAIL_1>`, `<CREDIT_CARD_12>`); the longest is well under this. */
export const PLACEHOLDER = /<[A-Z]+(?:_[A-Z]+)*_\d{1,6}>/g;
export const PLACEHOLDER_MAX_LENGTH = 32;

/** A stretch of text a guardrail acts on. */
export interface Span {
  start: number;
  end: number;
  guardrail: 'pii' | 'deny';
  type: string;
  action: GuardrailAction;
}

/**
 * Applies a request's guardrails to pieces of text at one stage: finds PII and deny-rule matches,
 * replaces them (`[EMAIL]`, `<EMAIL_1>`, `[REDACTED]`), counts them, and throws a 400
 * `guardrail_blocked` naming the types found (never the values) when one is to block.
 */
export class TextGuard {
  constructor(
    readonly set: GuardrailSet,
    readonly stage: Stage,
    readonly report: GuardrailReport,
    readonly masks: MaskTable,
  ) {}

  /** Whether this stage has anything to scan for. */
  get active(): boolean {
    const pii = this.set.pii;
    return (pii !== undefined && (this.stage === 'input' ? pii.input : pii.output)) || this.set.deny.some((rule) => rule[this.stage]);
  }

  /**
   * What a streaming scanner always holds back of the text's end: the longest match of a deny rule
   * or a person name, which may be any words. PII of fixed formats is held back by shape instead
   * (`scansPii`): the trailing run of non-space characters (an email, a key) and the trailing run of
   * digit-group characters (a phone, a card, an IBAN, an IP address).
   */
  get fixedHoldback(): number {
    const names = this.scansPii ? this.set.pii!.longestName : 0;
    return Math.max(names, ...this.set.deny.filter((rule) => rule[this.stage]).map((rule) => rule.maxMatchLength));
  }

  /** PII scanning is on for this stage. */
  get scansPii(): boolean {
    const pii = this.set.pii;
    return pii !== undefined && (this.stage === 'input' ? pii.input : pii.output);
  }

  /** Spans in `text`, sorted and not overlapping (a blocking one wins an overlap, then the longer). */
  find(text: string): Span[] {
    const spans: Span[] = [];
    const pii = this.set.pii;
    if (pii && (this.stage === 'input' ? pii.input : pii.output)) {
      for (const finding of pii.detector.find(text)) spans.push({ ...finding, guardrail: 'pii', type: finding.entity, action: pii.actionOf(finding.entity) });
    }
    for (const rule of this.set.deny) {
      if (!rule[this.stage]) continue;
      rule.regex.lastIndex = 0;
      for (const match of text.matchAll(rule.regex)) {
        if (match[0].length === 0) continue;
        spans.push({ start: match.index, end: match.index + match[0].length, guardrail: 'deny', type: rule.name, action: rule.action });
      }
    }
    if (spans.length < 2) return spans;
    spans.sort((a, b) => a.start - b.start || rank(b) - rank(a));
    const kept: Span[] = [];
    for (const span of spans) {
      const last = kept[kept.length - 1];
      if (!last || span.start >= last.end) kept.push(span);
      else if (rank(span) > rank(last)) kept[kept.length - 1] = span;
    }
    return kept;
  }

  /** `text` with its spans acted on; throws when one blocks. Counts every span. */
  apply(text: string, spans: readonly Span[] = this.find(text)): string {
    if (spans.length === 0) return text;
    const blocked = spans.filter((span) => span.action === 'block');
    for (const span of spans) this.report.count({ guardrail: span.guardrail, type: span.type, action: span.action, stage: this.stage });
    if (blocked.length > 0) throw blockedError(this.stage, blocked);
    let out = '';
    let at = 0;
    for (const span of spans) {
      if (span.action === 'log') continue;
      out += text.slice(at, span.start) + this.#replacement(span, text.slice(span.start, span.end));
      at = span.end;
    }
    return out + text.slice(at);
  }

  #replacement(span: Span, value: string): string {
    if (span.guardrail === 'deny') return '[REDACTED]';
    // Masks are made on the way in; in an answer, PII under `mask` is redacted (the model made it up).
    if (span.action === 'mask' && this.stage === 'input') return this.masks.placeholderFor(span.type as PiiEntity, value);
    return `[${span.type.toUpperCase()}]`;
  }
}

/** Blocking first, then the longer span. */
function rank(span: Span): number {
  return (span.action === 'block' ? 1e9 : 0) + (span.end - span.start);
}

/** The 400 a blocking guardrail answers with: the types found, never the values. */
export function blockedError(stage: Stage, spans: readonly Span[]): GatewayError {
  const pii = [...new Set(spans.filter((s) => s.guardrail === 'pii').map((s) => s.type))];
  const deny = [...new Set(spans.filter((s) => s.guardrail === 'deny').map((s) => s.type))];
  const what = [...(pii.length > 0 ? [`personal data (${pii.join(', ')})`] : []), ...(deny.length > 0 ? [`text refused by deny rule ${deny.map((d) => `"${d}"`).join(', ')}`] : [])];
  const whose = stage === 'input' ? 'the request contains' : "the model's answer contains";
  return new GatewayError('guardrail_blocked', `blocked by guardrails: ${whose} ${what.join(' and ')}`, { param: stage === 'input' ? 'messages' : undefined });
}
