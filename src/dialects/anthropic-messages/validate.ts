import type { z } from 'zod';
import { GatewayError } from '../../errors/gateway-error.js';

export type FieldPath = ReadonlyArray<PropertyKey>;

/** Formats a path the way error messages name fields: `messages[2].content[0].text`. */
export function formatPath(path: FieldPath): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? 'body' : out;
}

/** A 400 `invalid_request` naming the field at fault. */
export function invalidField(path: FieldPath, problem: string): GatewayError {
  const param = formatPath(path);
  return new GatewayError('invalid_request', `${param}: ${problem}`, { param });
}

/** A 400 `unsupported_feature` naming the field the gateway cannot translate. */
export function unsupportedField(path: FieldPath, problem: string): GatewayError {
  const param = formatPath(path);
  return new GatewayError('unsupported_feature', `${param}: ${problem}`, { param });
}

/**
 * Validates `value` with `schema`; the first problem becomes an `invalid_request` GatewayError
 * whose message and `param` name the field under `prefix`.
 */
export function parseOrThrow<Schema extends z.ZodType>(schema: Schema, value: unknown, prefix: FieldPath = []): z.output<Schema> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (!issue) throw invalidField(prefix, 'invalid value');
  throw invalidField([...prefix, ...issue.path], describeIssue(issue));
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type' && issue.message.endsWith('received undefined')) return 'field required';
  if (issue.code === 'unrecognized_keys') return `unknown field(s) ${issue.keys.map((key) => `"${key}"`).join(', ')}`;
  return issue.message.replace(/^Invalid input: /, '');
}
