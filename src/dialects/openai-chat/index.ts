import type { ClientDialect, EmbeddingsDialect } from '../types.js';
import { parseChatRequest } from './parse-chat-request.js';
import { parseOpenAIEnvelope } from './envelope.js';
import { encodeChatResponse } from './encode-response.js';
import { createOpenAIStreamEncoder } from './stream-encoder.js';
import { encodeError } from './encode-error.js';
import { encodeEmbeddingsResponse, parseEmbeddingsRequest } from './embeddings.js';
import { conversationOpening, nonEmptyString } from '../sticky.js';

/** The OpenAI Chat Completions (and Embeddings) API as served to clients. */
export const openaiChatDialect: ClientDialect & EmbeddingsDialect = {
  name: 'openai-chat',
  parseEnvelope: parseOpenAIEnvelope,
  parseChatRequest,
  encodeChatResponse,
  createStreamEncoder: createOpenAIStreamEncoder,
  encodeError,
  stickyIdentity: (body, kind) => (kind === 'user' ? nonEmptyString(body.user) : conversationOpening(body)),
  parseEmbeddingsRequest,
  encodeEmbeddingsResponse,
};
