import { characterClasses } from './chars.js';
import type { Emit } from './scanner.js';

/** `scheme://user:password@host`: the password (group 1) of a URL's user info. */
const URL_USER_INFO = /\b[A-Za-z][A-Za-z0-9+.-]{1,20}:\/\/[^\s:@/]{1,64}:([^\s:@/]{1,128})@/g;
/** Defaults and templates (`postgres:postgres`, `:${DB_PASSWORD}`, `:<password>`), which are not secrets. */
const NOT_A_SECRET = /^(?:password|passwd|pass|secret|changeme|admin|root|guest|postgres|test|example|x+|\*+)$|\$\{|\{\{|%[({]|[<>]/i;

/**
 * Passwords in URLs (`DATABASE_URL=postgres://app:S3cr3t...@db/app`). The slot itself is strong
 * evidence, so 8 characters of two or more classes are enough, short of the 20 a named secret needs.
 */
export function scanUrlCredentials(text: string, emit: Emit): void {
  if (!text.includes('://')) return;
  URL_USER_INFO.lastIndex = 0;
  for (let match = URL_USER_INFO.exec(text); match !== null; match = URL_USER_INFO.exec(text)) {
    const password = match[1]!;
    if (password.length < 8 || NOT_A_SECRET.test(password) || characterClasses(password).count < 2) continue;
    const end = match.index + match[0].length - 1;
    emit(end - password.length, end);
  }
}
