import { GatewayError } from '../errors/gateway-error.js';

/**
 * What the gateway must know of every chat request before routing: the model, whether to stream,
 * whether the client wants stream usage. Cheap to read; the full IR is parsed only when a
 * translation or a policy needs it (same-format pairs pass the client's bytes through).
 */
export interface RequestEnvelope {
  model: string;
  stream: boolean;
  streamUsage: boolean;
}

const invalid = (param: string, message: string): GatewayError => new GatewayError('invalid_request', `${param}: ${message}`, { param });

/** `model`: a non-empty string. */
export function requireModel(body: Record<string, unknown>): string {
  const model = body.model;
  if (model === undefined) throw invalid('model', 'required');
  if (typeof model !== 'string' || model === '') throw invalid('model', 'expected a non-empty string');
  return model;
}

/** `messages`: a non-empty array (its items are checked by the full parse or by the provider). */
export function requireMessages(body: Record<string, unknown>): void {
  const messages = body.messages;
  if (messages === undefined) throw invalid('messages', 'required');
  if (!Array.isArray(messages)) throw invalid('messages', 'expected an array of messages');
  if (messages.length === 0) throw invalid('messages', 'must contain at least one message');
}

/** An optional boolean field. */
export function optionalBoolean(body: Record<string, unknown>, field: string): boolean {
  const value = body[field];
  if (value === undefined || value === null) return false;
  if (typeof value !== 'boolean') throw invalid(field, 'expected a boolean');
  return value;
}
