/** `logging.webhooks`: log rows POSTed in JSON batches, retried with backoff, refused batches counted. */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { startFakeOpenAI } from '../fakes/openai.js';
import type { FakeUpstream } from '../fakes/types.js';
import { postJson, startTestGateway, waitFor, type TestGateway } from './harness.js';

interface Receiver {
  url: string;
  batches: Array<{ data: any[] }>;
  /** Every POST received, answered 200 or not. */
  posts: number;
  /** Status to answer for the next POSTs, in order; 200 once exhausted. */
  answers: number[];
  close(): Promise<void>;
}

async function startReceiver(answers: number[]): Promise<Receiver> {
  const receiver: Receiver = { url: '', batches: [], posts: 0, answers, close: async () => {} };
  const server = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      receiver.posts++;
      const status = receiver.answers.shift() ?? 200;
      if (status === 200) {
        assert.equal(request.headers['content-type'], 'application/json');
        receiver.batches.push(JSON.parse(body));
      }
      response.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook?token=secret-token`;
  receiver.close = () => new Promise((resolve) => server.close(() => resolve()));
  return receiver;
}

let upstream: FakeUpstream;
let flaky: Receiver;
let refusing: Receiver;
let gateway: TestGateway;

before(async () => {
  upstream = await startFakeOpenAI({ usage: { input: 4, output: 2 } });
  flaky = await startReceiver([503, 503]);
  refusing = await startReceiver([400, 400, 400, 400, 400, 400, 400, 400]);
  gateway = await startTestGateway(`
storage: memory
logging: { requests: false, webhooks: ["${flaky.url}", "${refusing.url}"] }
providers:
  up: { type: openai, base_url: "${upstream.url}", api_key: sk-x }
models:
  m: { targets: [{ provider: up, model: gpt-4.1-mini }] }
`);
});

after(async () => {
  await gateway.stop();
  await upstream.close();
  await flaky.close();
  await refusing.close();
});

test('rows reach a webhook that failed twice; a webhook that refuses them has them counted as dropped', async () => {
  const ids: string[] = [];
  for (let i = 0; i < 5; i++) {
    const reply = await postJson(`${gateway.url}/v1/chat/completions`, { model: 'm', messages: [{ role: 'user', content: `n${i}` }] }, { 'x-switchyard-tags': 'hooked' });
    assert.equal(reply.status, 200);
    ids.push(reply.headers.get('x-request-id')!);
  }
  const delivered = () => new Set(flaky.batches.flatMap((batch) => batch.data.map((row) => row.id)));
  await waitFor(() => ids.every((id) => delivered().has(id)), 15_000);
  const row = flaky.batches.flatMap((batch) => batch.data).find((r) => r.id === ids[0]);
  assert.deepEqual([row.model, row.provider, row.input_tokens, row.output_tokens, row.tags], ['m', 'up', 4, 2, ['hooked']]);
  assert.ok(!Number.isNaN(Date.parse(row.created_at)));
  assert.equal(refusing.batches.length, 0);
  await waitFor(async () => /switchyard_log_rows_dropped_total\{sink="webhook"\} 5/.test(await (await fetch(`${gateway.url}/metrics`)).text()), 10_000);
  // A refusal (4xx other than 408/429) is final: no retry, unlike the 503s above. Retries would
  // come after 0.5 s and 1 s; none comes in 1.5 s.
  const refusedPosts = refusing.posts;
  assert.ok(refusedPosts >= 1 && refusedPosts <= 5, `${refusedPosts} refused POSTs for 5 rows`);
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  assert.equal(refusing.posts, refusedPosts, 'a refused batch is not sent again');
  assert.equal(refusing.batches.length, 0);
});
