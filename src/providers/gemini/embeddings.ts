import type { EmbeddingsRequest, EmbeddingsResponse } from '../../ir/chat.js';
import { GatewayError } from '../../errors/gateway-error.js';

/**
 * The batchEmbedContents body for an IR embeddings request: one request per input, each naming
 * the model as `models/{model}` (Gemini insists they match the URL) and the output size.
 */
export function toBatchEmbedRequest(request: EmbeddingsRequest, upstreamModel: string): unknown {
  const model = upstreamModel.startsWith('models/') ? upstreamModel : `models/${upstreamModel}`;
  return {
    requests: request.input.map((text) => {
      const item: Record<string, unknown> = { model, content: { parts: [{ text }] } };
      if (request.dimensions !== undefined) item.outputDimensionality = request.dimensions;
      return item;
    }),
  };
}

/**
 * A batchEmbedContents answer as IR embeddings. Gemini reports no token usage: the answer has
 * none, and the gateway estimates it (off the event loop, see accounting/token-counter.ts).
 */
export function toEmbeddingsResponse(body: unknown, upstreamModel: string, provider: string): EmbeddingsResponse {
  const embeddings = (body as { embeddings?: unknown } | null)?.embeddings;
  if (!Array.isArray(embeddings)) {
    throw new GatewayError('upstream_invalid_response', `${provider}: embeddings answer has no "embeddings" list`, { provider });
  }
  const data = embeddings.map((entry: unknown, index) => {
    const values = (entry as { values?: unknown } | null)?.values;
    if (!Array.isArray(values)) {
      throw new GatewayError('upstream_invalid_response', `${provider}: embeddings[${index}] has no "values"`, { provider });
    }
    return { index, embedding: values as number[] };
  });
  return { model: upstreamModel, data };
}
