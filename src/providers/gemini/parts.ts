import type { GeminiPart } from './api-types.js';

/** One response part, as this provider uses it. */
export type ReadPart =
  | { kind: 'text'; text: string }
  | { kind: 'reasoning'; text: string; signature?: string }
  | { kind: 'call'; name: string; arguments: string; id?: string; signature?: string };

/**
 * Classifies a response part: thought text, answer text or a function call (its args as JSON
 * text). Parts this gateway has no IR form for (inline images, executable code) give undefined.
 * A signature on plain text is dropped: Gemini only requires signatures back on function calls.
 */
export function readPart(part: GeminiPart): ReadPart | undefined {
  if (part.functionCall) {
    const call: ReadPart = {
      kind: 'call',
      name: part.functionCall.name ?? '',
      arguments: JSON.stringify(part.functionCall.args ?? {}),
    };
    if (part.functionCall.id) call.id = part.functionCall.id;
    if (part.thoughtSignature) call.signature = part.thoughtSignature;
    return call;
  }
  if (typeof part.text !== 'string') return undefined;
  if (part.thought === true) {
    const reasoning: ReadPart = { kind: 'reasoning', text: part.text };
    if (part.thoughtSignature) reasoning.signature = part.thoughtSignature;
    return reasoning;
  }
  return { kind: 'text', text: part.text };
}
