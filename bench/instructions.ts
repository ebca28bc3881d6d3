// `npm run bench:instructions`: instructions executed per request, counted by valgrind's callgrind,
// for the floor and the gateway variants. On a shared VM CPU time per request moves by 2-4× from
// hour to hour; instruction counts do not, so a change of a few µs can be seen in one run. They
// leave out what instructions don't show (cache misses, context switches between the gateway's
// threads), so `npm run bench` stays the measure of the targets; this one says where work went.
//
// Each proxy runs under `valgrind --tool=callgrind` (all its threads counted), gets warm-up
// requests until its JIT has settled, then the counters are zeroed (`callgrind_control -z`), the
// measured requests are sent, and the counters dumped (`-d`): instructions ÷ requests.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'undici';
import { compileBenchScripts } from './compile-helpers.js';
import { firstJsonLine } from './child-processes.js';
import { benchGatewayConfig, freePort, waitHealthy, waitReady } from './gateway-process.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const WARMUP = Number(process.env.BENCH_IR_WARMUP ?? 4000);
const MEASURED = Number(process.env.BENCH_IR_REQUESTS ?? 2000);
const CONNECTIONS = 8;
const TARGETS = (process.env.BENCH_TARGETS ?? 'floor,gateway,gateway-bare').split(',').map((name) => name.trim());
const STREAM = process.env.BENCH_IR_STREAM === '1';

interface Started {
  child: ChildProcess;
  port: number;
  outDir: string;
}

function callgrind(args: string[], cwd: string): { child: ChildProcess; outDir: string } {
  const outDir = mkdtempSync(join(tmpdir(), 'switchyard-ir-'));
  const child = spawn(
    'valgrind',
    ['--tool=callgrind', `--callgrind-out-file=${join(outDir, 'callgrind.out.%p')}`, '--dump-instr=no', process.execPath, ...args],
    { cwd, stdio: ['ignore', 'pipe', 'ignore'] },
  );
  return { child, outDir };
}

async function startTarget(name: string, upstreamPort: number, buildDir: string): Promise<Started> {
  if (name === 'floor') {
    const { child, outDir } = callgrind([join(buildDir, 'floor.js'), '--upstream', `http://127.0.0.1:${upstreamPort}`, '--port', '0'], repoRoot);
    const { port } = await firstJsonLine<{ port: number }>(child, 'floor', 120_000);
    return { child, port, outDir };
  }
  const workDir = mkdtempSync(join(tmpdir(), 'switchyard-ir-gw-'));
  const port = await freePort();
  const configPath = join(workDir, 'switchyard.yaml');
  writeFileSync(configPath, benchGatewayConfig(port, upstreamPort, { bare: name === 'gateway-bare' }));
  const { child, outDir } = callgrind([join(repoRoot, 'dist/cli/main.js'), 'start', '--config', configPath, '--port', String(port)], workDir);
  // Under valgrind start-up takes ~50× longer than usual.
  const problem = (await waitHealthy(child, port, 120_000)) ?? (await waitReady(port, 120_000));
  if (problem) {
    child.kill('SIGKILL');
    throw new Error(`${name} under valgrind: ${problem}`);
  }
  return { child, port, outDir };
}

async function load(port: number, count: number): Promise<void> {
  const agent = new Agent({ connections: CONNECTIONS, pipelining: 1 });
  const body = JSON.stringify({ model: 'bench-model', messages: [{ role: 'user', content: 'Say hello' }], stream: STREAM });
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      next++;
      const response = await request(`http://127.0.0.1:${port}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        dispatcher: agent,
      });
      await response.body.arrayBuffer();
      if (response.statusCode !== 200) throw new Error(`status ${response.statusCode}`);
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  await agent.close();
}

function control(flag: '-z' | '-d', pid: number): void {
  const result = spawnSync('callgrind_control', [flag, String(pid)], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`callgrind_control ${flag} failed: ${result.stderr || result.stdout}`);
}

/** Sums the `totals:` (or `summary:`) line of every dump written after the zeroing (all threads). */
function dumpedInstructions(outDir: string): number {
  let total = 0;
  for (const file of readdirSync(outDir)) {
    // callgrind.out.<pid>.<dump>[-<thread>]: the dump made by `-d` is numbered 1 and up.
    if (!/\.\d+(-\d+)?$/.test(file) || /\.out\.\d+$/.test(file)) continue;
    const text = readFileSync(join(outDir, file), 'utf8');
    const line = /^(?:totals|summary): (\d+)/m.exec(text);
    if (line) total += Number(line[1]);
  }
  return total;
}

async function main(): Promise<void> {
  if (spawnSync('valgrind', ['--version']).status !== 0) throw new Error('valgrind is not installed (apt-get install valgrind)');
  const buildDir = compileBenchScripts(join(repoRoot, 'bench'), join(repoRoot, 'bench/results/.build'));
  const upstream = spawn(process.execPath, [join(buildDir, 'upstream.js'), '--port', '0', '--gap-ms', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const { port: upstreamPort } = await firstJsonLine<{ port: number }>(upstream, 'upstream');
  console.log(`${STREAM ? 'streaming' : 'non-streaming'}, ${CONNECTIONS} connections, ${WARMUP} warm-up + ${MEASURED} measured requests per target`);
  const results: Array<{ name: string; perRequest: number }> = [];
  try {
    for (const name of TARGETS) {
      const target = await startTarget(name, upstreamPort, buildDir);
      try {
        await load(target.port, WARMUP);
        control('-z', target.child.pid!);
        await load(target.port, MEASURED);
        control('-d', target.child.pid!);
        const perRequest = dumpedInstructions(target.outDir) / MEASURED;
        results.push({ name, perRequest });
        console.log(`${name.padEnd(14)} ${Math.round(perRequest).toLocaleString('en-US').padStart(10)} instructions/request`);
      } finally {
        target.child.kill('SIGKILL');
        rmSync(target.outDir, { recursive: true, force: true });
      }
    }
  } finally {
    upstream.kill();
  }
  const floor = results.find((result) => result.name === 'floor');
  if (floor) for (const result of results) console.log(`${result.name.padEnd(14)} ${(result.perRequest / floor.perRequest).toFixed(2)}× the floor`);
}

await main();
