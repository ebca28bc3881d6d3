import { createGateway, type Gateway } from '../server/gateway.js';
import { PlanHolder } from '../config/reload.js';
import { formatProblems, loadConfigFile, loadQuickStart, resolveConfigPath } from '../config/load.js';
import type { Plan } from '../config/plan.js';
import { createLogger, type Logger } from '../telemetry/logger.js';
import { TargetStatsBook } from '../routing/target-stats.js';
import { MemoryHealthStore, type HealthStore } from '../routing/health/store.js';
import { RedisHealthStore } from '../routing/health/redis-store.js';
import { GatewayMetrics } from '../telemetry/metrics.js';

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
}

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
  const holder = new PlanHolder(loaded.plan, logger);
  // Breaker state is shared through Redis when `redis` is set (read at start; a changed URL needs a restart).
  const breaker = () => holder.current.breaker;
  const redisUrl = loaded.plan.config.redis;
  const health: HealthStore = redisUrl ? new RedisHealthStore(redisUrl, breaker, { logger }) : new MemoryHealthStore(breaker);
  const metrics = new GatewayMetrics();
  const gateway = createGateway({
    plan: () => holder.current,
    logger,
    policies: [],
    taps: [metrics.tap()],
    targetStats: new TargetStatsBook(),
    health,
    metrics,
  });
  const server = loaded.plan.config.server;
  const envPort = process.env.PORT ? Number(process.env.PORT) : undefined;
  const port = options.port ?? envPort ?? server.port;
  const host = options.host ?? server.host;
  await gateway.listen(port, host);
  describeStart(logger, loaded.plan, gateway.url());

  if (path) {
    holder.watch(path);
    if (handleSignals) process.on('SIGHUP', () => holder.reload(path, 'SIGHUP'));
  }
  const stop = async (): Promise<void> => {
    holder.close();
    const drainMs = holder.current.config.server.drain_timeout_ms;
    logger.info({ inFlight: gateway.inFlight(), drainMs }, 'draining');
    const { forced } = await gateway.drain(drainMs);
    await health.close();
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
  return { gateway, holder, logger, stop };
}

function describeStart(logger: Logger, plan: Plan, url: string): void {
  const providers = [...plan.providers.values()].map((provider) => `${provider.config.name} (${provider.config.type})`);
  logger.info({ url, pid: process.pid, config: plan.source, providers, models: [...plan.models.keys()] }, `switchyard listening on ${url}`);
  const config = plan.config;
  if (!config.server.master_key && config.keys.length === 0) {
    logger.warn('no master_key or keys configured: the gateway is open to anyone who can reach it');
  }
  // Sections validated now whose enforcement lands with later features: say so instead of pretending.
  const pending = [
    config.keys.length > 0 && 'keys',
    config.cache && config.cache.mode !== 'off' && 'cache',
    config.guardrails && 'guardrails',
  ].filter(Boolean);
  if (pending.length > 0) logger.warn({ sections: pending }, `config sections accepted but not enforced by this version: ${pending.join(', ')}`);
}
