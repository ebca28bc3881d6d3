/**
 * JSON Schema reference helpers for the Gemini schema rewriter: JSON-pointer `$ref` lookup and
 * the raw merge used to fold `allOf` branches and `$ref` siblings into one schema.
 */

export type RawSchema = Record<string, unknown>;

/** True for plain JSON objects (not arrays, not null). */
export function isObject(value: unknown): value is RawSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Resolves a local `$ref` (`#`, `#/$defs/X`, `#/definitions/X`, `#/properties/a/items`...) against
 * the root schema; undefined for external or anchor references and for pointers that lead nowhere.
 */
export function resolveRef(root: RawSchema, ref: string): RawSchema | undefined {
  if (ref === '#') return root;
  if (!ref.startsWith('#/')) return undefined;
  let node: unknown = root;
  for (const raw of ref.slice(2).split('/')) {
    const key = decodePointerToken(raw);
    if (isObject(node)) node = node[key];
    else if (Array.isArray(node) && /^\d+$/.test(key)) node = node[Number(key)];
    else return undefined;
  }
  return isObject(node) ? node : undefined;
}

function decodePointerToken(token: string): string {
  let decoded = token;
  try {
    decoded = decodeURIComponent(token);
  } catch {
    // Not percent-encoded after all: use it as written.
  }
  return decoded.replace(/~1/g, '/').replace(/~0/g, '~');
}

/**
 * Folds `extra` into `base` the way `allOf` means it: properties and required lists are united,
 * every other keyword keeps the value `base` already had.
 */
export function mergeRaw(base: RawSchema, extra: RawSchema): RawSchema {
  const out: RawSchema = { ...base };
  for (const [key, value] of Object.entries(extra)) {
    if (key === 'properties' && isObject(value)) {
      out.properties = { ...(isObject(out.properties) ? out.properties : {}), ...value };
    } else if (key === 'required' && Array.isArray(value)) {
      const current = Array.isArray(out.required) ? out.required : [];
      out.required = [...new Set([...current, ...value])];
    } else if (!(key in out)) {
      out[key] = value;
    }
  }
  return out;
}

/** A `$ref` node with its target folded in (the node's own sibling keywords win); undefined when unresolvable. */
export function inlineRef(node: RawSchema, root: RawSchema): RawSchema | undefined {
  const target = resolveRef(root, node.$ref as string);
  if (!target) return undefined;
  const { $ref: _ref, ...siblings } = node;
  return mergeRaw(siblings, target);
}
