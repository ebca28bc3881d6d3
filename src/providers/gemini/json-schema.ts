import type { JsonSchema } from '../../ir/chat.js';
import type { GeminiSchema } from './api-types.js';
import { inlineRef, isObject, mergeRaw, type RawSchema } from './json-schema-refs.js';

/**
 * Rewrites a client's JSON Schema into the OpenAPI-3.0 subset Gemini's `Schema` object accepts
 * (tool parameters and responseSchema). Gemini rejects unknown keywords (`$ref`, `$defs`,
 * `additionalProperties`, `$schema`, `const`, `oneOf`...), type lists, arrays without `items`,
 * objects without properties, non-string enums and most string formats, so each is rewritten
 * into the closest form it accepts, or dropped when it only constrained.
 */

/** Beyond this nesting (refs count as a level) a node becomes an unconstrained schema. */
const MAX_DEPTH = 32;
/** Caps the work on pathological schemas (references that fan out exponentially). */
const MAX_NODES = 10_000;

/** String formats the Gemini API accepts per type; anything else moves into the description. */
const FORMATS: Record<string, ReadonlySet<string>> = {
  string: new Set(['enum', 'date-time']),
  number: new Set(['float', 'double']),
  integer: new Set(['int32', 'int64']),
};

const TYPES = new Set(['string', 'number', 'integer', 'boolean', 'array', 'object', 'null']);

interface Context {
  root: RawSchema;
  /** `$ref`s being expanded on the current path: meeting one again means recursion. */
  refStack: string[];
  nodes: number;
}

/**
 * Converts any JSON Schema into a Gemini Schema. A schema that constrains nothing (including a
 * free-form object) comes back without `type`: Gemini reads that as "any value".
 */
export function toGeminiSchema(schema: JsonSchema): GeminiSchema {
  return convert(schema, { root: schema, refStack: ['#'], nodes: 0 }, 0);
}

/**
 * Tool parameters: an object schema with at least one property, or undefined when the tool
 * takes no (declared) arguments, because Gemini rejects an OBJECT without properties.
 */
export function toGeminiParameters(schema: JsonSchema): GeminiSchema | undefined {
  const converted = toGeminiSchema(schema);
  if (converted.type !== 'object' || !isObject(converted.properties)) return undefined;
  delete converted.nullable;
  return converted;
}

function convert(input: unknown, ctx: Context, depth: number): GeminiSchema {
  if (!isObject(input)) return {};
  ctx.nodes += 1;
  if (depth > MAX_DEPTH || ctx.nodes > MAX_NODES) return annotations(input);
  if (typeof input.$ref === 'string') return convertRef(input, ctx, depth);
  if (Array.isArray(input.allOf) && input.allOf.length > 0) return convertAllOf(input, ctx, depth);
  const union = Array.isArray(input.anyOf) ? input.anyOf : Array.isArray(input.oneOf) ? input.oneOf : undefined;
  if (union) return convertUnion(input, union, ctx, depth);
  if (Array.isArray(input.type)) return convertTypeList(input, input.type, ctx, depth);
  return convertPlain(input, ctx, depth);
}

function convertRef(input: RawSchema, ctx: Context, depth: number): GeminiSchema {
  const ref = input.$ref as string;
  const inlined = ctx.refStack.includes(ref) ? undefined : inlineRef(input, ctx.root);
  // A recursive or unresolvable reference cannot be written in Gemini's schema: accept any value there.
  if (!inlined) return annotations(input);
  ctx.refStack.push(ref);
  try {
    return convert(inlined, ctx, depth + 1);
  } finally {
    ctx.refStack.pop();
  }
}

function convertAllOf(input: RawSchema, ctx: Context, depth: number): GeminiSchema {
  const { allOf, ...base } = input;
  let merged: RawSchema = base;
  for (const branch of allOf as unknown[]) {
    if (!isObject(branch)) continue;
    const resolved = typeof branch.$ref === 'string' ? inlineRef(branch, ctx.root) : branch;
    if (resolved) merged = mergeRaw(merged, resolved);
  }
  return convert(merged, ctx, depth + 1);
}

function convertUnion(input: RawSchema, branches: unknown[], ctx: Context, depth: number): GeminiSchema {
  const { anyOf: _anyOf, oneOf: _oneOf, ...base } = input;
  const resolved = branches.map((branch) =>
    isObject(branch) && typeof branch.$ref === 'string' && !ctx.refStack.includes(branch.$ref) ? (inlineRef(branch, ctx.root) ?? branch) : branch,
  );
  const nullable = resolved.some(isNullSchema);
  const rest = resolved.filter((branch) => !isNullSchema(branch));
  const constraintsOnly = rest.every((branch) => isObject(branch) && !declaresShape(branch));
  let out: GeminiSchema;
  if (rest.length === 0 || constraintsOnly) {
    // `{type: object, anyOf: [{required: [a]}, {required: [b]}]}` only constrains: keep the base.
    out = convert(base, ctx, depth + 1);
  } else if (rest.length === 1) {
    out = convert(mergeRaw(base, rest[0] as RawSchema), ctx, depth + 1);
  } else {
    const converted = rest.map((branch) => convert(branch, ctx, depth + 1));
    out = annotations(base);
    // A branch that accepts anything makes the whole union accept anything.
    if (!converted.some(isUnconstrained)) out.anyOf = flattenUnions(converted);
  }
  if (nullable) out.nullable = true;
  return out;
}

function convertTypeList(input: RawSchema, types: unknown[], ctx: Context, depth: number): GeminiSchema {
  const named = [...new Set(types.filter((type): type is string => typeof type === 'string').map((type) => type.toLowerCase()))];
  const nullable = named.includes('null');
  const rest = named.filter((type) => type !== 'null' && TYPES.has(type));
  let out: GeminiSchema;
  if (rest.length === 0) {
    out = annotations(input);
  } else if (rest.length === 1) {
    out = convert({ ...input, type: rest[0] }, ctx, depth + 1);
  } else {
    // ["string", "number"] has no Gemini spelling: one anyOf branch per type, each with its keywords.
    out = annotations(input);
    out.anyOf = rest.map((type) => convert(keywordsFor(type, input), ctx, depth + 1));
  }
  if (nullable) out.nullable = true;
  return out;
}

function convertPlain(input: RawSchema, ctx: Context, depth: number): GeminiSchema {
  const notes: string[] = [];
  let values = 'const' in input ? [input.const] : Array.isArray(input.enum) ? input.enum : undefined;
  let nullable = input.nullable === true;
  if (values?.includes(null)) {
    nullable = true;
    values = values.filter((value) => value !== null);
  }
  let type = typeof input.type === 'string' ? input.type.toLowerCase() : inferType(input, values);
  if (type !== undefined && !TYPES.has(type)) type = undefined;
  if (type === 'null') nullable = true;

  const out = annotations(input);
  const typed: GeminiSchema = {};
  if (values !== undefined && values.length > 0) {
    if (values.every((value) => typeof value === 'string') && (type === undefined || type === 'string')) {
      type = 'string';
      typed.enum = values;
    } else {
      // Gemini enums are strings only: other literals are told to the model instead.
      notes.push(`Allowed values: ${values.map((value) => JSON.stringify(value)).join(', ')}.`);
    }
  }
  if (typeof input.format === 'string' && type !== undefined) {
    if (FORMATS[type]?.has(input.format)) typed.format = input.format;
    else notes.push(`Format: ${input.format}.`);
  }
  if (type === 'object') {
    const properties = convertProperties(input.properties, ctx, depth);
    if (properties) {
      typed.properties = properties;
      const required = Array.isArray(input.required) ? input.required.filter((name) => typeof name === 'string' && name in properties) : [];
      if (required.length > 0) typed.required = [...new Set(required)];
      copyNumbers(input, typed, ['minProperties', 'maxProperties']);
    } else {
      type = undefined; // A free-form object (no properties, maybe additionalProperties) accepts any value.
    }
  } else if (type === 'array') {
    typed.items = convertItems(input, ctx, depth);
    copyNumbers(input, typed, ['minItems', 'maxItems']);
  } else if (type === 'string') {
    copyNumbers(input, typed, ['minLength', 'maxLength']);
    if (typeof input.pattern === 'string') typed.pattern = input.pattern;
  } else if (type === 'number' || type === 'integer') {
    copyNumbers(input, typed, ['minimum', 'maximum']);
  }

  if (notes.length > 0) out.description = [out.description, ...notes].filter(Boolean).join(' ');
  const result: GeminiSchema = type !== undefined && type !== 'null' ? { type, ...out } : out;
  if (nullable) result.nullable = true;
  return Object.assign(result, typed);
}

function convertProperties(properties: unknown, ctx: Context, depth: number): GeminiSchema | undefined {
  if (!isObject(properties)) return undefined;
  const entries = Object.entries(properties);
  if (entries.length === 0) return undefined;
  const out: GeminiSchema = {};
  for (const [name, schema] of entries) out[name] = convert(schema, ctx, depth + 1);
  return out;
}

/** Every Gemini ARRAY needs `items`; tuples (`prefixItems`, array `items`) become a union of their members. */
function convertItems(input: RawSchema, ctx: Context, depth: number): GeminiSchema {
  const tuple = Array.isArray(input.prefixItems) ? input.prefixItems : Array.isArray(input.items) ? input.items : undefined;
  if (tuple) {
    const members = uniqueSchemas(tuple.map((member) => convert(member, ctx, depth + 1)));
    if (members.length === 1) return members[0]!;
    if (members.length === 0 || members.some(isUnconstrained)) return {};
    return { anyOf: members };
  }
  return convert(input.items, ctx, depth + 1);
}

/** The keywords of a multi-type schema that apply to one of its types. */
function keywordsFor(type: string, input: RawSchema): RawSchema {
  const byType: Record<string, string[]> = {
    object: ['properties', 'required', 'additionalProperties', 'minProperties', 'maxProperties'],
    array: ['items', 'prefixItems', 'minItems', 'maxItems'],
    string: ['minLength', 'maxLength', 'pattern', 'format'],
    number: ['minimum', 'maximum', 'format'],
    integer: ['minimum', 'maximum', 'format'],
  };
  const out: RawSchema = { type };
  for (const key of byType[type] ?? []) if (key in input) out[key] = input[key];
  const values = Array.isArray(input.enum) ? input.enum : 'const' in input ? [input.const] : undefined;
  const matching = values?.filter((value) => literalType(value) === type || (type === 'number' && literalType(value) === 'integer'));
  if (matching && matching.length > 0) out.enum = matching;
  return out;
}

function inferType(input: RawSchema, values: unknown[] | undefined): string | undefined {
  if (isObject(input.properties)) return 'object';
  if (input.items !== undefined || Array.isArray(input.prefixItems)) return 'array';
  if (values && values.length > 0) {
    const types = new Set(values.map(literalType));
    if (types.size === 1) return [...types][0];
    if ([...types].every((type) => type === 'integer' || type === 'number')) return 'number';
  }
  return undefined;
}

function literalType(value: unknown): string {
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  return typeof value;
}

/** The keywords that describe without constraining, kept wherever a node is simplified. */
function annotations(input: RawSchema): GeminiSchema {
  const out: GeminiSchema = {};
  if (typeof input.title === 'string') out.title = input.title;
  if (typeof input.description === 'string') out.description = input.description;
  return out;
}

function copyNumbers(input: RawSchema, out: GeminiSchema, keys: string[]): void {
  for (const key of keys) if (typeof input[key] === 'number') out[key] = input[key];
}

function isNullSchema(schema: unknown): boolean {
  if (!isObject(schema)) return false;
  if (schema.type === 'null') return true;
  if (Array.isArray(schema.type) && schema.type.length > 0 && schema.type.every((type) => type === 'null')) return true;
  return 'const' in schema ? schema.const === null : Array.isArray(schema.enum) && schema.enum.length > 0 && schema.enum.every((value) => value === null);
}

/** Whether a union branch says what a value is (rather than only adding constraints to the base). */
function declaresShape(branch: RawSchema): boolean {
  return ['type', 'properties', 'items', 'enum', 'const', '$ref', 'anyOf', 'oneOf', 'allOf'].some((key) => key in branch);
}

function isUnconstrained(schema: GeminiSchema): boolean {
  return Object.keys(schema).every((key) => key === 'title' || key === 'description' || key === 'nullable');
}

/** `anyOf: [A, {anyOf: [B, C]}]` → `anyOf: [A, B, C]` when the inner union carries nothing else. */
function flattenUnions(branches: GeminiSchema[]): GeminiSchema[] {
  return uniqueSchemas(
    branches.flatMap((branch) =>
      Array.isArray(branch.anyOf) && Object.keys(branch).every((key) => key === 'anyOf') ? (branch.anyOf as GeminiSchema[]) : [branch],
    ),
  );
}

function uniqueSchemas(schemas: GeminiSchema[]): GeminiSchema[] {
  const seen = new Set<string>();
  return schemas.filter((schema) => {
    const key = JSON.stringify(schema);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
