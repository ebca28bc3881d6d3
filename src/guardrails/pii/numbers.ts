// Boundaries shared by the number-shaped entities (phone, card, SSN): a number glued to a word, a
// decimal, a path, an identifier, an amount or a `#` reference is part of something else.

/** Lookbehind: not after a word character, `#`, a currency sign, `+`, `.`, `,`, `/`, `\` or `-`. */
export const NUMBER_BEFORE = String.raw`(?<![\w#$€£¥+.,/\\-])`;
/** Lookahead: not before a word character, `.` or `,` and a digit (a decimal), `/` or `-` and a word character (`123-45-6789-A`). */
export const NUMBER_AFTER = String.raw`(?![\w]|[.,]\d|[/-]\w)`;

/** The digits of a matched number, separators dropped. */
export function digitsOf(text: string): string {
  let digits = '';
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 48 && code <= 57) digits += text[i];
  }
  return digits;
}

/** Whether `label` (a regex, ending at the label) occurs in the `window` characters before `index`. */
export function labelledBefore(text: string, index: number, label: RegExp, window: number): boolean {
  return label.test(text.slice(Math.max(0, index - window), index));
}
