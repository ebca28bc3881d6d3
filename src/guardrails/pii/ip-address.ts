import { isAsciiLetter, isDigit, isLetterOrDigit } from './chars.js';
import type { EntityScanner } from './scanner.js';

// IPv4: a dotted quad of octets 0-255 written without leading zeros (`192.168.01.1` is ambiguous:
// octal to some parsers), not part of a longer dotted run (OIDs, 5-part versions) and not a version:
// after `v`, `version`, `build`, `release`, `section`, or a product token like `Chrome/120.0.0.0`.
const IPV4 = /(?<![\w.])(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?![\w]|\.\d)/g;
const VERSION_CONTEXT = /(?:\bv|version|\bver|\brelease|\bbuild|\bsection|\bchapter|§)[\s:=("'#]*$/i;
const CONTEXT_WINDOW = 24;

const IPV6_MAX = 45;

export const ipAddressScanner: EntityScanner = {
  maxLength: IPV6_MAX,
  scan(text, emit) {
    IPV4.lastIndex = 0;
    for (let match = IPV4.exec(text); match !== null; match = IPV4.exec(text)) {
      if (match.slice(1).every((octet) => validOctet(octet!)) && !versionLike(text, match.index)) emit(match.index, match.index + match[0].length);
    }
    scanIpv6(text, emit);
  },
};

function validOctet(octet: string): boolean {
  return (octet.length === 1 || octet[0] !== '0') && Number(octet) <= 255;
}

function versionLike(text: string, start: number): boolean {
  const before = text.charCodeAt(start - 1);
  // `foo-1.2.3.4`, `Chrome/120.0.0.0`: a product's version. (`10.0.0.1-10.0.0.9` is a range.)
  if ((before === 45 || before === 47 || before === 95) && isAsciiLetter(text.charCodeAt(start - 2))) return true;
  return VERSION_CONTEXT.test(text.slice(Math.max(0, start - CONTEXT_WINDOW), start));
}

function isHex(code: number): boolean {
  return isDigit(code) || (code >= 65 && code <= 70) || (code >= 97 && code <= 102);
}

function isIpv6Char(code: number): boolean {
  return isHex(code) || code === 58 || code === 46;
}

/**
 * IPv6 candidates are the maximal runs of hex digits, `:` and `.` that hold a `:`; the parser
 * decides. Each character is visited at most twice: runs are skipped whole.
 */
function scanIpv6(text: string, emit: (start: number, end: number) => void): void {
  let from = 0;
  for (let colon = text.indexOf(':'); colon !== -1; colon = text.indexOf(':', from)) {
    let start = colon;
    while (start > from && isIpv6Char(text.charCodeAt(start - 1))) start--;
    let end = colon + 1;
    while (end < text.length && isIpv6Char(text.charCodeAt(end))) end++;
    from = end;
    // An IPv4 tail's dots belong to the address; a leading dot or a sentence's period does not.
    while (start < colon && text.charCodeAt(start) === 46) start++;
    while (end > colon + 1 && text.charCodeAt(end - 1) === 46) end--;
    if (text.charCodeAt(end - 1) === 58 && text.charCodeAt(end - 2) !== 58) end--;
    if (end - start > IPV6_MAX || end - start < 2) continue;
    const before = text.charCodeAt(start - 1);
    const after = text.charCodeAt(end);
    if ((start > 0 && isLetterOrDigit(before)) || (end < text.length && isLetterOrDigit(after))) continue;
    if (isIpv6(text.slice(start, end))) emit(start, end);
  }
}

/**
 * Full (8 groups) or compressed (one `::`, fewer groups) form, an IPv4 tail allowed. Not a time
 * (`12:30:45`: 3 groups), not a MAC or fingerprint (colon-separated pairs without `::`), not a
 * path like `std::io` or `a::b` (at least one group must hold a digit).
 */
export function isIpv6(candidate: string): boolean {
  const compressed = candidate.indexOf('::');
  if (compressed !== candidate.lastIndexOf('::') || candidate.includes(':::')) return false;
  const parts = compressed < 0 ? [candidate] : [candidate.slice(0, compressed), candidate.slice(compressed + 2)];
  let groups = 0;
  let hasDigit = false;
  let allPairs = true;
  for (const [index, part] of parts.entries()) {
    if (part === '') continue;
    const fields = part.split(':');
    for (const [fieldIndex, field] of fields.entries()) {
      const last = index === parts.length - 1 && fieldIndex === fields.length - 1;
      if (last && field.includes('.')) {
        if (!isIpv4(field)) return false;
        groups += 2;
        hasDigit = true;
        allPairs = false;
        continue;
      }
      if (!/^[0-9A-Fa-f]{1,4}$/.test(field)) return false;
      groups++;
      if (/\d/.test(field)) hasDigit = true;
      if (field.length !== 2) allPairs = false;
    }
  }
  if (!hasDigit) return false;
  if (compressed < 0) return groups === 8 && !allPairs;
  return groups >= 1 && groups <= 7;
}

function isIpv4(text: string): boolean {
  const octets = text.split('.');
  return octets.length === 4 && octets.every((octet) => /^\d{1,3}$/.test(octet) && validOctet(octet));
}
