import type { Emit } from './scanner.js';

/** Three base64url segments; the header of every JSON Web Token starts `{"` = `eyJ`. */
const JWT = /(?<![\w-])eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*(?![\w-])/g;

/**
 * JSON Web Tokens: the first segment must decode to a JSON object with a string `alg`; a signature
 * is required unless `alg` is `none`. Tokens longer than `maxLength` are reported cut to it (what
 * is left of a cut token, part of its signature, is useless alone).
 */
export function scanJwts(text: string, emit: Emit, maxLength: number): void {
  if (!text.includes('eyJ')) return;
  JWT.lastIndex = 0;
  for (let match = JWT.exec(text); match !== null; match = JWT.exec(text)) {
    const token = match[0];
    const dot = token.indexOf('.');
    const alg = algorithmOf(token.slice(0, dot));
    if (alg === undefined) continue;
    const signature = token.slice(token.lastIndexOf('.') + 1);
    if (alg !== 'none' && signature.length < 16) continue;
    emit(match.index, match.index + Math.min(token.length, maxLength));
  }
}

function algorithmOf(header: string): string | undefined {
  if (header.length > 1024) return undefined;
  try {
    const decoded = atob(header.replaceAll('-', '+').replaceAll('_', '/').padEnd(Math.ceil(header.length / 4) * 4, '='));
    // Most look-alikes fail here, without the cost of a parse error.
    if (!decoded.includes('"alg"')) return undefined;
    const json: unknown = JSON.parse(decoded);
    if (typeof json === 'object' && json !== null && 'alg' in json && typeof json.alg === 'string') return json.alg;
  } catch {
    // not base64, or not JSON: not a JWT
  }
  return undefined;
}
