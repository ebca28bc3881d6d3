import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { request } from 'undici';
import { startBenchUpstream, type BenchUpstream } from './upstream.js';
import { STREAM_CONTENT_PIECES } from './upstream-payloads.js';

let upstream: BenchUpstream;
before(async () => {
  upstream = await startBenchUpstream({ chunkGapMs: 1 });
});
after(() => upstream.close());

const post = (body: unknown, path = '/v1/chat/completions') =>
  request(`${upstream.origin}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

test('non-streaming answers a chat.completion with usage, echoing the model', async () => {
  const response = await post({ model: 'bench-model', messages: [{ role: 'user', content: 'Say hello' }] });
  assert.equal(response.statusCode, 200);
  assert.equal(response.headers['content-type'], 'application/json');
  const text = await response.body.text();
  assert.equal(Number(response.headers['content-length']), Buffer.byteLength(text));
  assert.ok(text.length > 550 && text.length < 800, `body is ${text.length} bytes`);
  const completion = JSON.parse(text);
  assert.equal(completion.object, 'chat.completion');
  assert.equal(completion.model, 'bench-model');
  assert.deepEqual(completion.choices[0].message.role, 'assistant');
  assert.equal(completion.choices[0].finish_reason, 'stop');
  assert.deepEqual(
    { prompt: completion.usage.prompt_tokens, completion: completion.usage.completion_tokens, total: completion.usage.total_tokens },
    { prompt: 9, completion: 21, total: 30 },
  );
});

test('streaming answers SSE: role chunk, 20 content chunks, finish, usage, [DONE]', async () => {
  const response = await post({
    model: 'm2',
    messages: [{ role: 'user', content: 'hi' }],
    stream: true,
    stream_options: { include_usage: true },
  });
  assert.equal(response.statusCode, 200);
  assert.match(String(response.headers['content-type']), /^text\/event-stream/);
  const text = await response.body.text();
  assert.ok(text.endsWith('data: [DONE]\n\n'));
  const events = text.split('\n\n').filter(Boolean).map((frame) => frame.replace(/^data: /, ''));
  assert.equal(events.length, 24);
  const chunks = events.slice(0, -1).map((event) => JSON.parse(event));
  assert.ok(chunks.every((chunk) => chunk.object === 'chat.completion.chunk' && chunk.model === 'm2'));
  assert.deepEqual(chunks[0].choices[0].delta, { role: 'assistant', content: '', refusal: null });
  assert.deepEqual(
    chunks.slice(1, 21).map((chunk) => chunk.choices[0].delta.content),
    STREAM_CONTENT_PIECES,
  );
  assert.equal(chunks[21].choices[0].finish_reason, 'stop');
  assert.deepEqual(chunks[22].choices, []);
  assert.equal(chunks[22].usage.total_tokens, 30);
});

test('streams without stream_options too, and the first event comes before the rest', async () => {
  const started = performance.now();
  const response = await post({ model: 'bench-model', messages: [{ role: 'user', content: 'hi' }], stream: true });
  const arrivals: number[] = [];
  let text = '';
  for await (const piece of response.body) {
    arrivals.push(performance.now() - started);
    text += String(piece);
  }
  assert.ok(text.includes('"usage"'));
  assert.ok(text.endsWith('data: [DONE]\n\n'));
  assert.ok(arrivals.length > 5, `stream arrived in ${arrivals.length} pieces, expected spaced events`);
});

test('rejects what the real API rejects, with its error shape', async () => {
  const missingModel = await post({ messages: [{ role: 'user', content: 'hi' }] });
  assert.equal(missingModel.statusCode, 400);
  assert.deepEqual(await missingModel.body.json(), {
    error: { message: "Missing required parameter: 'model'.", type: 'invalid_request_error', param: 'model', code: null },
  });
  const badJson = await post('{nope');
  assert.equal(badJson.statusCode, 400);
  await badJson.body.dump();
  const wrongPath = await post({ model: 'x', messages: [] }, '/v1/completions');
  assert.equal(wrongPath.statusCode, 404);
  await wrongPath.body.dump();
});
