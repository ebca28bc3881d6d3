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
}

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
 * request log off and keeps storage in memory, to measure what logging adds.
 */
export function benchGatewayConfig(port: number, upstreamPort: number, bare = false): string {
  return [
    `server: { host: 127.0.0.1, port: ${port} }`,
    ...(bare ? ['storage: memory', 'logging: { requests: false }'] : []),
    'providers:',
    `  up: { type: openai-compatible, base_url: "http://127.0.0.1:${upstreamPort}/v1" }`,
    'models:',
    '  bench-model: { targets: [{ provider: up, model: bench-model }] }',
    '',
  ].join('\n');
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function waitHealthy(child: ChildProcess, port: number, timeoutMs: number): Promise<string | undefined> {
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
  writeFileSync(configPath, benchGatewayConfig(port, launch.upstreamPort, launch.bare));
  const log = openSync(launch.logFile, 'w');
  const profileArgs = launch.cpuProfileDir ? ['--cpu-prof', '--cpu-prof-dir', launch.cpuProfileDir] : [];
  const child = spawnNode(launch.placement, [...profileArgs, entry, 'start', '--config', configPath, '--port', String(port)], {
    cwd: workDir,
    stdio: ['ignore', log, log],
  });
  closeSync(log); // the child holds its own copy
  const problem = await waitHealthy(child, port, 30_000);
  if (problem) {
    child.kill('SIGKILL');
    return { state: 'failed', reason: `${problem}; see ${launch.logFile}` };
  }
  return { state: 'running', child, port };
}
