import { isGemini3OrLater } from './models.js';

/**
 * Gemini's thoughtSignature travels through clients as the `signature` of a reasoning part.
 * It is marked with a prefix so a signature from another provider (same conversation, other
 * target) is recognised and not sent to Gemini, which would reject it as corrupted.
 */

const PREFIX = 'gemini:';

/**
 * The documented placeholder for a functionCall whose signature the client did not keep (OpenAI
 * clients drop reasoning); Gemini 3 rejects replayed function calls without any signature.
 */
export const SKIP_SIGNATURE_VALIDATOR = 'skip_thought_signature_validator';

/** The IR signature for a thoughtSignature Gemini sent. */
export function wrapSignature(signature: string): string {
  return PREFIX + signature;
}

/** The thoughtSignature to send back, or undefined when the signature did not come from Gemini. */
export function unwrapSignature(signature: string | undefined): string | undefined {
  return signature?.startsWith(PREFIX) ? signature.slice(PREFIX.length) : undefined;
}

/** Whether `model` validates signatures on replayed function calls: Gemini 3 and later. */
export function requiresFunctionCallSignature(model: string): boolean {
  return isGemini3OrLater(model);
}
