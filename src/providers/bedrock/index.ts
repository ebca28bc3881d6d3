import type { ChatRequest, ChatResponse, EmbeddingsRequest, EmbeddingsResponse } from '../../ir/chat.js';
import type { StreamDecoder } from '../../ir/stream.js';
import type { GatewayError } from '../../errors/gateway-error.js';
import { createSigV4Signer, type SigV4Signer } from '../../upstream/sigv4.js';
import type { Provider, ProviderConfig, ProviderType, UpstreamHeaders, UpstreamRequest } from '../types.js';
import { convertRequest } from './convert-request.js';
import { buildTitanEmbeddingsBody, parseTitanEmbeddingsResponse } from './embeddings.js';
import { parseBedrockError } from './errors.js';
import { parseConverseResponse } from './parse-response.js';
import { defaultBedrockBaseUrl, resolveBedrockSettings, type Env } from './settings.js';
import { createConverseStreamDecoder } from './stream-decoder.js';

/** The SigV4 signing name of bedrock-runtime (its endpoint prefix differs). */
const SIGNING_SERVICE = 'bedrock';

/**
 * Encodes a model id for the path the way the AWS SDK does for a non-greedy label: every reserved
 * character, `:` and `/` included (ARNs, `...-v2:0`), plus `!'()*`.
 */
export function encodeModelId(modelId: string): string {
  return encodeURIComponent(modelId).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** A Bedrock provider: Converse / ConverseStream for chat, InvokeModel (Titan) for embeddings. */
class BedrockProvider implements Provider {
  constructor(
    readonly config: ProviderConfig,
    private readonly signer: SigV4Signer,
  ) {}

  async buildChatRequest(request: ChatRequest, upstreamModel: string): Promise<UpstreamRequest> {
    const body = JSON.stringify(convertRequest(request, upstreamModel));
    const action = request.stream ? 'converse-stream' : 'converse';
    const accept = request.stream ? 'application/vnd.amazon.eventstream' : 'application/json';
    return this.signedPost(this.modelUrl(upstreamModel, action), body, accept);
  }

  parseChatResponse(body: unknown, upstreamModel: string): ChatResponse {
    return parseConverseResponse(body, upstreamModel);
  }

  createStreamDecoder(upstreamModel: string): StreamDecoder {
    return createConverseStreamDecoder(this.config.name, upstreamModel);
  }

  parseError(status: number, headers: UpstreamHeaders, body: string): GatewayError {
    return parseBedrockError(this.config.name, status, headers, body);
  }

  async buildEmbeddingsRequest(request: EmbeddingsRequest, upstreamModel: string): Promise<UpstreamRequest> {
    const body = JSON.stringify(buildTitanEmbeddingsBody(request, upstreamModel));
    return this.signedPost(this.modelUrl(upstreamModel, 'invoke'), body, 'application/json');
  }

  parseEmbeddingsResponse(body: unknown, upstreamModel: string): EmbeddingsResponse {
    return parseTitanEmbeddingsResponse(body, upstreamModel);
  }

  private modelUrl(modelId: string, action: string): string {
    return `${this.config.baseUrl}/model/${encodeModelId(modelId)}/${action}`;
  }

  /** Signs for the host actually called (base_url may be a VPC endpoint or a proxy). */
  private async signedPost(url: string, body: string, accept: string): Promise<UpstreamRequest> {
    const headers = await this.signer.sign({
      method: 'POST',
      url,
      headers: { ...this.config.headers, 'content-type': 'application/json', accept },
      body,
    });
    return { url, method: 'POST', headers, body };
  }
}

/** Creates a Bedrock provider; `env` is where the AWS_* fallbacks are read (process.env by default). */
export function createBedrockProvider(config: ProviderConfig, env: Env = process.env): Provider {
  const { settings, problems } = resolveBedrockSettings(config, env);
  if (!settings) {
    throw new Error(`bedrock provider "${config.name}": ${problems.map((problem) => `${problem.field}: ${problem.message}`).join('; ')}`);
  }
  const signer = createSigV4Signer({ region: settings.region, service: SIGNING_SERVICE, credentials: settings.credentials });
  return new BedrockProvider(config, signer);
}

export const bedrockProviderType: ProviderType = {
  type: 'bedrock',
  create: (config) => createBedrockProvider(config),
  defaultBaseUrl: (config) => defaultBedrockBaseUrl(config),
  // No apiKeyEnv: credentials are an AWS key pair (plus region), resolved in settings.ts.
  validate: (config) => resolveBedrockSettings(config, process.env).problems,
  discover(env) {
    const probe: ProviderConfig = { name: 'bedrock', type: 'bedrock', baseUrl: '', headers: {}, timeoutMs: 1 };
    const { settings } = resolveBedrockSettings(probe, env);
    return settings ? { type: 'bedrock', region: settings.region } : undefined;
  },
};
