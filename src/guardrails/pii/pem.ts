import type { Emit } from './scanner.js';

/** The longest private key block reported: longer ones (or ones without an END line) are cut here. */
export const PEM_MAX_LENGTH = 8192;

const BEGIN = /-----BEGIN ([A-Z0-9 ]{0,40}?)PRIVATE KEY( BLOCK)?-----/y;
/**
 * One line of a block's body: base64, or a `Proc-Type: 4,ENCRYPTED`-style header. Lines end in a
 * line break or, inside JSON strings (a service account's `private_key`), in an escaped `\n`.
 */
// (A line still going after 8192 characters is past any block's bound: it is cut there.)
const BASE64_LINE = /(?:\r?\n|\\n)[A-Za-z0-9+/=]{1,8192}(?=\r?\n|\\n|$|"|[A-Za-z0-9+/=])/y;
const HEADER_LINE = /(?:\r?\n|\\n)[A-Za-z][A-Za-z-]{0,31}: [^\r\n\\]{1,200}(?=\r?\n|\\n|$)/y;
const BLANK_LINE = /(?:\r?\n|\\n)(?=\r?\n|\\n)/y;

/**
 * PEM private key blocks (RSA, EC, DSA, OPENSSH, ENCRYPTED, PGP ... PRIVATE KEY), BEGIN line to END
 * line. A block whose END line is missing (pasted half) or beyond PEM_MAX_LENGTH is reported from
 * its BEGIN line through its body, at most PEM_MAX_LENGTH characters: a partial key is still secret.
 * A BEGIN line with no body after it (prose about PEM files) is not reported.
 */
export function scanPrivateKeys(text: string, emit: Emit): void {
  // Per END line: where the text holds no such line up to (a block that found none stops looking
  // again there), so repeated BEGIN lines without END cost a linear scan, not one each.
  const noFooterBefore = new Map<string, number>();
  let from = 0;
  for (let begin = text.indexOf('-----BEGIN ', from); begin !== -1; begin = text.indexOf('-----BEGIN ', from)) {
    BEGIN.lastIndex = begin;
    const header = BEGIN.exec(text);
    if (!header) {
      from = begin + 1;
      continue;
    }
    const bodyStart = BEGIN.lastIndex;
    const footer = `-----END ${header[1]}PRIVATE KEY${header[2] ?? ''}-----`;
    const limit = Math.min(text.length, begin + PEM_MAX_LENGTH);
    const searchFrom = Math.max(bodyStart, (noFooterBefore.get(footer) ?? 0) - footer.length);
    const found = searchFrom < limit ? text.slice(searchFrom, limit).indexOf(footer) : -1;
    let end: number;
    if (found !== -1) {
      end = searchFrom + found + footer.length;
    } else {
      noFooterBefore.set(footer, limit);
      end = Math.min(bodyEnd(text, bodyStart, limit), limit);
      if (end === bodyStart) {
        from = bodyStart;
        continue;
      }
    }
    emit(begin, end);
    from = end;
  }
}

/** Where the body of a block without its END line ends: after its last base64 or header line. */
function bodyEnd(text: string, from: number, limit: number): number {
  let end = from;
  let afterHeader = false;
  while (end < limit) {
    BASE64_LINE.lastIndex = end;
    HEADER_LINE.lastIndex = end;
    BLANK_LINE.lastIndex = end;
    if (BASE64_LINE.test(text)) {
      end = BASE64_LINE.lastIndex;
      afterHeader = false;
    } else if (HEADER_LINE.test(text)) {
      end = HEADER_LINE.lastIndex;
      afterHeader = true;
    } else if (afterHeader && BLANK_LINE.test(text)) {
      // Encrypted keys put a blank line between their headers and the base64.
      end = BLANK_LINE.lastIndex;
      afterHeader = false;
    } else {
      break;
    }
  }
  return end;
}
