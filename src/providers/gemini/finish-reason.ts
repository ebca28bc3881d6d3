import type { FinishReason } from '../../ir/chat.js';

/** Gemini finish reasons that mean a safety or policy filter stopped the answer. */
const FILTERED = new Set([
  'SAFETY',
  'RECITATION',
  'BLOCKLIST',
  'PROHIBITED_CONTENT',
  'SPII',
  'IMAGE_SAFETY',
  'IMAGE_PROHIBITED_CONTENT',
  'IMAGE_RECITATION',
]);

/**
 * A candidate's finishReason in IR terms. Gemini says STOP after function calls, so a choice
 * that made calls finishes with `tool_calls`; malformed calls and unknown reasons are `error`.
 */
export function toFinishReason(reason: string, madeToolCalls: boolean): FinishReason {
  if (reason === 'STOP') return madeToolCalls ? 'tool_calls' : 'stop';
  if (reason === 'MAX_TOKENS') return 'length';
  if (FILTERED.has(reason)) return 'content_filter';
  return 'error';
}
