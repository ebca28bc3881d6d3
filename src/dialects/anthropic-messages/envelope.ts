import { GatewayError } from '../../errors/gateway-error.js';
import { optionalBoolean, requireMessages, requireModel, type RequestEnvelope } from '../envelope.js';

/** The routing envelope of a Messages body: model, messages present, max_tokens (required by the API), stream. */
export function parseAnthropicEnvelope(body: Record<string, unknown>): RequestEnvelope {
  const model = requireModel(body);
  requireMessages(body);
  const maxTokens = body.max_tokens;
  if (maxTokens === undefined) throw new GatewayError('invalid_request', 'max_tokens: required', { param: 'max_tokens' });
  if (typeof maxTokens !== 'number' || !Number.isInteger(maxTokens) || maxTokens < 1) {
    throw new GatewayError('invalid_request', 'max_tokens: expected a positive integer', { param: 'max_tokens' });
  }
  const stream = optionalBoolean(body, 'stream');
  // Anthropic streams always end with usage (message_delta); there is no opt-in.
  return { model, stream, streamUsage: stream };
}
