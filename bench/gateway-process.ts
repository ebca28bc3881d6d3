// Starts the built gateway (dist/cli/main.js) as a pinned child in front of the bench upstream.
import type { ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { spawnNode, type Placement } from './child-processes.js';

export interface GatewayLaunch {
  repoRoot: string;
  upstreamPort: number;
  placement: Placement;
  /** Gateway stdout/stderr go here (a file, so no reader competes for CPU). */
  logFile: string;
  /** When set, the gateway runs with --cpu-prof and writes its profile here on exit. */
  cpuProfileDir?: string;
  /** The request log off, storage in memory (see benchGatewayConfig). */
  bare?: boolean;
  /** A master key and one limited virtual key (see benchGatewayConfig); clients must send BENCH_KEY. */
  keys?: BenchKeysOptions;
  /** The exact response cache on (in process): the bench's identical requests are hits. */
  cache?: boolean;
  /** PII guardrails on requests and answers (see benchGatewayConfig). */
  guardrails?: boolean;
}

/** The `gateway-keys` variants: auth and limits on; `redisUrl` puts the limits (and breakers) in Redis. */
export interface BenchKeysOptions {
  redisUrl?: string;
}

/** The virtual key the keys targets accept (and the load generator sends as `Authorization: Bearer`). */
export const BENCH_KEY = 'sk-bench-virtual-key-0123456789abcdef';
/** The keys targets' master key (configured so auth is on; the bench never sends it). */
export const BENCH_MASTER_KEY = 'sk-bench-master-key-0123456789abcdef';
/** Limits far above what the bench can send, so every rule runs and none refuses. */
const HUGE_KEY_LIMITS = '{ rpm: 100000000, tpm: 1000000000, concurrency: 100000 }';
const HUGE_BUDGET = '{ usd: 1000000000, period: month }';
const HUGE_MODEL_LIMITS = '{ rpm: 100000000 }';
/** A price for the bench target, so the budget reserves and settles real amounts. */
const BENCH_PRICING = '{ input_per_mtok: 1, output_per_mtok: 2 }';

export type GatewayStart =
  | { state: 'running'; child: ChildProcess; port: number }
  | { state: 'not built' | 'failed'; reason: string };

/** Path of the gateway's CLI entry inside the repo. */
export function gatewayEntry(repoRoot: string): string {
  return join(repoRoot, 'dist', 'cli', 'main.js');
}

/**
 * The config the bench runs the gateway with: one openai-compatible provider, one model, and the
 * defaults otherwise (request log on, in SQLite under the temp working dir). `bare` turns the
 * request log off and keeps storage in memory, to measure what logging adds. `keys` adds a master
 * key, one virtual key (BENCH_KEY) with rpm, tpm and concurrency limits and a monthly budget, an rpm
 * limit on the model and a price on its target, all far above what the bench sends: every rule is
 * checked and settled, none refuses. With `keys.redisUrl` the limits live in that Redis. `guardrails`
 * scans every request and answer for PII (nothing is found in the bench's text: the scanning is the cost).
 */
export function benchGatewayConfig(
  port: number,
  upstreamPort: number,
  options: { bare?: boolean; keys?: BenchKeysOptions; cache?: boolean; guardrails?: boolean } = {},
): string {
  const { bare = false, keys, cache = false, guardrails = false } = options;
  const masterKey = keys ? `, master_key: "${BENCH_MASTER_KEY}"` : '';
  const pricing = keys ? `, pricing: ${BENCH_PRICING}` : '';
  const modelLimits = keys ? `, limits: ${HUGE_MODEL_LIMITS}` : '';
  return [
    `server: { host: 127.0.0.1, port: ${port}${masterKey} }`,
    ...(bare ? ['storage: memory', 'logging: { requests: false }'] : []),
    ...(cache ? ['cache: { mode: exact }'] : []),
    // Every PII entity on requests and answers (streams decoded and scanned), redacted.
    ...(guardrails ? ['guardrails: { pii: { action: redact } }'] : []),
    ...(keys?.redisUrl ? [`redis: ${JSON.stringify(keys.redisUrl)}`] : []),
    'providers:',
    `  up: { type: openai-compatible, base_url: "http://127.0.0.1:${upstreamPort}/v1" }`,
    'models:',
    `  bench-model: { targets: [{ provider: up, model: bench-model${pricing} }]${modelLimits} }`,
    ...(keys
      ? ['keys:', `  - { name: bench, key: "${BENCH_KEY}", limits: ${HUGE_KEY_LIMITS}, budget: ${HUGE_BUDGET} }`]
      : []),
    '',
  ].join('\n');
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function waitHealthy(child: ChildProcess, port: number, timeoutMs: number): Promise<string | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) return `exited (${child.exitCode ?? child.signalCode})`;
    try {
      const response = await fetch(`http://127.0.0.1:${port}/health`);
      await response.arrayBuffer();
      if (response.ok) return undefined;
    } catch {
      // Not listening yet.
    }
    await sleep(100);
  }
  return `no healthy /health within ${timeoutMs} ms`;
}

/**
 * Waits until /health/ready reports storage, stored keys (and Redis, when configured) as ok. Until
 * stored keys are read every request gets a 503, and budgets are seeded from storage: until it has
 * opened, the limit gate skips them (`on_store_error: open`), so the keys targets would measure a
 * gateway that does less than it will.
 */
export async function waitReady(port: number, timeoutMs: number): Promise<string | undefined> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/health/ready`);
      const body = (await response.json()) as { checks?: Record<string, { status?: string }> };
      const storage = body.checks?.storage?.status;
      const keys = body.checks?.keys?.status ?? 'ok';
      const redis = body.checks?.redis?.status;
      if (storage === 'ok' && keys === 'ok' && (redis === undefined || redis === 'ok' || redis === 'not_configured')) return undefined;
      last = `storage ${storage}, keys ${keys}, redis ${redis}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await sleep(100);
  }
  return `not ready within ${timeoutMs} ms (${last})`;
}

/**
 * Starts `node dist/cli/main.js start --config <tmp yaml> --port <N>` (cwd: a temp dir, so any
 * state it writes stays out of the repo) and waits for GET /health. Reports "not built" when
 * dist/cli/main.js is missing, "failed" when it does not come up.
 */
export async function startGateway(launch: GatewayLaunch): Promise<GatewayStart> {
  const entry = gatewayEntry(launch.repoRoot);
  if (!existsSync(entry)) return { state: 'not built', reason: `${entry} missing (run npm run build)` };
  const port = await freePort();
  const workDir = mkdtempSync(join(tmpdir(), 'switchyard-bench-'));
  const configPath = join(workDir, 'switchyard.yaml');
  writeFileSync(configPath, benchGatewayConfig(port, launch.upstreamPort, { bare: launch.bare, keys: launch.keys, cache: launch.cache, guardrails: launch.guardrails }));
  const log = openSync(launch.logFile, 'w');
  const profileArgs = launch.cpuProfileDir ? ['--cpu-prof', '--cpu-prof-dir', launch.cpuProfileDir] : [];
  const child = spawnNode(launch.placement, [...profileArgs, entry, 'start', '--config', configPath, '--port', String(port)], {
    cwd: workDir,
    stdio: ['ignore', log, log],
  });
  closeSync(log); // the child holds its own copy
  const problem = (await waitHealthy(child, port, 30_000)) ?? (await waitReady(port, 30_000));
  if (problem) {
    child.kill('SIGKILL');
    return { state: 'failed', reason: `${problem}; see ${launch.logFile}` };
  }
  return { state: 'running', child, port };
}
