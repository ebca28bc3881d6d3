import { z } from 'zod';
import type { EmbeddingsRequest, EmbeddingsResponse } from '../../ir/chat.js';
import { GatewayError } from '../../errors/gateway-error.js';
import { issueToGatewayError } from './zod-issues.js';

const isTokenArray = (value: unknown): boolean =>
  Array.isArray(value) && value.length > 0 && (typeof value[0] === 'number' || Array.isArray(value[0]));

const embeddingsSchema = z.object({
  model: z.string().min(1),
  input: z.union([z.string().min(1), z.array(z.string().min(1)).min(1).max(2048)], {
    error: 'expected a non-empty string or a non-empty array of strings',
  }),
  dimensions: z.number().int().min(1).optional(),
  encoding_format: z.enum(['float', 'base64']).optional(),
  user: z.string().optional(),
});

/** Validates a `/v1/embeddings` body and converts it to the IR; token-id inputs are refused. */
export function parseEmbeddingsRequest(body: unknown): EmbeddingsRequest {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new GatewayError('invalid_request', 'request body must be a JSON object');
  }
  if (isTokenArray((body as { input?: unknown }).input)) {
    throw new GatewayError('unsupported_feature', 'input: token arrays are not supported; send the text', { param: 'input' });
  }
  const parsed = embeddingsSchema.safeParse(body, { reportInput: true });
  if (!parsed.success) throw issueToGatewayError(parsed.error.issues);
  const wire = parsed.data;
  const request: EmbeddingsRequest = { model: wire.model, input: typeof wire.input === 'string' ? [wire.input] : wire.input };
  if (wire.dimensions !== undefined) request.dimensions = wire.dimensions;
  if (wire.encoding_format !== undefined) request.encodingFormat = wire.encoding_format;
  if (wire.user !== undefined) request.user = wire.user;
  return request;
}

export interface WireEmbeddingsResponse {
  object: 'list';
  data: Array<{ object: 'embedding'; index: number; embedding: number[] | string }>;
  model: string;
  usage: { prompt_tokens: number; total_tokens: number };
}

/** Encodes IR embeddings as OpenAI's list; `base64` is little-endian float32, as OpenAI sends it. */
export function encodeEmbeddingsResponse(response: EmbeddingsResponse, encodingFormat: 'float' | 'base64' | undefined): WireEmbeddingsResponse {
  return {
    object: 'list',
    data: response.data.map(({ index, embedding }) => ({
      object: 'embedding',
      index,
      embedding: encodingFormat === 'base64' ? float32Base64(embedding) : embedding,
    })),
    model: response.model,
    usage: { prompt_tokens: response.usage?.inputTokens ?? 0, total_tokens: response.usage?.inputTokens ?? 0 },
  };
}

function float32Base64(vector: number[]): string {
  const bytes = Buffer.allocUnsafe(vector.length * 4);
  for (let i = 0; i < vector.length; i++) bytes.writeFloatLE(vector[i] ?? 0, i * 4);
  return bytes.toString('base64');
}
