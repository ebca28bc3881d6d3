const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN = 0x7b;
const CLOSE = 0x7d;

/**
 * The object value of the last `"key": {...}` in a JSON text, parsed alone, without parsing the
 * whole body. Inside JSON strings a quote is always escaped, so an unescaped `"key"` is a real
 * key; providers put `usage` last in their answers, which is what this is for. Undefined when the
 * key is absent, its value is not an object, or the object does not parse.
 */
export function lastObjectForKey(body: Buffer, key: string): Record<string, unknown> | undefined {
  const needle = needleFor(key);
  const at = body.lastIndexOf(needle);
  if (at === -1) return undefined;
  let i = at + needle.length;
  while (i < body.length && (body[i] === 0x3a || body[i] === 0x20 || body[i] === 0x0a || body[i] === 0x0d || body[i] === 0x09)) i++;
  if (body[i] !== OPEN) return undefined;
  const start = i;
  let depth = 0;
  let inString = false;
  for (; i < body.length; i++) {
    const byte = body[i];
    if (inString) {
      if (byte === BACKSLASH) i++;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) inString = true;
    else if (byte === OPEN) depth++;
    else if (byte === CLOSE && --depth === 0) {
      try {
        return JSON.parse(body.toString('utf8', start, i + 1)) as Record<string, unknown>;
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/** `"key"` as bytes, encoded once per key rather than on every search. */
const needles = new Map<string, Buffer>();
function needleFor(key: string): Buffer {
  let needle = needles.get(key);
  if (!needle) {
    needle = Buffer.from(`"${key}"`);
    needles.set(key, needle);
  }
  return needle;
}
