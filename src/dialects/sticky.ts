/**
 * Sticky routing keys from a client body. The conversation key is the JSON of its opening: the
 * system prompt (Anthropic `system`, or OpenAI leading system/developer messages) and the first
 * message after it, which every later turn of the same conversation repeats unchanged.
 */
export function conversationOpening(body: Record<string, unknown>): string | undefined {
  const messages = body.messages;
  if (!Array.isArray(messages) || messages.length === 0) return undefined;
  const opening: unknown[] = body.system === undefined ? [] : [body.system];
  for (const message of messages) {
    opening.push(message);
    const role = (message as { role?: unknown } | null)?.role;
    if (role !== 'system' && role !== 'developer') break;
  }
  return JSON.stringify(opening);
}

export function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
