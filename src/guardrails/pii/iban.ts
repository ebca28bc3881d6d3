import type { EntityScanner } from './scanner.js';

// An IBAN is a country code, two check digits and the BBAN, bare or in groups of four separated by
// single spaces; it must have its country's length and pass the ISO 13616 mod-97 check. Lower case
// is accepted when grouped (people type `de89 3704 ...`), not bare: a bare lower-case token of the
// right length is more likely a hex id (`ad12...`, 24 characters like a MongoDB ObjectId).
const IBAN = /(?<![A-Za-z0-9_])[A-Za-z]{2}\d{2}(?:(?: [A-Za-z0-9]{4}){2,7}(?: [A-Za-z0-9]{1,3})?|[A-Za-z0-9]{11,30})(?![A-Za-z0-9_])/g;

/** Lengths from the SWIFT IBAN registry. */
const LENGTHS: Readonly<Record<string, number>> = {
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BI: 27, BR: 29, BY: 28, CH: 21, CR: 22, CY: 28,
  CZ: 24, DE: 22, DJ: 27, DK: 18, DO: 28, EE: 20, EG: 29, ES: 24, FI: 18, FK: 18, FO: 18, FR: 27, GB: 22, GE: 22, GI: 23,
  GL: 18, GR: 27, GT: 28, HR: 21, HU: 28, IE: 22, IL: 23, IQ: 23, IS: 26, IT: 27, JO: 30, KW: 30, KZ: 20, LB: 28, LC: 32,
  LI: 21, LT: 20, LU: 20, LV: 21, LY: 25, MC: 27, MD: 24, ME: 22, MK: 19, MN: 20, MR: 27, MT: 31, MU: 30, NI: 28, NL: 18,
  NO: 15, OM: 23, PK: 24, PL: 28, PS: 29, PT: 25, QA: 29, RO: 24, RS: 22, RU: 33, SA: 24, SC: 31, SD: 18, SE: 24, SI: 19,
  SK: 24, SM: 27, SO: 23, ST: 25, SV: 28, TL: 23, TN: 24, TR: 26, UA: 29, VA: 22, VG: 24, XK: 20, YE: 30,
};

/** 34 characters and 8 spaces. */
const MAX_LENGTH = 42;

export const ibanScanner: EntityScanner = {
  maxLength: MAX_LENGTH,
  scan(text, emit) {
    IBAN.lastIndex = 0;
    for (let match = IBAN.exec(text); match !== null; match = IBAN.exec(text)) {
      const length = ibanLength(match[0]);
      if (length > 0) emit(match.index, match.index + length);
    }
  },
};

/**
 * How much of the candidate is an IBAN: all of it, or (spaced) the groups up to the country's
 * length when more groups follow (`DE89 3704 0044 0532 0130 00 EUR`); 0 when it is none.
 */
function ibanLength(candidate: string): number {
  const expected = LENGTHS[candidate.slice(0, 2).toUpperCase()];
  if (expected === undefined) return 0;
  // Find where the `expected`-th character (spaces not counted) ends.
  let characters = 0;
  let end = 0;
  while (end < candidate.length && characters < expected) {
    if (candidate.charCodeAt(end) !== 32) characters++;
    end++;
  }
  if (characters < expected || (end < candidate.length && candidate.charCodeAt(end) !== 32)) return 0;
  const written = candidate.slice(0, end).replaceAll(' ', '');
  const upper = written.toUpperCase();
  const grouped = written.length < end;
  if (written !== upper && !(grouped && written === written.toLowerCase())) return 0;
  return mod97(upper) === 1 ? end : 0;
}

/** ISO 7064 mod 97-10 over the IBAN with its first four characters moved to the end (letters A=10..Z=35). */
export function mod97(iban: string): number {
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (let i = 0; i < rearranged.length; i++) {
    const code = rearranged.charCodeAt(i);
    remainder = code <= 57 ? (remainder * 10 + (code - 48)) % 97 : (remainder * 100 + (code - 55)) % 97;
  }
  return remainder;
}
