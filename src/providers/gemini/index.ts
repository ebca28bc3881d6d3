import { headerAuth } from '../../upstream/auth.js';
import type { Provider, ProviderConfig, ProviderType, UpstreamRequest } from '../types.js';
import { toGenerateContentRequest } from './build-request.js';
import { toBatchEmbedRequest, toEmbeddingsResponse } from './embeddings.js';
import { parseGeminiError } from './errors.js';
import { toChatResponse } from './parse-response.js';
import { createGeminiStreamDecoder } from './stream-decoder.js';

/**
 * Google's Gemini API (generativelanguage, v1beta): generateContent, streamGenerateContent over
 * SSE and batchEmbedContents, authenticated with `x-goog-api-key`. No client dialect is native,
 * so every request is translated.
 */
export function createGeminiProvider(config: ProviderConfig): Provider {
  // GOOGLE_API_KEY is what Google's own SDKs read second; GEMINI_API_KEY came in through the config.
  const apiKey = config.apiKey || process.env.GOOGLE_API_KEY || undefined;
  const versionRoot = apiVersionRoot(config.baseUrl);
  const headers = (): Record<string, string> => ({
    'content-type': 'application/json',
    ...headerAuth('x-goog-api-key', apiKey),
    ...config.headers,
  });
  const post = (model: string, method: string, body: unknown, query = ''): UpstreamRequest => ({
    url: `${versionRoot}/${modelPath(model)}:${method}${query}`,
    method: 'POST',
    headers: headers(),
    body: JSON.stringify(body),
  });

  return {
    config,
    buildChatRequest(request, upstreamModel) {
      const body = toGenerateContentRequest(request, upstreamModel);
      return request.stream ? post(upstreamModel, 'streamGenerateContent', body, '?alt=sse') : post(upstreamModel, 'generateContent', body);
    },
    parseChatResponse: (body, upstreamModel) => toChatResponse(body, upstreamModel, config.name),
    createStreamDecoder: (upstreamModel) => createGeminiStreamDecoder(upstreamModel, config.name),
    parseError: (status, responseHeaders, body) => parseGeminiError(config.name, status, responseHeaders, body),
    buildEmbeddingsRequest: (request, upstreamModel) => post(upstreamModel, 'batchEmbedContents', toBatchEmbedRequest(request, upstreamModel)),
    parseEmbeddingsResponse: (body: unknown, upstreamModel: string) => toEmbeddingsResponse(body, upstreamModel, config.name),
  };
}

/**
 * `base_url` is the API root (https://generativelanguage.googleapis.com); a URL that already ends
 * in an API version (…/v1beta, …/v1) is used as given, as some SDKs configure it that way.
 */
function apiVersionRoot(baseUrl: string): string {
  const trimmed = baseUrl.replace(/\/+$/, '');
  return /\/v1(alpha|beta)?\d*$/.test(trimmed) ? trimmed : `${trimmed}/v1beta`;
}

/** `models/{id}` for a bare id; ids already naming a collection (`models/x`, `tunedModels/x`) stay. */
function modelPath(model: string): string {
  return model.includes('/') ? model : `models/${model}`;
}

/** The `gemini` provider type: API root as default base URL, key from GEMINI_API_KEY (or GOOGLE_API_KEY). */
export const geminiProviderType: ProviderType = {
  type: 'gemini',
  create: createGeminiProvider,
  defaultBaseUrl: 'https://generativelanguage.googleapis.com',
  apiKeyEnv: 'GEMINI_API_KEY',
};
