import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { request } from 'undici';
import { startFloorProxy, type FloorProxy } from './floor.js';
import { runLoad } from './loadgen.js';
import { requestBody } from './scenarios.js';
import { startBenchUpstream, type BenchUpstream } from './upstream.js';

let upstream: BenchUpstream;
let floor: FloorProxy;
before(async () => {
  upstream = await startBenchUpstream({ chunkGapMs: 1 });
  floor = await startFloorProxy(upstream.origin);
});
after(async () => {
  await floor.close();
  await upstream.close();
});

async function fetchBoth(body: string, path = '/v1/chat/completions') {
  const fetchFrom = async (port: number) => {
    const response = await request(`http://127.0.0.1:${port}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    return { status: response.statusCode, type: response.headers['content-type'], text: await response.body.text() };
  };
  return { direct: await fetchFrom(upstream.port), viaFloor: await fetchFrom(floor.port) };
}

test('the floor passes non-streaming answers through byte for byte', async () => {
  const { direct, viaFloor } = await fetchBoth(requestBody(false));
  assert.equal(viaFloor.status, 200);
  assert.deepEqual(viaFloor, direct);
});

test('the floor passes streams and upstream errors through byte for byte', async () => {
  const stream = await fetchBoth(requestBody(true));
  assert.deepEqual(stream.viaFloor, stream.direct);
  assert.ok(stream.viaFloor.text.endsWith('data: [DONE]\n\n'));
  const error = await fetchBoth('{"messages":[]}');
  assert.equal(error.viaFloor.status, 400);
  assert.deepEqual(error.viaFloor, error.direct);
});

test('the load generator drives the floor and counts complete streams', async () => {
  const result = await runLoad({
    host: '127.0.0.1',
    port: floor.port,
    path: '/v1/chat/completions',
    body: requestBody(true),
    connections: 4,
    warmupS: 0.1,
    durationS: 0.5,
    stream: true,
    watchPids: { proxy: process.pid },
  });
  assert.equal(result.errors, 0, JSON.stringify(result.errorKinds));
  assert.ok(result.completed > 10, `completed ${result.completed}`);
  assert.ok(result.firstByteMs.p50 < result.latencyMs.p50, 'first byte comes before the end of the stream');
  assert.ok(result.meanBodyBytes > 6000 && result.meanBodyBytes < 7500, `mean body ${result.meanBodyBytes}`);
  assert.ok(result.cpuMs.proxy! > 0 && result.cpuMs.loadgen! > 0);
});

test('the load generator reports non-200 answers as errors', async () => {
  const result = await runLoad({
    host: '127.0.0.1',
    port: floor.port,
    path: '/v1/chat/completions',
    body: '{"messages":[]}',
    connections: 2,
    warmupS: 0.05,
    durationS: 0.2,
    stream: false,
    watchPids: {},
  });
  assert.equal(result.throughput, 0);
  assert.ok(result.errors > 0);
  assert.deepEqual(Object.keys(result.errorKinds), ['status 400']);
});
