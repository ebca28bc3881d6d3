import type { ServerResponse } from 'node:http';
import type { GatewayError } from '../errors/gateway-error.js';

type ErrorEncoder = (error: GatewayError) => unknown;

/** Sends a complete JSON answer (payload already serialised). */
export function sendJson(response: ServerResponse, status: number, headers: Record<string, string>, payload: string | Buffer): void {
  if (response.headersSent || response.destroyed) return;
  headers['content-type'] = 'application/json';
  headers['content-length'] = String(Buffer.byteLength(payload));
  response.writeHead(status, headers);
  response.end(payload);
}

/** Sends an error in the API's own shape, with `retry-after` when the error carries one. */
export function sendError(
  response: ServerResponse,
  error: GatewayError,
  encode: ErrorEncoder,
  headers: Record<string, string> = {},
): void {
  if (error.retryAfterS !== undefined) headers['retry-after'] = String(Math.max(1, Math.ceil(error.retryAfterS)));
  sendJson(response, error.status, headers, JSON.stringify(encode(error)));
}

/**
 * Writes SSE frames as they come, waiting for `drain` when the client reads slower than the
 * upstream writes (so a slow client slows the upstream read instead of growing memory).
 */
export async function streamFrames(
  response: ServerResponse,
  headers: Record<string, string>,
  frames: AsyncIterable<string | Uint8Array>,
): Promise<void> {
  headers['content-type'] = 'text/event-stream; charset=utf-8';
  headers['cache-control'] = 'no-cache';
  response.writeHead(200, headers);
  response.flushHeaders();
  for await (const frame of frames) {
    if (response.destroyed) break;
    if (!response.write(frame)) await drained(response);
  }
  if (!response.destroyed) response.end();
}

function drained(response: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      response.off('drain', done);
      response.off('close', done);
      resolve();
    };
    response.on('drain', done);
    response.on('close', done);
  });
}
