import { sendJson } from '../respond.js';
import type { GatewayRuntime, Handler } from '../types.js';

/** GET /health: the process is up and serving. */
export const healthHandler: Handler = async ({ response, requestId }) => {
  sendJson(response, 200, { 'x-request-id': requestId }, '{"status":"ok"}');
};

/**
 * GET /health/ready: whether this instance can serve, with one entry per check. Only a state in
 * which no request could be served is a 503: no provider configured at all, or stored keys not read
 * yet while no master key or config key exists (every request would get a 503 until then).
 */
export const readyHandler: Handler = async ({ response, plan, runtime, requestId }) => {
  const providerCount = plan.providers.size;
  const keys = runtime.keys.describe();
  const checks = {
    config: { status: 'ok', source: plan.source, loaded_at: new Date(plan.loadedAt).toISOString() },
    // A slow or down store is reported, never a 503: requests are served and log rows wait.
    storage: storageCheck(runtime),
    // Redis down is reported, not a 503: each instance then breaks circuits on its own.
    redis: redisCheck(runtime, plan.config.redis !== undefined),
    providers: { status: providerCount > 0 ? 'ok' : 'none_configured', count: providerCount },
    keys: { status: keys.loaded ? 'ok' : 'loading', config: keys.config, stored: keys.stored },
  };
  const noKeyUsable = !keys.loaded && keys.config === 0 && plan.config.server.master_key === undefined;
  const ready = providerCount > 0 && !noKeyUsable;
  sendJson(response, ready ? 200 : 503, { 'x-request-id': requestId }, JSON.stringify({ status: ready ? 'ok' : 'unavailable', checks }));
};

function storageCheck(runtime: GatewayRuntime): Record<string, unknown> {
  const storage = runtime.storage;
  if (!storage) return { status: 'not_configured' };
  const queue = runtime.requestLog?.queue;
  return {
    status: storage.status === 'ok' && queue?.state !== 'retrying' ? 'ok' : storage.status === 'connecting' ? 'connecting' : 'unreachable',
    backend: storage.description,
    ...(storage.lastError !== undefined && { error: storage.lastError }),
    ...(queue && { log_queue: { queued: queue.depth, dropped: queue.dropped, written: queue.written, state: queue.state } }),
  };
}

/** Redis down is reported, not a 503: each instance then breaks circuits on its own, and limits follow `limits.on_store_error`. */
function redisCheck(runtime: GatewayRuntime, configured: boolean): Record<string, unknown> {
  const connections: Record<string, string> = {};
  const health = runtime.health.backend();
  if (health.kind === 'redis') connections.circuit_breaker = health.connection;
  const limits = runtime.limits?.store.backend();
  if (limits?.kind === 'redis') connections.rate_limits = limits.connection;
  const cache = runtime.cache?.backend();
  if (cache?.kind === 'redis') connections.response_cache = cache.connection;
  const semantic = runtime.semanticCache?.connection();
  if (semantic !== undefined) connections.semantic_cache = semantic;
  const used = Object.keys(connections);
  if (used.length === 0) return configured ? { status: 'configured_after_start', note: 'restart to connect' } : { status: 'not_configured' };
  const ok = Object.values(connections).every((state) => state === 'ready');
  return { status: ok ? 'ok' : 'unreachable', used_for: used, connections };
}
