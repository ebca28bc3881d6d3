// `npm run bench`: direct vs the floor proxy vs the gateway, interleaved round by round, the
// proxy under test pinned to core 1 and the upstream + load generator to core 0. Prints absolute
// numbers and ratios to the floor, and writes bench/results/latest.{json,md}.
// Env: BENCH_DURATION_S (measured seconds per cell, 3), BENCH_WARMUP_S (unmeasured start of each
// cell, 0.5), BENCH_PREWARM_S (first warm-up per scenario and proxy, 2), BENCH_ROUNDS (3),
// BENCH_STREAM_GAP_MS (1), BENCH_NICE (-10, where permitted), BENCH_MAX_FOREIGN (0.1: re-run a
// cell when other processes took more of its cores), BENCH_RETRIES (1), BENCH_QUIET_BUDGET_S (20:
// total wait for quiet cores and re-runs), BENCH_TARGETS
// ("floor,gateway"), BENCH_SCENARIOS ("json-1,json-64,stream-1,stream-64"),
// BENCH_PROFILE=1 (gateways under --cpu-prof; prints their hottest functions),
// SWITCHYARD_BENCH_REDIS_URL (redis://127.0.0.1:6379: the Redis of the gateway-keys-redis target).
import { spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { aggregate, judge } from './aggregate.js';
import { canNice, canPin, firstJsonLine, pinSelf, spawnNode, stopChild, type Placement } from './child-processes.js';
import { compileBenchScripts } from './compile-helpers.js';
import { BENCH_KEY, startGateway, type BenchKeysOptions } from './gateway-process.js';
import type { LoadgenOptions, LoadgenResult } from './loadgen.js';
import { readPeakRssMb, resetPeakRss } from './proc-stats.js';
import { raiseGroupPriority } from './priority.js';
import { printProfileSummary } from './profile-summary.js';
import { waitForQuietCores } from './quiet-cores.js';
import { authLimitsOverheadLines, baselineLines, cacheHitLines, guardrailsOverheadLines, headroomLines, loggingOverheadLines, markdownTable, textTable, verdictLines } from './report.js';
import { sanityCheck } from './sanity-check.js';
import { median } from './stats.js';
import { requestBody, toCell, type Cell, type Scenario, type TargetName } from './scenarios.js';
import { readSettings } from './settings.js';

const benchDir = dirname(fileURLToPath(import.meta.url));
const repoRoot = dirname(benchDir);
const resultsDir = join(benchDir, 'results');
const settings = readSettings();

interface Target {
  name: TargetName;
  port: number;
  /** The proxy process measured (absent for direct). */
  pid?: number;
  /** The process serving this target; a target whose process died is skipped from then on. */
  process: ChildProcess;
  /** Request headers the load generator sends (the keys targets' virtual key). */
  headers?: Record<string, string>;
  /** Other processes doing this target's work, watched for CPU (a local Redis). */
  helperPids?: Record<string, number>;
}

const isAlive = (child: ChildProcess) => child.exitCode === null && child.signalCode === null;

const pinned = canPin(os.cpus().length);
const nice = settings.nice !== 0 && canNice(settings.nice) ? settings.nice : undefined;
// Children inherit this session's autogroup, so raising it covers every bench process.
const restoreGroupPriority = nice === undefined ? undefined : raiseGroupPriority(nice);
const cores = pinned ? { driver: 0, proxy: 1 } : {};
const driver: Placement = { core: cores.driver, nice };
const proxy: Placement = { core: cores.proxy, nice };

const scripts = compileBenchScripts(benchDir, join(resultsDir, '.build'));
const children: ChildProcess[] = [];
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function startScript(name: string, args: string[], placement: Placement, nodeArgs: string[] = []) {
  const child = spawnNode(placement, [...nodeArgs, join(scripts, `${name}.js`), ...args]);
  children.push(child);
  return { child, ...(await firstJsonLine<{ port: number; pid: number }>(child, name)) };
}

/** One load generator run against `target`; `upstreamPid` is watched for core-0 accounting. */
function runLoad(target: Target, scenario: Scenario, upstreamPid: number, durationS: number): Promise<LoadgenResult> {
  const options: LoadgenOptions = {
    host: '127.0.0.1',
    port: target.port,
    path: '/v1/chat/completions',
    body: requestBody(scenario.stream),
    connections: scenario.connections,
    warmupS: settings.warmupS,
    durationS,
    stream: scenario.stream,
    watchPids: target.pid ? { proxy: target.pid, upstream: upstreamPid, ...target.helperPids } : { upstream: upstreamPid },
    ...(target.headers ? { headers: target.headers } : {}),
  };
  const loadgen = spawnNode(driver, [join(scripts, 'loadgen.js'), JSON.stringify(options)]);
  const limitMs = (settings.warmupS + durationS) * 1000 + 30_000;
  return firstJsonLine<LoadgenResult>(loadgen, `loadgen ${target.name} ${scenario.id}`, limitMs);
}

// Wall time the run may still spend on waiting for quiet cores and re-running disturbed cells.
let quietBudgetMs = settings.quietBudgetS * 1000;

/**
 * Measures one cell: first waits (within the budget) for the bench cores to be idle, then
 * re-runs the cell (up to settings.retries) if other processes still took a share of them.
 */
async function measureCell(round: number, scenario: Scenario, target: Target, upstreamPid: number): Promise<Cell> {
  let best: Cell | undefined;
  for (let attempt = 1; ; attempt++) {
    if (pinned && quietBudgetMs > 0) {
      quietBudgetMs -= await waitForQuietCores([0, 1], settings.maxForeignLoad, Math.min(quietBudgetMs, 5_000));
    }
    const started = Date.now();
    if (target.pid) resetPeakRss(target.pid);
    const load = await runLoad(target, scenario, upstreamPid, settings.durationS);
    const peakRssMb = target.pid && isAlive(target.process) ? readPeakRssMb(target.pid) : undefined;
    const cell = toCell(round, scenario, target.name, load, peakRssMb, cores);
    cell.attempts = attempt;
    if (!best || (cell.foreignLoad ?? 0) < (best.foreignLoad ?? 0)) best = cell;
    await pause(200);
    const disturbed = (cell.foreignLoad ?? 0) > settings.maxForeignLoad;
    if (!disturbed || attempt > settings.retries || quietBudgetMs <= 0) break;
    quietBudgetMs -= Date.now() - started;
    console.log(`  (disturbed: other processes took ${((cell.foreignLoad ?? 0) * 100).toFixed(0)}% of a bench core; re-running)`);
  }
  return best;
}

function logCell(cell: Cell, scenario: Scenario): void {
  const load = cell.load;
  const mainShare = cell.proxyMainThreadShare === undefined ? '' : ` (${(cell.proxyMainThreadShare * 100).toFixed(0)}% main thread)`;
  const redis = cell.redisCpuPerRequestUs === undefined ? '' : ` + redis ${cell.redisCpuPerRequestUs.toFixed(1)} µs/req`;
  const cpu = cell.proxyCpuPerRequestUs === undefined ? '' : `  ${cell.proxyCpuPerRequestUs.toFixed(1)} µs/req${mainShare}${redis}`;
  const ttfc = scenario.stream ? `  ttfc ${load.firstByteMs.p50.toFixed(3)} ms` : '';
  const errors = load.errors ? `  errors ${JSON.stringify(load.errorKinds)}` : '';
  console.log(
    `round ${cell.round} ${scenario.label.padEnd(16)} ${cell.target.padEnd(18)} ${load.throughput.toFixed(0).padStart(7)} req/s` +
      `  p50 ${load.latencyMs.p50.toFixed(3)} ms${ttfc}${cpu}  core0 ${(cell.core0Busy * 100).toFixed(0)}%` +
      `  foreign ${((cell.foreignLoad ?? 0) * 100).toFixed(0)}%${errors}`,
  );
}

/** Starts the upstream, the floor and (if built) the gateway; returns what to measure. */
async function startTargets() {
  const upstream = await startScript('upstream', ['--port', '0', '--gap-ms', String(settings.streamGapMs)], driver);
  const targets: Target[] = [{ name: 'direct', port: upstream.port, process: upstream.child }];
  const profileDir = join(resultsDir, 'profiles');
  const floorProfileDir = join(profileDir, 'floor');
  if (settings.profile) mkdirSync(floorProfileDir, { recursive: true });
  const floorArgs = ['--upstream', `http://127.0.0.1:${upstream.port}`, '--port', '0'];
  const floorProfile = settings.profile ? ['--cpu-prof', '--cpu-prof-dir', floorProfileDir] : [];
  const floor = await startScript('floor', floorArgs, proxy, floorProfile);
  targets.push({ name: 'floor', port: floor.port, pid: floor.pid, process: floor.child });

  const gateway = settings.targets.has('gateway')
    ? await startGateway({
        repoRoot,
        upstreamPort: upstream.port,
        placement: proxy,
        logFile: join(resultsDir, 'gateway.log'),
        ...(settings.profile ? { cpuProfileDir: profileDir } : {}),
      })
    : ({ state: 'failed', reason: 'excluded by BENCH_TARGETS' } as const);
  if (gateway.state === 'running') {
    children.push(gateway.child);
    targets.push({ name: 'gateway', port: gateway.port, pid: gateway.child.pid!, process: gateway.child });
  } else {
    console.log(`gateway: ${gateway.state} (${gateway.reason}); measuring direct and floor only`);
  }
  /** Starts one more gateway variant when BENCH_TARGETS names it. */
  const startVariant = async (
    name: TargetName,
    variant: { bare?: boolean; keys?: BenchKeysOptions; cache?: boolean; guardrails?: boolean; root?: string },
    extra: Partial<Target> = {},
  ) => {
    if (!settings.targets.has(name)) return;
    const cpuProfileDir = join(profileDir, name);
    if (settings.profile) mkdirSync(cpuProfileDir, { recursive: true });
    const profiled = settings.profile ? { cpuProfileDir } : {};
    const logFile = join(resultsDir, `${name}.log`);
    const { root = repoRoot, ...config } = variant;
    const started = await startGateway({ repoRoot: root, upstreamPort: upstream.port, placement: proxy, logFile, ...profiled, ...config });
    if (started.state === 'running') {
      children.push(started.child);
      targets.push({ name, port: started.port, pid: started.child.pid!, process: started.child, ...extra });
    } else console.log(`${name}: ${started.state} (${started.reason})`);
  };
  const keyHeaders = { authorization: `Bearer ${BENCH_KEY}` };
  let redisRttMs: number | undefined;
  await startVariant('gateway-bare', { bare: true });
  await startVariant('gateway-keys', { keys: {} }, { headers: keyHeaders });
  await startVariant('gateway-cache', { cache: true });
  await startVariant('gateway-guardrails', { guardrails: true });
  if (settings.targets.has('gateway-baseline')) {
    if (settings.baselineRoot) await startVariant('gateway-baseline', { root: resolve(settings.baselineRoot) });
    else console.log('gateway-baseline: skipped (set BENCH_BASELINE to a folder holding another build, dist/cli/main.js)');
  }
  if (settings.targets.has('gateway-keys-redis')) {
    const redis = await probeRedis(settings.redisUrl);
    if (redis.ok) {
      const helperPids = redis.pid === undefined ? undefined : { redis: redis.pid };
      redisRttMs = redis.rttMs;
      const where = redis.pid === undefined ? 'not local: its CPU is not counted' : `pid ${redis.pid}, CPU counted per request`;
      console.log(`gateway-keys-redis: Redis ${redactUrl(settings.redisUrl)} (${where}; PING round trip p50 ${redis.rttMs.toFixed(3)} ms)`);
      await startVariant('gateway-keys-redis', { keys: { redisUrl: settings.redisUrl } }, { headers: keyHeaders, ...(helperPids ? { helperPids } : {}) });
    } else {
      console.log(`gateway-keys-redis: skipped (Redis ${redactUrl(settings.redisUrl)} unreachable: ${redis.reason}; set SWITCHYARD_BENCH_REDIS_URL)`);
    }
  }
  const measured = targets.filter((t) => settings.targets.has(t.name));
  return { upstreamPid: upstream.pid, targets: measured, gateway, profileDir, floorProfileDir, redisRttMs };
}

async function main(): Promise<void> {
  mkdirSync(resultsDir, { recursive: true });
  if (pinned) pinSelf(0);
  else console.warn('! taskset unavailable or fewer than 2 cores: running unpinned, ratios are less trustworthy');
  const where = pinned ? 'proxy on core 1, upstream + load generator on core 0' : 'unpinned';
  const priority = nice === undefined ? 'unchanged' : `${nice}${restoreGroupPriority ? ' (process and autogroup)' : ''}`;
  console.log(`placement: ${where}; nice ${priority}`);

  const { upstreamPid, targets: active, gateway, profileDir, floorProfileDir, redisRttMs } = await startTargets();
  for (const target of active) {
    const check = await sanityCheck(target.port, target.headers, target.headers !== undefined);
    console.log(`${target.name.padEnd(18)} :${target.port}  ${check}`);
  }

  // JIT and pools settle only after a few thousand requests: warm every (scenario, target) first.
  console.log(`warm-up: every scenario once per target (proxies ${settings.warmupS + settings.prewarmS} s each)`);
  for (const scenario of settings.scenarios) {
    for (const target of active) await runLoad(target, scenario, upstreamPid, target.pid ? settings.prewarmS : 1);
  }

  const cells: Cell[] = [];
  for (let round = 1; round <= settings.rounds; round++) {
    for (const scenario of settings.scenarios) {
      // Alternate the proxies' order per round so neither always runs right after the other.
      const order = round % 2 ? active : [active[0]!, ...active.slice(1).reverse()];
      for (const target of order) {
        if (!isAlive(target.process)) {
          console.log(`round ${round} ${scenario.label.padEnd(16)} ${target.name.padEnd(18)} skipped: its process exited`);
          continue;
        }
        const cell = await measureCell(round, scenario, target, upstreamPid);
        logCell(cell, scenario);
        cells.push(cell);
      }
    }
  }

  const rows = aggregate(cells, settings.maxForeignLoad);
  const verdicts = judge(rows);
  console.log(`\nMedians over ${settings.rounds} rounds, ${settings.durationS} s per cell; ratios divide by the floor.\n`);
  console.log(textTable(rows));
  console.log(`\n${headroomLines(rows).join('\n')}`);
  if (verdicts.length) console.log(`\nTargets (gateway vs floor):\n${verdictLines(verdicts).join('\n')}`);
  else console.log('\nTargets: not judged (gateway not measured)');
  const logging = loggingOverheadLines(rows);
  if (logging.length) console.log(`\nRequest log overhead (gateway − gateway-bare, medians):\n${logging.join('\n')}`);
  const authLimits = authLimitsOverheadLines(cells, redisRttMs);
  if (authLimits.length) console.log(`\nAuth and limits overhead (gateway-keys[-redis] − gateway, medians):\n${authLimits.join('\n')}`);
  const cacheHits = cacheHitLines(rows);
  if (cacheHits.length) console.log(`\nCache hits (gateway-cache: all but the first request are hits):\n${cacheHits.join('\n')}`);
  const guardrails = guardrailsOverheadLines(rows);
  if (guardrails.length) console.log(`\nGuardrails (gateway-guardrails: PII scanned on requests and answers, vs gateway):\n${guardrails.join('\n')}`);

  const baseline = baselineLines(cells);
  if (baseline.length) console.log(`\nThis build against gateway-baseline (${settings.baselineRoot}; paired medians, gateway − baseline):\n${baseline.join('\n')}`);

  writeResults(cells, gateway.state === 'running' ? 'measured' : `${gateway.state}: ${gateway.reason}`);

  for (const child of children.reverse()) await stopChild(child);
  restoreGroupPriority?.();
  if (settings.profile && settings.targets.has('floor')) printProfileSummary(floorProfileDir, 'Floor');
  if (settings.profile && gateway.state === 'running') printProfileSummary(profileDir, 'Gateway');
  if (settings.profile) {
    for (const name of ['gateway-bare', 'gateway-keys', 'gateway-keys-redis', 'gateway-cache', 'gateway-guardrails', 'gateway-baseline'] as const) {
      if (active.some((target) => target.name === name)) printProfileSummary(join(profileDir, name), name);
    }
  }
}

/** Writes bench/results/latest.json (everything, per cell) and latest.md (the table, for docs). */
function writeResults(cells: Cell[], gatewayState: string): void {
  const rows = aggregate(cells, settings.maxForeignLoad);
  const verdicts = judge(rows);
  const cpu = os.cpus();
  const machine = { cpus: cpu.length, cpuModel: cpu[0]?.model ?? '?', node: process.version, kernel: os.release(), pinned, nice };
  const commit = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).stdout?.trim() || 'unknown';
  const { scenarios, targets: wanted, redisUrl, ...knobs } = settings;
  const run = { scenarios: scenarios.map((s) => s.id), targets: [...wanted], redisUrl: redactUrl(redisUrl), ...knobs };
  writeFileSync(
    join(resultsDir, 'latest.json'),
    `${JSON.stringify({ date: new Date().toISOString(), commit, machine, settings: run, gateway: gatewayState, rows, verdicts, cells }, null, 2)}\n`,
  );
  const verdictList = verdictLines(verdicts).map((line) => `- ${line}`);
  writeFileSync(join(resultsDir, 'latest.md'), `${markdownTable(rows)}\n\n${verdictList.join('\n')}\n`);
  console.log('\nwrote bench/results/latest.json and bench/results/latest.md');
}

/** The URL without its password, for logs and results. */
function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable URL)';
  }
}

/** Whether the Redis answers, and its pid when it runs on this machine (to count its CPU). */
async function probeRedis(url: string): Promise<{ ok: true; pid?: number; rttMs: number } | { ok: false; reason: string }> {
  const { Redis } = await import('ioredis');
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, connectTimeout: 2_000, retryStrategy: () => null });
  client.on('error', () => {}); // reported through the rejected calls below
  try {
    await client.connect();
    const info = await client.info('server');
    const pid = Number(/^process_id:(\d+)/m.exec(info)?.[1]);
    const local = ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(url).hostname) && existsSync(`/proc/${pid}/stat`);
    // What one round trip costs from here: the yardstick for the Redis target's added latency.
    const rtts: number[] = [];
    for (let index = 0; index < 500; index++) {
      const started = performance.now();
      await client.ping();
      rtts.push(performance.now() - started);
    }
    const rttMs = median(rtts.slice(100));
    return local ? { ok: true, pid, rttMs } : { ok: true, rttMs };
  } catch (error) {
    return { ok: false, reason: (error as Error).message };
  } finally {
    client.disconnect();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  for (const child of children) child.kill('SIGKILL');
  restoreGroupPriority?.();
  process.exitCode = 1;
});
