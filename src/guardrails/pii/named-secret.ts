import { characterClasses, entropy, isWordChar } from './chars.js';
import type { Emit } from './scanner.js';

// A secret with no recognisable format is found only after a key-like name and `=`, `:`, `:=`,
// `=>` (quotes allowed around the name and the value), or in an `Authorization:` / `Bearer` header.
// The finding is the value, not the name. The value must look machine-made: at least 20
// characters, two or more of lower case / upper case / digits, and MIN_ENTROPY bits per character.
//
// Judgment calls:
//  - `password: hunter2`, `password: correct-horse-battery-staple`: not found. Short or one-class
//    values after `password:` are mostly prose, type annotations (`password: string`) and config
//    references; flagging them would cost more precision than the recall it buys.
//  - a UUID or hex digest after a key-like name (`api_key: 123e4567-...`, `client_secret=3f9a...`)
//    IS found: many services issue keys in exactly those shapes. The same values with no key-like
//    name before them (request ids, commit SHAs) are never found.
const KEY_NAME = new RegExp(
  String.raw`(?:api[_-]?key|apikey|(?:secret|private|access|signing|encryption|master)[_-]?key(?:[_-]?id)?|secret|token|passw(?:or)?d|pwd|passphrase|credentials?)["']?[ \t]{0,3}(?::=|=>|[:=])[ \t]{0,3}` +
    String.raw`|\bauthorization["']?[ \t]{0,3}[:=][ \t]{0,3}["']?(?:(?:bearer|basic|token)[ \t]+)?|\bbearer[ \t]+`,
  'gi',
);

export const MIN_SECRET_LENGTH = 20;
/**
 * Calibrated on 500 random samples each (min-median-max bits per character): base62 of 20
 * characters 3.6-4.0-4.3, of 40 4.3-4.8-5.1; hex digests of 32 3.1-3.6-3.9; UUIDs 3.3-3.7-4.0;
 * camel-case phrases (`MyVeryLongPasswordIsHere`) 3.5-3.8; repeated filler (`aaaa1111...`,
 * `abcabc123123...`, `password1password1...`) 0.6-3.0. So 3.0 keeps every random token and drops
 * filler; the class and placeholder checks do the rest.
 */
export const MIN_ENTROPY = 3.0;
/** Placeholders and template references, which are not secrets however random they look. */
const PLACEHOLDER = /x{4,}|\*{4,}|your[_-]?(?:api|secret|token|key|pass)|placeholder|changeme|replace[_-]?me|redacted|\$\{|\{\{|%\(|[<>]/i;
/** `process.env.API_KEY`, `settings.SECRET_KEY`: code, not a value. */
const MEMBER_ACCESS = /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+$/;

const QUOTES = new Set(['"', "'", '`']);

/** Values of key-like names; values longer than `maxLength` are reported cut to it. */
export function scanNamedSecrets(text: string, emit: Emit, maxLength: number): void {
  KEY_NAME.lastIndex = 0;
  for (let match = KEY_NAME.exec(text); match !== null; match = KEY_NAME.exec(text)) {
    const value = valueAt(text, match.index + match[0].length, maxLength);
    if (!value) continue;
    if (looksLikeSecret(text.slice(value.start, value.end))) emit(value.start, value.end);
    // Names inside a value already judged (`password=password=...`) are part of it: skipping them
    // keeps the scan linear.
    KEY_NAME.lastIndex = Math.max(KEY_NAME.lastIndex, value.end);
  }
}

/** The quoted or bare value starting at `position` (without its quotes), cut at `maxLength`. */
function valueAt(text: string, position: number, maxLength: number): { start: number; end: number } | undefined {
  const quote = QUOTES.has(text[position] ?? '') ? text[position] : undefined;
  const start = quote ? position + 1 : position;
  const limit = Math.min(text.length, start + maxLength);
  let end = start;
  if (quote) {
    const quoteCode = quote.charCodeAt(0);
    while (end < limit && text.charCodeAt(end) !== quoteCode && !isSpace(text.charCodeAt(end))) end++;
  } else {
    while (end < limit && isBareValueChar(text.charCodeAt(end))) end++;
  }
  // A quoted value must close on its quote (a phrase with spaces is not a token), unless cut.
  if (quote && end < limit && text[end] !== quote) return undefined;
  if (!quote) while (end > start && text[end - 1] === '.') end--;
  return end > start ? { start, end } : undefined;
}

function isSpace(code: number): boolean {
  return code === 32 || (code >= 9 && code <= 13) || code === 0xa0 || code === 0x2028 || code === 0x2029;
}

/** What an unquoted value is made of: base64(url) and `~` `.` (Azure secrets). */
function isBareValueChar(code: number): boolean {
  // + - . / = _ ~
  return isWordChar(code) || code === 43 || code === 45 || code === 46 || code === 47 || code === 61 || code === 126;
}

/** Long, varied and random enough to be a machine-made secret rather than a word or a reference. */
export function looksLikeSecret(value: string): boolean {
  if (value.length < MIN_SECRET_LENGTH || PLACEHOLDER.test(value) || MEMBER_ACCESS.test(value)) return false;
  return characterClasses(value).count >= 2 && entropy(value) >= MIN_ENTROPY;
}
