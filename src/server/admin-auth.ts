import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { GatewayError } from '../errors/gateway-error.js';
import type { Plan } from '../config/plan.js';

/** The key a caller presented: `Authorization: Bearer <key>` or `x-api-key: <key>`. */
export function presentedKey(request: IncomingMessage): string | undefined {
  const authorization = request.headers.authorization;
  // The scheme is case-insensitive (RFC 9110): `bearer k` is the same as `Bearer k`.
  if (authorization !== undefined && authorization.length > 7 && authorization.slice(0, 7).toLowerCase() === 'bearer ') {
    return authorization.slice(7).trim() || undefined;
  }
  const apiKey = request.headers['x-api-key'];
  return typeof apiKey === 'string' && apiKey !== '' ? apiKey : undefined;
}

/**
 * `/metrics` with `telemetry.metrics_auth: true` needs `server.master_key` when one is configured
 * (the /admin routes are checked in dispatch, server/auth.ts). Compared through SHA-256 digests in
 * constant time, so neither the key's length nor its prefix leaks through timing.
 */
export function requireMasterKey(plan: Plan, request: IncomingMessage): void {
  const master = plan.config.server.master_key;
  if (master === undefined) return;
  const presented = presentedKey(request);
  if (presented === undefined) throw new GatewayError('invalid_api_key', 'admin routes need the master key (Authorization: Bearer <key> or x-api-key)');
  const digest = (value: string) => createHash('sha256').update(value).digest();
  if (!timingSafeEqual(digest(presented), digest(master))) throw new GatewayError('invalid_api_key', 'the key given is not the master key');
}
