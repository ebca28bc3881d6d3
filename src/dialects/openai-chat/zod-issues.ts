import type { z } from 'zod';
import { GatewayError } from '../../errors/gateway-error.js';

type Issue = z.core.$ZodIssue;
type Path = ReadonlyArray<PropertyKey>;

/** Renders a request path the way clients write it: `messages[1].content[0].text`. */
export function formatPath(path: Path): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}

/**
 * Turns the first zod issue of a failed parse into `invalid_request` naming the field, e.g.
 * `messages[1].content: expected string or array of content parts`.
 */
export function issueToGatewayError(issues: readonly Issue[]): GatewayError {
  const issue = issues[0];
  if (issue === undefined) return new GatewayError('invalid_request', 'request body is invalid');
  const { path, message } = describeIssue(issue, []);
  const field = formatPath(path);
  return new GatewayError('invalid_request', field ? `${field}: ${message}` : message, field ? { param: field } : {});
}

function describeIssue(issue: Issue, prefix: Path): { path: Path; message: string } {
  const path = [...prefix, ...issue.path];
  switch (issue.code) {
    case 'invalid_union': {
      // Report the branch that matched the value's type and failed deeper inside it.
      const deeper = issue.errors.map((branch) => branch.find((inner) => inner.path.length > 0)).find((inner) => inner);
      if (deeper) return describeIssue(deeper, path);
      if (issue.discriminator !== undefined) {
        const options = 'options' in issue ? (issue.options ?? []) : [];
        const input = issue.input !== null && typeof issue.input === 'object' ? (issue.input as Record<string, unknown>) : {};
        const value = input[issue.discriminator];
        return { path, message: value === undefined ? `is required (${oneOf(options)})` : `expected ${oneOf(options)}, got ${JSON.stringify(value)}` };
      }
      return { path, message: issue.message };
    }
    case 'invalid_type':
      if (issue.input === undefined) return { path, message: 'is required' };
      if (issue.expected === 'int') return { path, message: `expected integer, got ${typeof issue.input === 'number' ? issue.input : typeName(issue.input)}` };
      return { path, message: `expected ${issue.expected}, got ${typeName(issue.input)}` };
    case 'too_small':
      if (issue.origin === 'array') return { path, message: issue.minimum === 1 ? 'must not be empty' : `must have at least ${issue.minimum} items` };
      if (issue.origin === 'string') return { path, message: issue.minimum === 1 ? 'must not be empty' : `must be at least ${issue.minimum} characters` };
      return { path, message: `must be ${issue.inclusive ? '>=' : '>'} ${issue.minimum}` };
    case 'too_big':
      if (issue.origin === 'array') return { path, message: `must have at most ${issue.maximum} items` };
      if (issue.origin === 'string') return { path, message: `must be at most ${issue.maximum} characters` };
      return { path, message: `must be ${issue.inclusive ? '<=' : '<'} ${issue.maximum}` };
    case 'invalid_value':
      return { path, message: `expected ${oneOf(issue.values)}, got ${JSON.stringify(issue.input)}` };
    default:
      return { path, message: issue.message };
  }
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function oneOf(values: readonly unknown[]): string {
  const quoted = values.map((value) => JSON.stringify(value));
  return quoted.length === 1 ? (quoted[0] ?? '') : `one of ${quoted.join(', ')}`;
}
