import type { ChatRequest } from '../../ir/chat.js';
import { GatewayError } from '../../errors/gateway-error.js';
import { headerAuth } from '../../upstream/auth.js';
import type { Provider, ProviderConfig, ProviderType, UpstreamHeaders, UpstreamRequest } from '../types.js';
import { parseAnthropicError } from './anthropic-error.js';
import { buildMessagesBody } from './build-messages-body.js';
import { parseMessagesResponse } from './parse-messages-response.js';
import { createAnthropicStreamDecoder } from './stream-decoder.js';
import { createAnthropicStreamObserver } from './stream-observer.js';
import { lastObjectForKey } from '../../protocol/json-scan.js';
import { emptyUsageTotals, mergeUsage, toIrUsage } from './map-anthropic-usage.js';
import type { AnthropicWireUsage } from './anthropic-api-types.js';

/** The API version sent unless a pass-through client names its own. */
export const ANTHROPIC_VERSION = '2023-06-01';

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(',') : value;
}

function post(config: ProviderConfig, path: string, body: string | Uint8Array, extraHeaders: Record<string, string> = {}): UpstreamRequest {
  return {
    url: `${config.baseUrl}${path}`,
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'anthropic-version': ANTHROPIC_VERSION,
      ...extraHeaders,
      ...config.headers,
      ...headerAuth('x-api-key', config.apiKey),
    },
    body,
  };
}

/** count_tokens takes the conversation, tools and thinking, but no generation settings. */
function countTokensBody(request: ChatRequest, upstreamModel: string): string {
  const full = buildMessagesBody({ ...request, stream: false }, upstreamModel);
  const { model, messages, system, tools, tool_choice, thinking } = full;
  return JSON.stringify({ model, messages, system, tools, tool_choice, thinking });
}

/** A provider for Anthropic's Messages API (x-api-key auth, anthropic-version 2023-06-01). */
export function createAnthropicProvider(config: ProviderConfig): Provider {
  return {
    config,
    nativeDialect: 'anthropic-messages',
    buildChatRequest: (request, upstreamModel) => post(config, '/v1/messages', JSON.stringify(buildMessagesBody(request, upstreamModel))),
    buildPassthroughRequest(body, _stream, _upstreamModel, clientHeaders: UpstreamHeaders) {
      // The client's API version and beta opt-ins describe its body, so they travel with it.
      const forwarded: Record<string, string> = {};
      const version = headerValue(clientHeaders['anthropic-version']);
      const beta = headerValue(clientHeaders['anthropic-beta']);
      if (version) forwarded['anthropic-version'] = version;
      if (beta) forwarded['anthropic-beta'] = beta;
      return post(config, '/v1/messages', body, forwarded);
    },
    parseUsage(body) {
      const usage = lastObjectForKey(body, 'usage') as AnthropicWireUsage | undefined;
      if (!usage) return undefined;
      const totals = emptyUsageTotals();
      mergeUsage(totals, usage);
      return toIrUsage(totals);
    },
    parseChatResponse: parseMessagesResponse,
    createStreamObserver: () => createAnthropicStreamObserver(config.name),
    createStreamDecoder: () => createAnthropicStreamDecoder(config.name),
    parseError: (status, headers, body) => parseAnthropicError(config.name, status, headers, body),
    buildCountTokensRequest: (request, upstreamModel) => post(config, '/v1/messages/count_tokens', countTokensBody(request, upstreamModel)),
    parseCountTokensResponse(body) {
      const count = (body as { input_tokens?: unknown } | null)?.input_tokens;
      if (typeof count !== 'number') throw new GatewayError('upstream_invalid_response', `${config.name}: count_tokens answer has no input_tokens`);
      return count;
    },
  };
}

/** The `anthropic` provider type: api.anthropic.com, key from ANTHROPIC_API_KEY. */
export const anthropicProviderType: ProviderType = {
  type: 'anthropic',
  create: createAnthropicProvider,
  defaultBaseUrl: 'https://api.anthropic.com',
  apiKeyEnv: 'ANTHROPIC_API_KEY',
};
