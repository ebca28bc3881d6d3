import { labelledBefore, NUMBER_AFTER, NUMBER_BEFORE } from './numbers.js';
import type { EntityScanner } from './scanner.js';

// US Social Security numbers: 123-45-6789 or 123 45 6789 anywhere; nine bare digits only after an
// `SSN` / `social security (number)` label a few words before. Areas 000, 666 and 900-999 (ITINs),
// group 00 and serial 0000 are never issued, so they are not SSNs.
const SEPARATED = new RegExp(NUMBER_BEFORE + String.raw`(\d{3})([ -])(\d{2})\2(\d{4})` + NUMBER_AFTER, 'g');
const BARE = new RegExp(NUMBER_BEFORE + String.raw`(\d{3})(\d{2})(\d{4})` + NUMBER_AFTER, 'g');
/** The label, then at most three short words (`SSN on file is`, `social security no.:`). */
const SSN_LABEL = /\b(?:ssn|ss#|social\s+security(?:\s+(?:number|no\.?|#))?)\b[\s:#.=,-]*(?:[a-z]{1,8}[\s:#.=,-]+){0,3}$/i;
/** Long enough for `social security number on file is `. */
const LABEL_WINDOW = 48;

export const ssnScanner: EntityScanner = {
  maxLength: 11,
  scan(text, emit) {
    SEPARATED.lastIndex = 0;
    for (let match = SEPARATED.exec(text); match !== null; match = SEPARATED.exec(text)) {
      if (issued(match[1]!, match[3]!, match[4]!)) emit(match.index, match.index + match[0].length);
    }
    BARE.lastIndex = 0;
    for (let match = BARE.exec(text); match !== null; match = BARE.exec(text)) {
      if (issued(match[1]!, match[2]!, match[3]!) && labelledBefore(text, match.index, SSN_LABEL, LABEL_WINDOW)) {
        emit(match.index, match.index + match[0].length);
      }
    }
  },
};

function issued(area: string, group: string, serial: string): boolean {
  return area !== '000' && area !== '666' && area[0] !== '9' && group !== '00' && serial !== '0000';
}
