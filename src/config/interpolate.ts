/**
 * `${VAR}` and `${VAR:-default}` in string values, resolved after YAML parsing so a value can
 * never change the document's structure. An unset variable without a default becomes ''; the
 * schema treats '' as "not given" for optional secrets. `$${` escapes a literal `${`.
 */
const PATTERN = /\$(\$)?\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

export function interpolateString(value: string, env: NodeJS.ProcessEnv): string {
  if (!value.includes('${')) return value;
  return value.replace(PATTERN, (match, escaped: string | undefined, name: string, fallback: string | undefined) => {
    if (escaped) return match.slice(1);
    const found = env[name];
    if (found !== undefined && found !== '') return found;
    return fallback ?? '';
  });
}

/** Returns a copy of `node` with every string interpolated (keys are left as written). */
export function interpolate(node: unknown, env: NodeJS.ProcessEnv): unknown {
  if (typeof node === 'string') return interpolateString(node, env);
  if (Array.isArray(node)) return node.map((item) => interpolate(item, env));
  if (node !== null && typeof node === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node)) out[key] = interpolate(value, env);
    return out;
  }
  return node;
}
