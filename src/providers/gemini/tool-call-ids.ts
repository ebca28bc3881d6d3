import { createHash } from 'node:crypto';
import type { Message } from '../../ir/chat.js';

/**
 * Gemini's functionCall usually carries no id, but clients need one to answer the call. The id is
 * derived from what identifies the call (prompt size, choice, position, name, arguments), so the
 * same answer always gets the same ids and a repeated call in a later turn gets a new one.
 */
export function synthesizeToolCallId(parts: {
  promptTokens: number;
  choice: number;
  index: number;
  name: string;
  arguments: string;
}): string {
  const digest = createHash('sha256')
    .update(`${parts.promptTokens}\u0000${parts.choice}\u0000${parts.index}\u0000${parts.name}\u0000${parts.arguments}`)
    .digest('base64url');
  return `call_${digest.slice(0, 24)}`;
}

/**
 * Maps every tool-call id in the conversation to its function name: Gemini's functionResponse
 * must name the function, while clients answer a call by id only.
 */
export function toolNamesById(messages: readonly Message[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const message of messages) {
    if (message.role !== 'assistant') continue;
    for (const part of message.content) if (part.type === 'tool_call') names.set(part.id, part.name);
  }
  return names;
}
