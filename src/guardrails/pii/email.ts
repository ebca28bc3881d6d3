import { isAsciiLetter, isDigit, isLetterOrDigit } from './chars.js';
import type { EntityScanner } from './scanner.js';

const LOCAL_MAX = 64;
const DOMAIN_MAX = 253;
/** How far back a `scheme://` is looked for: an address after one is a URL's user info. */
const URL_LOOKBACK = 48;

/** Image and source file extensions that are not top-level domains: `logo@2x.png` is a file. */
const FILE_EXTENSIONS = new Set(['png', 'jpg', 'jpeg', 'gif', 'svg', 'webp', 'avif', 'ico', 'bmp', 'tif', 'tiff', 'js', 'mjs', 'cjs', 'ts', 'tsx', 'jsx', 'json', 'yaml', 'yml', 'toml', 'lock', 'txt', 'html', 'css', 'scss', 'map', 'wasm']);

/**
 * Practical addresses: `local@domain.tld` with a dotted domain and an alphabetic TLD of two or more
 * letters. Only the text around each `@` is looked at.
 */
export const emailScanner: EntityScanner = {
  maxLength: LOCAL_MAX + 1 + DOMAIN_MAX,
  scan(text, emit) {
    let floor = 0;
    for (let at = text.indexOf('@'); at !== -1; at = text.indexOf('@', at + 1)) {
      const start = localStart(text, at, floor);
      if (start < 0) continue;
      const end = domainEnd(text, at + 1);
      if (end < 0) continue;
      emit(start, end);
      floor = end;
      at = end - 1;
    }
  },
};

function isLocalChar(code: number): boolean {
  // letters, digits and . _ % + - ' (o'connor@...)
  return isAsciiLetter(code) || isDigit(code) || code === 46 || code === 95 || code === 37 || code === 43 || code === 45 || code === 39;
}

/** Domain labels may hold letters of any script (bücher.de); the TLD is checked separately. */
function isDomainChar(code: number): boolean {
  return isAsciiLetter(code) || isDigit(code) || code === 45 || code === 46 || (code > 127 && isLetterOrDigit(code));
}

/** Where the local part before `at` starts, or -1 when there is none or it is not an address's. */
function localStart(text: string, at: number, floor: number): number {
  let start = at;
  while (start > floor && at - start <= LOCAL_MAX && isLocalChar(text.charCodeAt(start - 1))) start--;
  if (at - start > LOCAL_MAX) return -1;
  // `...`, a sentence's period or an opening quote before the address is not part of it.
  while (start < at && (text.charCodeAt(start) === 46 || text.charCodeAt(start) === 39)) start++;
  if (start === at || text.charCodeAt(at - 1) === 46 || text.slice(start, at).includes('..')) return -1;
  if (start > 0) {
    const before = text.charCodeAt(start - 1);
    // A letter of another script (the local part goes on), `@jane@host` (a fediverse handle).
    if (isLetterOrDigit(before) || before === 64) return -1;
    if (before === 58 || before === 47) {
      // `scheme://user:password@host` is a URL's user info, not an address; `mailto:` is fine.
      const from = Math.max(0, start - URL_LOOKBACK);
      const token = text.slice(from, start);
      const space = Math.max(token.lastIndexOf(' '), token.lastIndexOf('\n'), token.lastIndexOf('\t'));
      if (token.indexOf('://', space + 1) >= 0) return -1;
    }
  }
  return start;
}

/** Where the domain starting at `from` ends, or -1 when it is not a dotted domain with a real TLD. */
function domainEnd(text: string, from: number): number {
  let end = from;
  const limit = Math.min(text.length, from + DOMAIN_MAX + 1);
  while (end < limit) {
    if (!isDomainChar(text.charCodeAt(end))) break;
    end++;
  }
  if (end - from > DOMAIN_MAX) return -1;
  if (end < text.length && isLetterOrDigit(text.charCodeAt(end))) return -1;
  // A sentence's period or dash after the address is not part of it.
  while (end > from && (text.charCodeAt(end - 1) === 46 || text.charCodeAt(end - 1) === 45)) end--;
  const labels = text.slice(from, end).split('.');
  if (labels.length < 2) return -1;
  for (const label of labels) {
    if (label.length === 0 || label.length > 63 || label.startsWith('-') || label.endsWith('-')) return -1;
  }
  const tld = labels[labels.length - 1]!;
  if (!/^(?:[A-Za-z]{2,63}|xn--[A-Za-z0-9-]+)$/.test(tld) || FILE_EXTENSIONS.has(tld.toLowerCase())) return -1;
  // `git@github.com:org/repo.git` is an SSH remote.
  if (text.charCodeAt(end) === 58 && end + 1 < text.length && !/\s/.test(text[end + 1]!)) return -1;
  return end;
}
