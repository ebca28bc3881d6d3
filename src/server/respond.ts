import type { FrameSource } from '../pipeline/pump.js';
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
  // The rest of an oversized body was never read: close rather than leave it on a kept-alive socket.
  if (error.code === 'request_too_large') headers.connection = 'close';
  sendJson(response, error.status, headers, JSON.stringify(encode(error)));
}

/**
 * Answers with an SSE stream: the headers go out with the first frame (one write, as a plain
 * pipe does), frames are written as they come, and the response ends when the source is done.
 */
export async function streamFrames(response: ServerResponse, headers: Record<string, string>, source: FrameSource): Promise<void> {
  headers['content-type'] = 'text/event-stream; charset=utf-8';
  headers['cache-control'] = 'no-cache';
  response.writeHead(200, headers);
  await source.pipe(response);
  if (!response.destroyed) response.end();
}
