import type { EmbeddingsRequest, EmbeddingsResponse } from '../../ir/chat.js';
import { GatewayError } from '../../errors/gateway-error.js';

/**
 * Embeddings through InvokeModel, for Amazon Titan text embedding models only: each model family on
 * Bedrock has its own InvokeModel body, and Titan's is `{inputText, dimensions}` → `{embedding,
 * inputTextTokenCount}`. Titan embeds one text per call; the Provider interface makes one upstream
 * call per request, so requests with several inputs are refused (see the report on batching).
 */

const TITAN_V2_DIMENSIONS = new Set([256, 512, 1024]);

/** True for model ids (or ARNs) naming a Titan text embedding model. */
export function isTitanTextEmbeddingModel(modelId: string): boolean {
  return /amazon\.titan-embed-(text|g1-text)/.test(modelId);
}

/** The InvokeModel body for one Titan embedding call; refuses what Titan cannot do. */
export function buildTitanEmbeddingsBody(request: EmbeddingsRequest, modelId: string): { inputText: string; dimensions?: number } {
  if (!isTitanTextEmbeddingModel(modelId)) {
    throw new GatewayError(
      'unsupported_feature',
      `Bedrock embeddings are supported for Amazon Titan text models (e.g. amazon.titan-embed-text-v2:0), not ${modelId}`,
      { param: 'model' },
    );
  }
  if (request.input.length !== 1) {
    throw new GatewayError('unsupported_feature', `Titan embeds one text per call; send one input per request (got ${request.input.length})`, {
      param: 'input',
    });
  }
  const body: { inputText: string; dimensions?: number } = { inputText: request.input[0]! };
  if (request.dimensions !== undefined) {
    if (!modelId.includes('titan-embed-text-v2')) {
      throw new GatewayError('unsupported_feature', `${modelId} has a fixed vector size; dimensions is only supported by Titan v2`, { param: 'dimensions' });
    }
    if (!TITAN_V2_DIMENSIONS.has(request.dimensions)) {
      throw new GatewayError('invalid_request', 'Titan v2 dimensions must be 256, 512 or 1024', { param: 'dimensions' });
    }
    body.dimensions = request.dimensions;
  }
  return body;
}

/** Converts Titan's `{embedding, inputTextTokenCount}` answer to the IR. */
export function parseTitanEmbeddingsResponse(body: unknown, upstreamModel: string): EmbeddingsResponse {
  const answer = (body ?? {}) as { embedding?: unknown; inputTextTokenCount?: unknown };
  if (!Array.isArray(answer.embedding) || !answer.embedding.every((value) => typeof value === 'number')) {
    throw new GatewayError('upstream_invalid_response', 'Bedrock Titan answer has no numeric embedding array');
  }
  const tokens = typeof answer.inputTextTokenCount === 'number' ? answer.inputTextTokenCount : 0;
  return { model: upstreamModel, data: [{ index: 0, embedding: answer.embedding as number[] }], usage: { inputTokens: tokens } };
}
