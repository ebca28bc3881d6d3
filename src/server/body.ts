import type { IncomingMessage } from 'node:http';
import { GatewayError } from '../errors/gateway-error.js';

/** Reads the request body, refusing more than `maxBytes` (413) before buffering it. */
export function readRequestBody(request: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(request.headers['content-length']);
  if (declared > maxBytes) return Promise.reject(tooLarge(maxBytes));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > maxBytes) {
        // Stop reading, but leave the socket for the 413 answer.
        request.off('data', onData);
        request.pause();
        reject(tooLarge(maxBytes));
        return;
      }
      chunks.push(chunk);
    };
    request.on('data', onData);
    request.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)));
    request.on('error', reject);
  });
}

function tooLarge(maxBytes: number): GatewayError {
  return new GatewayError('request_too_large', `request body exceeds the limit of ${maxBytes} bytes (server.max_body_bytes)`);
}

/** Parses a JSON object body; anything else is a 400 naming the problem. */
export function parseJsonObject(body: Buffer): Record<string, unknown> {
  if (body.length === 0) throw new GatewayError('invalid_json', 'request body is empty; expected a JSON object');
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new GatewayError('invalid_json', `request body is not valid JSON: ${(error as Error).message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new GatewayError('invalid_json', 'request body must be a JSON object');
  }
  return value as Record<string, unknown>;
}
