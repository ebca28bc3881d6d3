import type { Provider, ProviderConfig, UpstreamRequest } from '../types.js';
import type { OpenAIFlavor } from './flavor.js';
import { convertChatRequest } from './convert-request.js';
import { parseChatCompletion } from './parse-response.js';
import { createOpenAIStreamDecoder } from './stream-decoder.js';
import { createOpenAIStreamObserver } from './stream-observer.js';
import { withIncludeUsage } from './stream-usage.js';
import { parseOpenAIError } from './parse-error.js';
import { convertEmbeddingsRequest, parseEmbeddingsResponse } from './embeddings.js';
import { mapUsage } from './map-usage.js';
import { lastObjectForKey } from '../../protocol/json-scan.js';
import type { OpenAIUsage } from './api-types.js';

/** Creates an OpenAI-family provider: one translator, with the flavor supplying URL, auth and field quirks. */
export function createOpenAIFamilyProvider(config: ProviderConfig, flavor: OpenAIFlavor): Provider {
  // Built once: the headers are the same for every request of this provider (undici only reads them).
  const headersFor = (accept: string): Record<string, string> => ({
    'content-type': 'application/json',
    accept,
    ...flavor.auth(config),
    ...config.headers,
  });
  const streamHeaders = headersFor('text/event-stream');
  const jsonHeaders = headersFor('application/json');
  const post = (endpoint: 'chat/completions' | 'embeddings', upstreamModel: string, body: string | Uint8Array, stream: boolean): UpstreamRequest => ({
    url: flavor.url(config, endpoint, upstreamModel),
    method: 'POST',
    headers: stream ? streamHeaders : jsonHeaders,
    body,
  });
  return {
    config,
    nativeDialect: 'openai-chat',
    buildChatRequest: (request, upstreamModel) =>
      post('chat/completions', upstreamModel, JSON.stringify(convertChatRequest(request, upstreamModel, flavor)), request.stream),
    buildPassthroughRequest: (body, stream, upstreamModel) => post('chat/completions', upstreamModel, body, stream),
    parseUsage: (body) => {
      const usage = lastObjectForKey(body, 'usage') as OpenAIUsage | undefined;
      return usage ? mapUsage(usage) : undefined;
    },
    parseChatResponse: (body, upstreamModel) => parseChatCompletion(body, upstreamModel, config.name),
    createStreamObserver: (options) => createOpenAIStreamObserver(config.name, options),
    ...(flavor.streamOptions && { withStreamUsage: withIncludeUsage }),
    createStreamDecoder: () => createOpenAIStreamDecoder(config.name),
    parseError: (status, headers, body) => parseOpenAIError(config.name, status, headers, body),
    buildEmbeddingsRequest: (request, upstreamModel) =>
      post('embeddings', upstreamModel, JSON.stringify(convertEmbeddingsRequest(request, upstreamModel)), false),
    parseEmbeddingsResponse: (body, upstreamModel) => parseEmbeddingsResponse(body, upstreamModel, config.name),
  };
}
