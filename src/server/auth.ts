import type { IncomingMessage } from 'node:http';
import { GatewayError } from '../errors/gateway-error.js';
import type { Plan } from '../config/plan.js';
import { hashKey } from '../keys/records.js';
import type { KeyEntry, KeyRegistry } from '../keys/registry.js';
import { presentedKey } from './admin-auth.js';

/** Who is calling: the master key, a virtual key, or anyone (a gateway with no key configured). */
export type Caller = { readonly kind: 'master' } | { readonly kind: 'key'; readonly key: KeyEntry } | { readonly kind: 'open' };

/** `public`: health and metrics; `client`: the /v1 API; `admin`: /admin (master key only). */
export type Access = 'public' | 'client' | 'admin';

export const MASTER: Caller = { kind: 'master' };
export const OPEN: Caller = { kind: 'open' };

export function accessFor(pathname: string): Access {
  if (pathname.startsWith('/admin/') || pathname === '/admin') return 'admin';
  if (pathname === '/health' || pathname === '/health/ready' || pathname === '/metrics') return 'public';
  return 'client';
}

/** The master key's digest per plan, so a request hashes only the key it presents. */
const masterDigests = new WeakMap<Plan, string | null>();

function masterDigest(plan: Plan): string | null {
  let digest = masterDigests.get(plan);
  if (digest === undefined) {
    const master = plan.config.server.master_key;
    digest = master === undefined ? null : hashKey(master);
    masterDigests.set(plan, digest);
  }
  return digest;
}

/**
 * Identifies the caller of a route. The presented key is hashed once and looked up by its digest
 * (the master key's digest, then the key registry): nothing compares a secret byte by byte. The
 * gateway is open (anyone may call /v1 and /admin) only while no master key and no virtual key
 * exists; then a key a client sends anyway (SDKs insist on one) is ignored.
 */
export function authenticate(plan: Plan, registry: KeyRegistry, request: IncomingMessage, access: Access): Caller {
  if (access === 'public') return OPEN;
  const master = masterDigest(plan);
  if (master === null && registry.size === 0) {
    // No key exists: nothing to check (and no hashing on the hot path of an open gateway). Until
    // stored keys have been read, that is not known: the gateway is not open before it knows.
    if (registry.loaded) return OPEN;
    throw new GatewayError('service_unavailable', 'virtual keys are not loaded yet (storage is not available); retry shortly');
  }
  const presented = presentedKey(request);
  if (presented !== undefined) {
    const digest = hashKey(presented);
    if (master !== null && digest === master) return MASTER;
    const key = registry.lookupDigest(digest);
    if (key) {
      if (access === 'admin') throw new GatewayError('permission_denied', `admin routes need the master key; "${key.name}" is a virtual key`);
      if (key.disabled) throw new GatewayError('invalid_api_key', `the key "${key.name}" is disabled`);
      if (key.expiresAt !== null && key.expiresAt <= Date.now()) {
        throw new GatewayError('invalid_api_key', `the key "${key.name}" expired at ${new Date(key.expiresAt).toISOString()}`);
      }
      return { kind: 'key', key };
    }
  }
  if (presented === undefined) {
    throw new GatewayError('invalid_api_key', 'missing API key: send Authorization: Bearer <key> or x-api-key: <key>');
  }
  // Stored keys unknown yet (storage not open): the key may well be valid; say so instead of 401.
  if (access === 'client' && !registry.loaded) {
    throw new GatewayError('service_unavailable', 'virtual keys are not loaded yet (storage is not available); retry shortly');
  }
  throw new GatewayError('invalid_api_key', access === 'admin' ? 'the key given is not the master key' : 'invalid API key');
}

/**
 * Whether the caller may use a model name: a key's `models` (names or globs), when it has them.
 * The master key and an open gateway may use every model.
 */
export function mayUseModel(caller: Caller, model: string): boolean {
  return caller.kind !== 'key' || caller.key.models === undefined || caller.key.models(model);
}

/** The key id a log row carries (null for the master key and an open gateway). */
export function callerKeyId(caller: Caller): string | null {
  return caller.kind === 'key' ? caller.key.id : null;
}

/** The model check routing applies (undefined when the caller may use every model). */
export function modelPermission(caller: Caller): ((model: string) => boolean) | undefined {
  return caller.kind === 'key' && caller.key.models !== undefined ? caller.key.models : undefined;
}
