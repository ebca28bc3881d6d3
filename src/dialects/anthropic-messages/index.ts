import type { GatewayError } from '../../errors/gateway-error.js';
import type { ClientDialect } from '../types.js';
import { encodeMessage } from './encode-response.js';
import { parseCountTokensRequest, parseMessagesRequest } from './parse-request.js';
import { createAnthropicStreamEncoder } from './stream-encoder.js';
import { parseAnthropicEnvelope } from './envelope.js';
import { conversationOpening, nonEmptyString } from '../sticky.js';

export { parseCountTokensRequest };

/** The Anthropic error body: `{"type":"error","error":{"type","message"}}`. */
export function encodeAnthropicError(error: GatewayError): { type: 'error'; error: { type: string; message: string } } {
  return { type: 'error', error: { type: error.anthropicType, message: error.message } };
}

/** The answer to POST /v1/messages/count_tokens. */
export function encodeCountTokensResponse(inputTokens: number): { input_tokens: number } {
  return { input_tokens: inputTokens };
}

/** POST /v1/messages: Anthropic Messages requests in, Anthropic messages, SSE streams and errors out. */
export const anthropicMessagesDialect: ClientDialect = {
  name: 'anthropic-messages',
  parseEnvelope: parseAnthropicEnvelope,
  parseChatRequest: parseMessagesRequest,
  encodeChatResponse: encodeMessage,
  createStreamEncoder: createAnthropicStreamEncoder,
  encodeError: encodeAnthropicError,
  stickyIdentity: (body, kind) =>
    kind === 'user' ? nonEmptyString((body.metadata as { user_id?: unknown } | undefined)?.user_id) : conversationOpening(body),
};
