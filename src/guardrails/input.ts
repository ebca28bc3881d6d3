import { blockedError, type Span, type TextGuard } from './text-guard.js';

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
 * Guards a request body's texts: finds every span first (so a block names every type found in the
 * whole request, and counts them all), then replaces. Returns a new body when anything changed,
 * the same one otherwise; throws `guardrail_blocked` when a span is to block.
 */
export function guardBody(body: Record<string, unknown>, guard: TextGuard): Record<string, unknown> {
  if (!guard.active) return body;
  const found: Array<{ index: number; spans: Span[] }> = [];
  const slots = textSlotsOf(body);
  slots.forEach((slot, index) => {
    const spans = guard.find(slot.text);
    if (spans.length > 0) found.push({ index, spans });
  });
  if (found.length === 0) return body;
  const blocking = found.flatMap((entry) => entry.spans.filter((span) => span.action === 'block'));
  if (blocking.length > 0) {
    for (const { spans } of found) for (const span of spans) guard.report.count({ guardrail: span.guardrail, type: span.type, action: span.action, stage: 'input' });
    throw blockedError('input', blocking);
  }
  // Copied only now that something changes; the copy's texts are the same, in the same order.
  const copy = structuredClone(body);
  const copySlots = textSlotsOf(copy);
  let changed = false;
  for (const { index, spans } of found) {
    const slot = copySlots[index]!;
    const text = guard.apply(slot.text, spans);
    if (text !== slot.text) {
      (slot.holder as Record<string | number, unknown>)[slot.key] = text;
      changed = true;
    }
  }
  return changed ? copy : body;
}
