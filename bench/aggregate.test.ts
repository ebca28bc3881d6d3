import assert from 'node:assert/strict';
import { test } from 'node:test';
import { aggregate, judge, type Row } from './aggregate.js';
import type { LoadgenResult } from './loadgen.js';
import { authLimitsOverheadLines, baselineLines, cacheHitLines, markdownTable, textTable, verdictLines } from './report.js';
import { SCENARIOS, toCell, type Cell, type TargetName } from './scenarios.js';

const latency = (p50: number) => ({ p50, p90: p50, p99: p50 * 2, mean: p50, samples: 10 });

function cell(round: number, scenarioId: string, target: TargetName, numbers: { rps: number; p50: number; ttfc?: number; cpuMs?: number }): Cell {
  const scenario = SCENARIOS.find((s) => s.id === scenarioId)!;
  const load: LoadgenResult = {
    completed: numbers.rps,
    errors: 0,
    errorKinds: {},
    elapsedS: 1,
    throughput: numbers.rps,
    latencyMs: latency(numbers.p50),
    firstByteMs: latency(numbers.ttfc ?? Number.NaN),
    cpuMs: {
      upstream: 300,
      loadgen: 200,
      ...(numbers.cpuMs === undefined ? {} : { proxy: numbers.cpuMs, proxyMainThread: numbers.cpuMs * 0.75 }),
    },
    coreBusyMs: [510, (numbers.cpuMs ?? 0) + 20],
    runQueueWaitMs: { proxy: 30, upstream: 5, loadgen: 5 },
    meanBodyBytes: 600,
  };
  return toCell(round, scenario, target, load, target === 'direct' ? undefined : 50 + round, { driver: 0, proxy: 1 });
}

const cells: Cell[] = [];
for (const round of [1, 2, 3]) {
  const noise = round === 2 ? 1.5 : 1; // one noisy round the medians must ignore
  cells.push(cell(round, 'json-64', 'direct', { rps: 30000, p50: 1 }));
  cells.push(cell(round, 'json-64', 'floor', { rps: 10000 / noise, p50: 2 * noise, cpuMs: 600 }));
  cells.push(cell(round, 'json-64', 'gateway', { rps: 9000, p50: 2.5, cpuMs: 648 }));
  cells.push(cell(round, 'stream-1', 'direct', { rps: 40, p50: 25, ttfc: 0.2 }));
  cells.push(cell(round, 'stream-1', 'floor', { rps: 39, p50: 26, ttfc: 0.5, cpuMs: 100 }));
  cells.push(cell(round, 'stream-1', 'gateway', { rps: 39, p50: 26.5, ttfc: 0.9, cpuMs: 130 }));
}

test('cells derive CPU per request and core-0 load from the load generator result', () => {
  const floorCell = cells.find((c) => c.target === 'floor' && c.scenario === 'json-64')!;
  assert.equal(floorCell.proxyCpuPerRequestUs, 60);
  assert.equal(floorCell.core0Busy, 0.5);
  assert.equal(floorCell.proxyMainThreadShare, 0.75);
  assert.equal(floorCell.foreignLoad, 0.02);
  assert.equal(cells[0]!.foreignLoad, 0.01, 'direct only counts its own (driver) core');
  assert.equal(cells[0]!.proxyCpuPerRequestUs, undefined);
});

test('rows are per-round medians; added latency is against direct in the same round', () => {
  const rows = aggregate(cells);
  assert.deepEqual(
    rows.map((r) => [r.scenario, r.target]),
    [
      ['json-64', 'direct'], ['json-64', 'floor'], ['json-64', 'gateway'],
      ['stream-1', 'direct'], ['stream-1', 'floor'], ['stream-1', 'gateway'],
    ],
  );
  const floor = rows.find((r) => r.scenario === 'json-64' && r.target === 'floor')!;
  assert.equal(floor.throughput, 10000);
  assert.equal(floor.addedP50Ms, 1);
  assert.equal(floor.cpuPerRequestUs, 60);
  assert.equal(floor.peakRssMb, 53);
  assert.equal(floor.disturbed, 0);
  assert.equal(aggregate(cells, 0.015).find((r) => r.target === 'floor')!.disturbed, 3);
  assert.ok(Number.isNaN(floor.ttfcP50Ms));
  assert.ok(Number.isNaN(floor.vsFloor.ttfcP50DeltaMs), 'no time to first chunk for non-streaming answers');
  const gatewayStream = rows.find((r) => r.scenario === 'stream-1' && r.target === 'gateway')!;
  assert.equal(gatewayStream.ttfcP50Ms, 0.9);
});

test('the gateway is judged against the floor on every target', () => {
  const verdicts = judge(aggregate(cells));
  const summary = verdicts.map((v) => `${v.scenario} ${v.metric} ${v.value.toFixed(3)} ${v.pass ? 'PASS' : 'FAIL'}`);
  assert.deepEqual(summary, [
    'json-64 throughput 0.900 PASS',
    'json-64 cpu per request 1.200 PASS',
    'stream-1 throughput 1.000 PASS',
    'stream-1 cpu per request 1.300 FAIL',
    'stream-1 time to first chunk 0.400 FAIL',
  ]);
});

test('tables show absolute numbers and ratios to the floor', () => {
  const rows = aggregate(cells);
  const text = textTable(rows);
  assert.match(text, /non-stream c=64\s+gateway\s+9000\s+0\.90×\s+72\.0\s+1\.20×/);
  assert.match(text, /stream c=1\s+gateway .* 0\.900\s+\+0\.400/);
  const markdown = markdownTable(rows).split('\n');
  assert.equal(markdown.length, 2 + rows.length);
  assert.ok(markdown[3]!.startsWith('| non-stream c=64 | floor | 10000 | 1.00× | 60.0 | 1.00× |'));
  assert.match(verdictLines(judge(rows))[4]!, /stream c=1: time to first chunk\s+\+0\.400 ms\s+\(target ≤ \+0\.3 ms\)\s+FAIL/);
});

test('ratios pair each round with the floor of the same round', () => {
  // The machine drifts: both proxies need more CPU in later rounds. Unpaired medians would say 1.0×.
  const drift: Cell[] = [];
  const floorCpu = [100, 200, 300];
  const gatewayCpu = [110, 220, 200];
  for (const round of [1, 2, 3]) {
    drift.push(cell(round, 'stream-1', 'direct', { rps: 40, p50: 25, ttfc: 0.2 }));
    drift.push(cell(round, 'stream-1', 'floor', { rps: 40, p50: 25.01, ttfc: 0.5, cpuMs: floorCpu[round - 1]! }));
    drift.push(cell(round, 'stream-1', 'gateway', { rps: 40, p50: 25.5, ttfc: 0.5 + round / 10, cpuMs: gatewayCpu[round - 1]! }));
  }
  const gateway = aggregate(drift).find((r) => r.target === 'gateway')!;
  assert.equal(gateway.vsFloor.cpuPerRequest.toFixed(3), '1.100');
  assert.equal(gateway.vsFloor.ttfcP50DeltaMs.toFixed(3), '0.200');
  assert.ok(Number.isNaN(gateway.vsFloor.addedP50), 'the floor adds under 0.05 ms: no ratio');
  assert.equal(judge(aggregate(drift)).find((v) => v.metric === 'cpu per request')!.value.toFixed(3), '1.100');
});

test('auth and limits overhead pairs the keys targets with the gateway of the same round', () => {
  const keyed: Cell[] = [];
  for (const round of [1, 2, 3]) {
    const drift = round * 0.1; // the machine slows down; pairing cancels it
    keyed.push(cell(round, 'json-1', 'gateway', { rps: 5000, p50: 0.2 + drift, cpuMs: 500 }));
    keyed.push(cell(round, 'json-1', 'gateway-keys', { rps: 4900, p50: 0.23 + drift, cpuMs: 510 }));
    keyed.push(cell(round, 'json-1', 'gateway-keys-redis', { rps: 4000, p50: 0.35 + drift, cpuMs: 520 }));
  }
  for (const round of [1, 2, 3]) {
    keyed.push(cell(round, 'stream-1', 'gateway', { rps: 39, p50: 26, ttfc: 0.5, cpuMs: 100 }));
    keyed.push(cell(round, 'stream-1', 'gateway-keys', { rps: 39, p50: 26.3, ttfc: 0.55, cpuMs: 100 }));
  }
  const lines = authLimitsOverheadLines(keyed, 0.05);
  assert.equal(lines.length, 3);
  assert.match(lines[1]!, /gateway-keys\s+stream c=1\s+p50 \+0\.300 ms, TTFC p50 \+0\.050 ms \(target ≤ \+0\.100: PASS\)/, 'streams are judged on time to first chunk');
  lines.splice(1, 1);
  assert.match(lines[0]!, /gateway-keys\s+non-stream c=1\s+p50 \+0\.030 ms \(target ≤ \+0\.100: PASS\), CPU \+4\.1 µs\/req, throughput 0\.98×/);
  assert.match(lines[1]!, /gateway-keys-redis\s+non-stream c=1\s+p50 \+0\.150 ms \(Redis PING round trip 0\.050 ms\), CPU \+30\.0 µs\/req, throughput 0\.80×/);
  assert.deepEqual(authLimitsOverheadLines(keyed.filter((c) => c.target !== 'gateway')), [], 'nothing to compare without gateway');
});

test('cache hits are reported per scenario, judged against 0.3 ms p50 at one connection, next to the gateway', () => {
  const row = (scenario: string, target: TargetName, p50Ms: number, throughput: number) =>
    ({ scenario, target, p50Ms, throughput, cpuPerRequestUs: 40, ttfcP50Ms: 0.2 }) as unknown as Row;
  const lines = cacheHitLines([row('json-1', 'gateway-cache', 0.12, 8000), row('json-1', 'gateway', 0.25, 4000), row('json-64', 'gateway-cache', 0.9, 9000)]);
  assert.equal(lines.length, 2);
  assert.match(lines[0]!, /non-stream c=1\s+p50 0\.120 ms \(target ≤ 0\.300: PASS\), CPU 40\.0 µs\/req; gateway 0\.250 ms, 40\.0 µs\/req, 2\.00× its throughput/);
  assert.doesNotMatch(lines[1]!, /target/, 'only one connection is judged');
});

test('another build is compared with this one round by round (gateway − gateway-baseline)', () => {
  const both: Cell[] = [];
  for (const round of [1, 2, 3]) {
    const drift = round * 0.1; // the machine slows down; pairing cancels it
    both.push(cell(round, 'json-64', 'gateway', { rps: 5500 / (1 + drift), p50: 0.2 + drift, cpuMs: 528 }));
    both.push(cell(round, 'json-64', 'gateway-baseline', { rps: 5000 / (1 + drift), p50: 0.25 + drift, cpuMs: 500 }));
  }
  const lines = baselineLines(both);
  assert.equal(lines.length, 1);
  assert.match(lines[0]!, /non-stream c=64\s+CPU -4\.8 µs\/req, throughput 1\.10×, p50 -0\.050 ms/);
  assert.deepEqual(baselineLines(both.filter((c) => c.target !== 'gateway-baseline')), [], 'nothing without a baseline');
});
