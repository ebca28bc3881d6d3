import { createGateway, type Gateway } from '../server/gateway.js';
import { PlanHolder } from '../config/reload.js';
import { formatProblems, loadConfigFile, loadQuickStart, resolveConfigPath } from '../config/load.js';
import type { Plan } from '../config/plan.js';
import { createLogger, type Logger } from '../telemetry/logger.js';
import { TargetStatsBook } from '../routing/target-stats.js';
import { MemoryHealthStore, type HealthStore } from '../routing/health/store.js';
import { RedisHealthStore } from '../routing/health/redis-store.js';
import { GatewayMetrics } from '../telemetry/metrics.js';
import { AggregatedMetric } from '../telemetry/aggregates.js';
import { StorageHandle } from '../storage/handle.js';
import { RequestLog } from '../telemetry/request-log.js';
import { WebhookSinks } from '../telemetry/webhooks.js';
import { RetentionPruner } from '../telemetry/retention.js';
import { UsageRollupJob } from '../telemetry/usage-rollup.js';
import { KeyRegistry } from '../keys/registry.js';
import { createLimitStore } from '../limits/index.js';
import { LimitGate } from '../limits/gate.js';
import { ResponseCache } from '../cache/response-cache.js';
import { MemoryCacheStore } from '../cache/store.js';
import { RedisCacheStore } from '../cache/redis-store.js';
import { DatabaseCacheStore } from '../cache/database-store.js';
import { guardrailPolicy } from '../guardrails/policy.js';
import { SemanticCache } from '../cache/semantic/semantic-cache.js';
import { IndexedVectors, type VectorStore } from '../cache/semantic/vectors.js';
import { PgvectorVectors } from '../cache/semantic/pgvector.js';
import { RedisRecordSync } from '../cache/semantic/redis-sync.js';
import { DatabaseRecordSync } from '../cache/semantic/database-sync.js';
import { LocalRecordSync } from '../cache/semantic/sync.js';
import { sameTracingSettings, startTracing, tracingSettings, type Tracing } from '../telemetry/tracing.js';

export interface StartOptions {
  config?: string;
  port?: number;
  host?: string;
  /** pino level; defaults to SWITCHYARD_LOG_LEVEL or info. */
  logLevel?: string;
}

export interface RunningGateway {
  gateway: Gateway;
  holder: PlanHolder;
  logger: Logger;
  /** Drains and stops; resolves when the server is closed. */
  stop(): Promise<void>;
  storage: StorageHandle;
  keys: KeyRegistry;
  limits: LimitGate;
  requestLog: RequestLog;
  retention: RetentionPruner;
  rollup: UsageRollupJob;
  /** OpenTelemetry traces, when `telemetry.otlp_endpoint` is set; `flush()` exports what has ended. */
  tracing: Tracing | undefined;
}

/** `cache.max_bytes` when the config has no `cache` section at start. */
const DEFAULT_CACHE_MAX_BYTES = 64 * 1024 * 1024;

/**
 * Loads the config (file, ./switchyard.yaml, or the quick start), starts the server, and wires
 * reload (file watch, SIGHUP) and graceful shutdown (SIGTERM/SIGINT) when `handleSignals`.
 */
export async function startGateway(options: StartOptions, handleSignals = true): Promise<RunningGateway> {
  const logger = createLogger(options.logLevel);
  const path = resolveConfigPath(options.config);
  const loaded = path ? loadConfigFile(path) : loadQuickStart();
  if (!loaded.ok) {
    throw new Error(`invalid config ${path ?? '(quick start)'}:\n${formatProblems(loaded.problems)}`);
  }
  // Traces: the OpenTelemetry SDK is imported only when an endpoint is set (read at start; a
  // changed `telemetry.otlp_*` or `service_name` needs a restart, and a reload says so).
  const traceSettings = tracingSettings(loaded.plan.config);
  const tracing = await startTracing(traceSettings, logger);
  const keys = new KeyRegistry(logger);
  const holder = new PlanHolder(loaded.plan, logger, (plan) => {
    keys.setPlan(plan);
    if (!sameTracingSettings(traceSettings, tracingSettings(plan.config))) {
      logger.warn('telemetry.otlp_endpoint, otlp_headers or service_name changed: tracing keeps its settings until a restart');
    }
  });
  // Breaker state is shared through Redis when `redis` is set (read at start; a changed URL needs a restart).
  const breaker = () => holder.current.breaker;
  const redisUrl = loaded.plan.config.redis;
  const health: HealthStore = redisUrl ? new RedisHealthStore(redisUrl, breaker, { logger }) : new MemoryHealthStore(breaker);
  const metrics = new GatewayMetrics();
  // Storage opens in the background: the gateway serves while the database comes up (read at
  // start; a changed `storage` needs a restart).
  const storage = new StorageHandle(loaded.plan.storage, logger);
  keys.attach(storage);
  keys.setPlan(loaded.plan);
  const requestLog = new RequestLog(storage, logger, {
    maxQueued: loaded.plan.config.logging.max_queued_rows,
    webhooks: new WebhookSinks(logger, { onDrop: (count) => AggregatedMetric.inc(metrics.logRowsDropped.series('webhook'), count) }),
    onDrop: (count) => AggregatedMetric.inc(metrics.logRowsDropped.series('storage'), count),
    keyName: (id) => keys.nameOf(id),
  });
  metrics.watchQueue('storage', () => requestLog.queue.depth);
  metrics.watchQueue('webhook', () => requestLog.webhooks?.depth ?? 0);
  const retention = new RetentionPruner(storage, logger, { retentionDays: () => holder.current.config.logging.retention_days });
  retention.start();
  const rollup = new UsageRollupJob(storage, logger);
  rollup.start();
  // Limits and budgets: shared through Redis when `redis` is set (read at start), else in this process.
  const limitStore = createLimitStore({ redisUrl, onError: () => {} });
  const limits = new LimitGate(limitStore, storage, logger, {
    onRefused: () => AggregatedMetric.inc(metrics.rateLimited.series()),
    onStoreError: () => AggregatedMetric.inc(metrics.limitStoreErrors.series()),
  });
  // The response cache: in this process (an LRU bounded by bytes) or shared through Redis. Its store
  // is chosen at start; mode, TTL and scope are read per request, so they change on reload.
  const cacheConfig = loaded.plan.config.cache;
  const cacheStore =
    cacheConfig?.store === 'redis' && redisUrl
      ? new RedisCacheStore(redisUrl, { onError: () => {} })
      : cacheConfig?.store === 'database'
        ? new DatabaseCacheStore(storage)
        : new MemoryCacheStore({ maxBytes: cacheConfig?.max_bytes ?? DEFAULT_CACHE_MAX_BYTES });
  const cache = new ResponseCache(cacheStore, logger);
  const semanticCache = new SemanticCache(semanticVectors(loaded.plan, storage, redisUrl), cache, logger);
  const gateway = createGateway({
    plan: () => holder.current,
    logger,
    policies: [guardrailPolicy],
    taps: tracing ? [metrics.tap(), requestLog.tap(), tracing.tap()] : [metrics.tap(), requestLog.tap()],
    targetStats: new TargetStatsBook(),
    health,
    metrics,
    storage,
    requestLog,
    keys,
    limits,
    cache,
    semanticCache,
    tracing,
  });
  const server = loaded.plan.config.server;
  const envPort = process.env.PORT ? Number(process.env.PORT) : undefined;
  const port = options.port ?? envPort ?? server.port;
  const host = options.host ?? server.host;
  await gateway.listen(port, host);

  if (path) {
    holder.watch(path);
    if (handleSignals) process.on('SIGHUP', () => holder.reload(path, 'SIGHUP'));
  }
  const stop = async (): Promise<void> => {
    holder.close();
    keys.stop();
    const drainMs = holder.current.config.server.drain_timeout_ms;
    logger.info({ inFlight: gateway.inFlight(), drainMs }, 'draining');
    const { forced } = await gateway.drain(drainMs);
    await retention.stop();
    await rollup.stop();
    // Rows still queued get a last chance to be written; what cannot be is counted and said.
    const unwritten = await requestLog.close(5_000);
    if (unwritten > 0) logger.error({ unwritten }, 'request log rows could not be written before exit');
    await limits.close();
    await cache.close();
    await semanticCache.close();
    await storage.close();
    await health.close();
    // Spans still queued are exported, within a bounded wait (a collector that is down loses them).
    await tracing?.shutdown(5_000);
    logger.info({ forced }, 'stopped');
  };
  if (handleSignals) {
    let stopping = false;
    const onSignal = (signal: string): void => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'shutting down');
      stop().then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
    };
    process.on('SIGTERM', () => onSignal('SIGTERM'));
    process.on('SIGINT', () => onSignal('SIGINT'));
  }
  // Drivers loaded and migrations run once the server is up; the first attempt is awaited, later
  // ones retry in the background (see StorageHandle).
  await storage.start();
  // Stored keys read before this returns (when storage opened): until then the gateway answers 503, never open.
  await keys.start();
  // The semantic cache's prompts load in the background (lookups meanwhile search what is loaded;
  // a failure is retried by the next lookups).
  if (usesSemanticCache(loaded.plan.config)) void semanticCache.start();
  // The start line (with the pid) says the gateway serves as configured: storage tried, keys read.
  describeStart(logger, loaded.plan, gateway.url());
  return { gateway, holder, logger, stop, storage, keys, limits, requestLog, retention, rollup, tracing };
}

/** Whether `cache.mode` or any model's `cache.mode` is semantic. */
function usesSemanticCache(config: Plan['config']): boolean {
  return config.cache?.mode === 'semantic' || Object.values(config.models).some((model) => model.cache?.mode === 'semantic');
}

/**
 * Where the semantic cache finds prompts (chosen at start, with `cache.store`): PostgreSQL with
 * pgvector, or this instance's index, whose records are shared like the answers: through Redis
 * (keys and pub/sub), through the database (announced by Redis pub/sub when `redis` is set, else
 * polled), or not at all (memory).
 */
function semanticVectors(plan: Plan, storage: StorageHandle, redisUrl: string | undefined): VectorStore {
  const config = plan.config.cache;
  const storageSpec = plan.storage;
  if (config?.semantic.store === 'pgvector' && storageSpec.kind === 'postgres') return new PgvectorVectors(storageSpec.url);
  const maxEntries = config?.semantic.max_entries ?? 10_000;
  if (config?.store === 'redis' && redisUrl) return new IndexedVectors(new RedisRecordSync(redisUrl, { onError: () => {} }), maxEntries);
  if (config?.store === 'database') {
    const database = new DatabaseRecordSync(storage, { pollMs: redisUrl ? 0 : DATABASE_POLL_MS });
    return new IndexedVectors(redisUrl ? new RedisRecordSync(redisUrl, { onError: () => {} }, database) : database, maxEntries);
  }
  return new IndexedVectors(new LocalRecordSync(), maxEntries);
}

/** Without Redis, instances sharing a database look for each other's semantic records this often. */
const DATABASE_POLL_MS = 2_000;

function describeStart(logger: Logger, plan: Plan, url: string): void {
  const providers = [...plan.providers.values()].map((provider) => `${provider.config.name} (${provider.config.type})`);
  logger.info({ url, pid: process.pid, config: plan.source, providers, models: [...plan.models.keys()] }, `switchyard listening on ${url}`);
  const config = plan.config;
  const empty = config.keys.filter((key) => key.key === '').map((key) => key.name);
  if (empty.length > 0) logger.warn({ keys: empty }, 'keys with an empty value (an unset ${VAR}?) are ignored');
  if (!config.server.master_key && config.keys.length === empty.length) {
    logger.warn('no master_key or keys in the config: unless storage holds virtual keys, the gateway is open to anyone who can reach it');
  } else if (!config.server.master_key) {
    logger.warn('keys are configured but no server.master_key: admin routes (/admin) answer no one');
  }
}
