import { digitsOf, NUMBER_AFTER, NUMBER_BEFORE } from './numbers.js';
import type { EntityScanner } from './scanner.js';

// 13-19 digits, bare or grouped by single spaces or dashes (4-4-4-4[-3], 4-6-5 Amex, 4-6-4 Diners),
// accepted only with a Luhn check AND an issuer prefix whose lengths include this one: a Luhn-valid
// IMEI (15 digits) or order number without an issuer's prefix and length is not a card.
const CARD = new RegExp(
  NUMBER_BEFORE + String.raw`(?:\d{4}([ -])\d{4}\1\d{4}\1\d{1,4}(?:\1\d{1,3})?|\d{4}([ -])\d{6}\2\d{4,5}|\d{13,19})` + NUMBER_AFTER,
  'g',
);

/** 19 digits and 4 separators. */
const MAX_LENGTH = 23;

export const creditCardScanner: EntityScanner = {
  maxLength: MAX_LENGTH,
  scan(text, emit) {
    CARD.lastIndex = 0;
    for (let match = CARD.exec(text); match !== null; match = CARD.exec(text)) {
      const digits = digitsOf(match[0]);
      if (issuerAccepts(digits) && luhnValid(digits)) emit(match.index, match.index + match[0].length);
    }
  },
};

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const SIXTEEN_TO_NINETEEN = range(16, 19);

/** Card lengths by issuer prefix (first digits), checked longest prefix first. */
const ISSUERS: ReadonlyArray<{ prefixes: (digits: string) => boolean; lengths: readonly number[] }> = [
  { prefixes: (d) => d[0] === '4', lengths: [13, 16, 19] }, // Visa
  { prefixes: (d) => between(d, 2, 51, 55) || between(d, 4, 2221, 2720), lengths: [16] }, // Mastercard
  { prefixes: (d) => d.startsWith('34') || d.startsWith('37'), lengths: [15] }, // American Express
  { prefixes: (d) => d.startsWith('6011') || d.startsWith('65') || between(d, 3, 644, 649), lengths: SIXTEEN_TO_NINETEEN }, // Discover
  { prefixes: (d) => d.startsWith('36') || d.startsWith('38') || between(d, 3, 300, 305), lengths: range(14, 19) }, // Diners Club
  { prefixes: (d) => between(d, 4, 3528, 3589), lengths: SIXTEEN_TO_NINETEEN }, // JCB
  { prefixes: (d) => d.startsWith('62'), lengths: SIXTEEN_TO_NINETEEN }, // UnionPay
];

function between(digits: string, prefixLength: number, low: number, high: number): boolean {
  const prefix = Number(digits.slice(0, prefixLength));
  return prefix >= low && prefix <= high;
}

/** Whether a known issuer uses this prefix with this many digits. */
export function issuerAccepts(digits: string): boolean {
  return ISSUERS.some((issuer) => issuer.prefixes(digits) && issuer.lengths.includes(digits.length));
}

/** The Luhn (mod 10) check digit test. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = digits.length - 1, double = false; i >= 0; i--, double = !double) {
    let digit = digits.charCodeAt(i) - 48;
    if (double) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}
