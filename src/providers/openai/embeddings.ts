import type { EmbeddingsRequest, EmbeddingsResponse } from '../../ir/chat.js';
import { GatewayError } from '../../errors/gateway-error.js';

/** IR embeddings request → OpenAI body. Floats are asked for: every compatible server supports them. */
export function convertEmbeddingsRequest(request: EmbeddingsRequest, upstreamModel: string): Record<string, unknown> {
  const body: Record<string, unknown> = { model: upstreamModel, input: request.input };
  if (request.dimensions !== undefined) body.dimensions = request.dimensions;
  if (request.user !== undefined) body.user = request.user;
  return body;
}

interface WireEmbeddings {
  model?: string;
  data?: Array<{ index?: number; embedding?: number[] | string }>;
  usage?: { prompt_tokens?: number; total_tokens?: number } | null;
}

/** OpenAI embeddings list → IR; accepts float arrays and base64 little-endian float32 alike. */
export function parseEmbeddingsResponse(body: unknown, upstreamModel: string, provider: string): EmbeddingsResponse {
  const wire = (body ?? {}) as WireEmbeddings;
  if (!Array.isArray(wire.data)) {
    throw new GatewayError('upstream_invalid_response', `${provider}: embeddings response has no data`, { provider });
  }
  return {
    model: wire.model || upstreamModel,
    data: wire.data.map((item, position) => ({
      index: typeof item.index === 'number' ? item.index : position,
      embedding: typeof item.embedding === 'string' ? decodeFloat32Base64(item.embedding) : (item.embedding ?? []),
    })),
    usage: { inputTokens: wire.usage?.prompt_tokens ?? wire.usage?.total_tokens ?? 0 },
  };
}

function decodeFloat32Base64(text: string): number[] {
  const bytes = Buffer.from(text, 'base64');
  const out: number[] = [];
  for (let offset = 0; offset + 4 <= bytes.length; offset += 4) out.push(bytes.readFloatLE(offset));
  return out;
}
