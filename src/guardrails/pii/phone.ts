import { digitsOf, labelledBefore, NUMBER_AFTER, NUMBER_BEFORE } from './numbers.js';
import type { EntityScanner } from './scanner.js';

// Phone numbers are found only with phone-like structure, each shape its own pattern:
//  - international: `+` and 7-15 digits, in groups separated by single spaces, dots or dashes, an
//    optional `(0)` trunk or `(area)`: +14155552671, +44 20 7946 0958, +49 (0)30 123456;
//  - North American: (415) 555-2671, 415-555-2671, 415.555.2671, 1-800-555-0199 (area code 2-9,
//    consistent separators);
//  - national with a trunk 0: 020 7946 0958, 07700 900123, 01 23 45 67 89, (02) 9876 5432
//    (10-11 digits, consistent separators), or `00` and a country code: 0044 20 7946 0958
//    (9-15 digits after the `00`: weaker evidence than a `+`);
//  - after a phone label (`Tel:`, `phone`, `mobile`...): also 10-15 bare digits or 555-0199.
// A bare run of digits, a date, a version, an IP, a UUID or a time has none of these shapes.
// Without a `+`, a number right after another group of digits (`3704 0044 0532 0130 01`) is part
// of a longer grouped number, not a phone number.
const NOT_AFTER_GROUP = String.raw`(?<!\d )`;

/** At most 15 groups (15 digits), so a long run of `1 1 1 ...` is cut into bounded candidates. */
const INTERNATIONAL = new RegExp(String.raw`(?<![\w+])\+\d{1,15}(?:(?:[ .-]?\(\d{1,4}\)[ .-]?|[ .-])\d{1,15}){0,15}` + NUMBER_AFTER, 'g');
const NORTH_AMERICAN = new RegExp(
  NUMBER_BEFORE + NOT_AFTER_GROUP + String.raw`(?:1[ .-])?(?:\([2-9]\d\d\)[ -]?\d{3}[ .-]\d{4}|[2-9]\d\d([ .-])\d{3}\1\d{4})` + NUMBER_AFTER,
  'g',
);
const NATIONAL_TRUNK = new RegExp(
  NUMBER_BEFORE + NOT_AFTER_GROUP + String.raw`(?:\(0\d{1,4}\) ?\d{2,8}(?:[ .-]\d{2,8}){0,3}|0\d{1,4}([ .-])\d{2,8}(?:\1\d{2,8}){0,3})` + NUMBER_AFTER,
  'g',
);
const LABELLED = new RegExp(NUMBER_BEFORE + NOT_AFTER_GROUP + String.raw`(?:\d{10,15}|\d{3}[ .-]\d{4})` + NUMBER_AFTER, 'g');
const PHONE_LABEL = /\b(?:tel|telephone|phone|mobile|cell|fax|whatsapp)(?:\s*(?:no\.?|number|#))?\s*[:.]?\s*$/i;

const E164_MAX_DIGITS = 15;
const MAX_LENGTH = 32;

export const phoneScanner: EntityScanner = {
  maxLength: MAX_LENGTH,
  scan(text, emit) {
    INTERNATIONAL.lastIndex = 0;
    for (let match = INTERNATIONAL.exec(text); match !== null; match = INTERNATIONAL.exec(text)) {
      const end = internationalEnd(match[0]);
      if (end > 0) emit(match.index, match.index + end);
    }
    for (const regex of [NORTH_AMERICAN, NATIONAL_TRUNK]) {
      regex.lastIndex = 0;
      for (let match = regex.exec(text); match !== null; match = regex.exec(text)) {
        if (regex === NORTH_AMERICAN || validTrunkNumber(match[0])) emit(match.index, match.index + match[0].length);
      }
    }
    LABELLED.lastIndex = 0;
    for (let match = LABELLED.exec(text); match !== null; match = LABELLED.exec(text)) {
      if (labelledBefore(text, match.index, PHONE_LABEL, 24)) emit(match.index, match.index + match[0].length);
    }
  },
};

/**
 * How much of an international candidate is the number: 7-15 digits (the `(0)` trunk not counted),
 * dropping trailing space-separated groups that would take it past 15; 0 when it is not one.
 */
function internationalEnd(candidate: string): number {
  let end = candidate.length;
  for (;;) {
    const number = candidate.slice(0, end);
    const digits = digitsOf(number.replace('(0)', '')).length;
    if (digits <= E164_MAX_DIGITS) return digits >= 7 && end <= MAX_LENGTH && number[1] !== '0' ? end : 0;
    const space = number.lastIndexOf(' ');
    if (space <= 0) return 0;
    end = space;
  }
}

/** A trunk-0 national number has 10-11 digits; `00` is the international prefix (9-15 digits after it). */
function validTrunkNumber(candidate: string): boolean {
  const digits = digitsOf(candidate);
  if (candidate.length > MAX_LENGTH) return false;
  if (digits.startsWith('00')) return digits[2] !== '0' && digits.length - 2 >= 9 && digits.length - 2 <= E164_MAX_DIGITS;
  return digits.length >= 10 && digits.length <= 11;
}
