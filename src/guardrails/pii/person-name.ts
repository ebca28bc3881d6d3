import type { EntityScanner } from './scanner.js';

/**
 * Whole-word, case-sensitive matches of the given names, longest first (`Ada Lovelace` before
 * `Ada`). The words of a multi-word name may be separated by any one whitespace character (a line
 * break in a signature), so a finding is exactly as long as the name.
 */
export function createNameScanner(names: readonly string[]): EntityScanner | undefined {
  const normalized = [...new Set(names.map((name) => name.trim().split(/\s+/).join(' ')).filter((name) => name.length > 0))];
  if (normalized.length === 0) return undefined;
  normalized.sort((a, b) => b.length - a.length);
  const alternatives = normalized.map((name) => name.split(' ').map(escapeRegex).join(String.raw`\s`));
  const regex = new RegExp(String.raw`(?<![\p{L}\p{N}\p{M}_])(?:${alternatives.join('|')})(?![\p{L}\p{N}\p{M}_])`, 'gu');
  return {
    maxLength: normalized[0]!.length,
    scan(text, emit) {
      regex.lastIndex = 0;
      for (let match = regex.exec(text); match !== null; match = regex.exec(text)) emit(match.index, match.index + match[0].length);
    },
  };
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
