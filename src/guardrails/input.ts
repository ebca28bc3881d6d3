import { blockedError, type TextGuard } from './text-guard.js';

/** Fields that are structure, identifiers or media, never text a person wrote: not scanned. */
const NOT_TEXT = new Set(['role', 'type', 'id', 'tool_call_id', 'tool_use_id', 'name', 'media_type', 'cache_control', 'image_url', 'source', 'url', 'data', 'signature', 'detail', 'index']);
/** Content blocks whose text is signed by the provider (changing it breaks the conversation): left as they are. */
const SIGNED_BLOCKS = new Set(['thinking', 'redacted_thinking']);

/** A string in the body: where it is, so it can be replaced. */
interface TextSlot {
  holder: Record<string, unknown> | unknown[];
  key: string | number;
  text: string;
}

/**
 * Every text the guardrails read in a chat body, in either dialect: the strings of `messages`
 * (all roles; text parts, tool call arguments and tool results, Anthropic tool inputs) and
 * Anthropic's `system`. Structure and media (roles, ids, names, images) are skipped.
 */
export function textSlotsOf(body: Record<string, unknown>): TextSlot[] {
  const slots: TextSlot[] = [];
  const work: Array<{ holder: Record<string, unknown> | unknown[]; key: string | number }> = [];
  // A stack: pushed in reverse, so texts come out in document order (system first).
  if (body.messages !== undefined) work.push({ holder: body, key: 'messages' });
  if (body.system !== undefined) work.push({ holder: body, key: 'system' });
  while (work.length > 0) {
    const { holder, key } = work.pop()!;
    const value = (holder as Record<string | number, unknown>)[key];
    if (typeof value === 'string') {
      if (value !== '') slots.push({ holder, key, text: value });
    } else if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) work.push({ holder: value, key: i });
    } else if (value !== null && typeof value === 'object') {
      const object = value as Record<string, unknown>;
      if (typeof object.type === 'string' && SIGNED_BLOCKS.has(object.type)) continue;
      for (const field of Object.keys(object).reverse()) if (!NOT_TEXT.has(field)) work.push({ holder: object, key: field });
    }
  }
  return slots;
}

/**
 * Guards a list of texts: finds every span first (so a block names every type found in the whole
 * request, and counts them all), then replaces. Returns the same array when nothing changed;
 * throws `guardrail_blocked` when a span is to block.
 */
export function guardTexts(texts: readonly string[], guard: TextGuard): readonly string[] {
  if (!guard.active) return texts;
  const found = texts.map((text) => guard.find(text));
  if (found.every((spans) => spans.length === 0)) return texts;
  const blocking = found.flat().filter((span) => span.action === 'block');
  if (blocking.length > 0) {
    for (const span of found.flat()) guard.report.count({ guardrail: span.guardrail, type: span.type, action: span.action, stage: 'input' });
    throw blockedError('input', blocking);
  }
  const guarded = texts.map((text, index) => guard.apply(text, found[index]));
  return guarded.every((text, index) => text === texts[index]) ? texts : guarded;
}

/**
 * Guards a request body's texts (`guardTexts` over `textSlotsOf`). Returns a new body when
 * anything changed, the same one otherwise.
 */
export function guardBody(body: Record<string, unknown>, guard: TextGuard): Record<string, unknown> {
  const texts = textSlotsOf(body).map((slot) => slot.text);
  const guarded = guardTexts(texts, guard);
  if (guarded === texts) return body;
  // Copied only now that something changes; the copy's texts are the same, in the same order.
  const copy = structuredClone(body);
  textSlotsOf(copy).forEach((slot, index) => {
    if (guarded[index] !== slot.text) (slot.holder as Record<string | number, unknown>)[slot.key] = guarded[index];
  });
  return copy;
}
