// Character tests shared by the detectors: char codes, so a scan allocates nothing per character.

/** 0-9 */
export function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/** A-Z a-z */
export function isAsciiLetter(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

/** A-Z a-z 0-9 _ (what `\w` matches). */
export function isWordChar(code: number): boolean {
  return isAsciiLetter(code) || isDigit(code) || code === 95;
}

/** A word character in any script: a value glued to one is part of a longer token, not a value. */
export function isLetterOrDigit(code: number): boolean {
  if (code < 128) return isWordChar(code);
  return LETTER_OR_DIGIT.test(String.fromCharCode(code));
}

const LETTER_OR_DIGIT = /[\p{L}\p{N}\p{M}]/u;

/** Shannon entropy in bits per character. */
export function entropy(text: string): number {
  const counts = new Map<number, number>();
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    counts.set(code, (counts.get(code) ?? 0) + 1);
  }
  let bits = 0;
  for (const count of counts.values()) {
    const p = count / text.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/** Which of lower case, upper case and digits the text has, as a count 0-3. */
export function characterClasses(text: string): { lower: boolean; upper: boolean; digit: boolean; count: number } {
  let lower = false;
  let upper = false;
  let digit = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 97 && code <= 122) lower = true;
    else if (code >= 65 && code <= 90) upper = true;
    else if (code >= 48 && code <= 57) digit = true;
  }
  return { lower, upper, digit, count: Number(lower) + Number(upper) + Number(digit) };
}
