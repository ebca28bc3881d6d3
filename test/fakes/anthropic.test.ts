/** The fake Anthropic API answers and refuses like api.anthropic.com. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startFakeAnthropic } from './anthropic.js';
import { sleep } from './server.js';
import type { FakeUpstream } from './types.js';

let fake: FakeUpstream;
before(async () => {
  fake = await startFakeAnthropic();
});
after(() => fake.close());

const HEADERS = { 'content-type': 'application/json', 'x-api-key': 'k', 'anthropic-version': '2023-06-01' };
const valid = { model: 'claude-x', max_tokens: 50, messages: [{ role: 'user', content: 'Hi' }] };

async function post(body: unknown, { path = '/v1/messages', headers = HEADERS }: { path?: string; headers?: Record<string, string> } = {}) {
  const response = await fetch(`${fake.url}${path}`, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

async function rejected(body: unknown, message: string | RegExp, status = 400, options?: Parameters<typeof post>[1]) {
  const response = await post(body, options);
  assert.equal(response.status, status, response.text);
  const parsed = JSON.parse(response.text);
  assert.equal(parsed.type, 'error');
  assert.equal(typeof parsed.error.type, 'string');
  if (typeof message === 'string') assert.equal(parsed.error.message, message);
  else assert.match(parsed.error.message, message);
  return parsed.error.type as string;
}

describe('fake anthropic: request checks', () => {
  test('auth, version, path and JSON', async () => {
    assert.equal(await rejected(valid, 'x-api-key header is required', 401, { headers: { 'anthropic-version': '2023-06-01' } }), 'authentication_error');
    assert.equal(await rejected(valid, 'anthropic-version: header is required', 400, { headers: { 'x-api-key': 'k' } }), 'invalid_request_error');
    assert.equal(await rejected(valid, 'Not Found', 404, { path: '/v1/chat/completions' }), 'not_found_error');
    await rejected('{not json', /error parsing the body/);
  });

  test('fields and messages', async () => {
    await rejected({ ...valid, max_tokens: undefined }, 'max_tokens: Field required');
    await rejected({ ...valid, model: undefined }, 'model: Field required');
    await rejected({ ...valid, n: 2 }, 'n: Extra inputs are not permitted');
    await rejected({ ...valid, temperature: 1.5 }, /temperature/);
    await rejected({ ...valid, messages: [] }, /at least one message/);
    await rejected({ ...valid, messages: [{ role: 'system', content: 'S' }, ...valid.messages] }, "messages.0.role: Input should be 'user' or 'assistant'");
    await rejected({ ...valid, messages: [{ role: 'assistant', content: 'A' }] }, /first message must use the "user" role/);
    await rejected({ ...valid, messages: [{ role: 'user', content: 'a' }, { role: 'user', content: 'b' }] }, /roles must alternate/);
    await rejected({ ...valid, messages: [{ role: 'user', content: [{ type: 'text', text: '' }] }] }, /text content blocks must be non-empty/);
    await rejected({ ...valid, messages: [{ role: 'user', content: [{ type: 'text', text: 'x', name: 'n' }] }] }, 'messages.0.content.0.text.name: Extra inputs are not permitted');
    await rejected({ ...valid, messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/bmp', data: 'x' } }] }] }, /media_type/);
    await rejected({ ...valid, system: [{ type: 'image' }] }, /system.0.type/);
  });

  test('tool_use / tool_result pairing and placement', async () => {
    const call = { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'f', input: {} }] };
    const result = (id: string) => ({ type: 'tool_result', tool_use_id: id, content: 'ok' });
    await rejected({ ...valid, messages: [{ role: 'user', content: 'q' }, call, { role: 'user', content: [result('toolu_9')] }] }, /unexpected `tool_use_id` found in `tool_result` blocks: toolu_9/);
    await rejected({ ...valid, messages: [{ role: 'user', content: 'q' }, call, { role: 'user', content: 'no result' }] }, /`tool_use` ids were found without `tool_result` blocks immediately after: toolu_1/);
    await rejected({ ...valid, messages: [{ role: 'user', content: 'q' }, call, { role: 'user', content: [{ type: 'text', text: 'x' }, result('toolu_1')] }] }, /must come before/);
    await rejected({ ...valid, messages: [{ role: 'user', content: [{ type: 'tool_use', id: 't', name: 'f', input: {} }] }] }, /only appear in assistant messages/);
    const ok = await post({ ...valid, messages: [{ role: 'user', content: 'q' }, call, { role: 'user', content: [result('toolu_1'), { type: 'text', text: 'go' }] }] });
    assert.equal(ok.status, 200, ok.text);
  });

  test('tools, tool_choice and thinking', async () => {
    const tool = { name: 'f', input_schema: { type: 'object' } };
    await rejected({ ...valid, tools: [{ name: 'bad name', input_schema: { type: 'object' } }] }, /tools.0.custom.name/);
    await rejected({ ...valid, tools: [{ name: 'f', parameters: {} }] }, /input_schema/);
    await rejected({ ...valid, tools: [tool, tool] }, 'tools: Tool names must be unique.');
    await rejected({ ...valid, tools: [tool], tool_choice: { type: 'tool', name: 'g' } }, /not found/);
    await rejected({ ...valid, max_tokens: 5000, thinking: { type: 'enabled', budget_tokens: 500 } }, /greater than or equal to 1024/);
    await rejected({ ...valid, thinking: { type: 'enabled', budget_tokens: 2000 } }, '`max_tokens` must be greater than `thinking.budget_tokens`');
    await rejected({ ...valid, max_tokens: 5000, tools: [tool], tool_choice: { type: 'any' }, thinking: { type: 'enabled', budget_tokens: 2000 } }, /Thinking may not be enabled/);
    await rejected(valid, 'max_tokens: Extra inputs are not permitted', 400, { path: '/v1/messages/count_tokens' });
  });
});

describe('fake anthropic: answers', () => {
  test('a non-streaming message with the real shape and usage placement', async () => {
    fake.script = { reasoning: 'r', text: 'Hello', toolCalls: [{ id: 'toolu_1', name: 'f', arguments: '{"a":1}' }], usage: { input: 20, output: 6, cached: 5 } };
    const response = await post(valid);
    assert.equal(response.status, 200);
    const message = JSON.parse(response.text);
    assert.match(message.id, /^msg_/);
    assert.deepEqual({ ...message, id: 'x', content: message.content.map((block: { type: string }) => block.type) }, {
      id: 'x',
      type: 'message',
      role: 'assistant',
      model: 'claude-x',
      content: ['thinking', 'text', 'tool_use'],
      stop_reason: 'tool_use',
      stop_sequence: null,
      usage: { input_tokens: 15, cache_creation_input_tokens: 0, cache_read_input_tokens: 5, output_tokens: 6, service_tier: 'standard' },
    });
    assert.deepEqual(message.content[2], { type: 'tool_use', id: 'toolu_1', name: 'f', input: { a: 1 } });
  });

  test('a stream with event lines, ping, input_json_delta pieces and usage in message_start / message_delta', async () => {
    fake.script = { text: 'Hi!', toolCalls: [{ id: 't', name: 'f', arguments: '{"a":1}' }], usage: { input: 9, output: 3 }, chunkChars: 4 };
    const response = await post({ ...valid, stream: true });
    assert.equal(response.headers.get('content-type'), 'text/event-stream; charset=utf-8');
    const events = response.text.split('\n\n').filter(Boolean).map((frame) => {
      const [eventLine, dataLine] = frame.split('\n');
      const data = JSON.parse(dataLine!.slice('data: '.length));
      assert.equal(eventLine, `event: ${data.type}`);
      return data;
    });
    assert.deepEqual(events.map((event) => event.delta?.type ?? event.content_block?.type ?? event.type), [
      'message_start', 'ping',
      'text', 'text_delta', 'content_block_stop',
      'tool_use', 'input_json_delta', 'input_json_delta', 'input_json_delta', 'content_block_stop',
      'message_delta', 'message_stop',
    ]);
    assert.deepEqual(events[0].message.usage, { input_tokens: 9, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 1, service_tier: 'standard' });
    assert.deepEqual(events.at(-2), { type: 'message_delta', delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { input_tokens: 9, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 3 } });
    assert.deepEqual(events.filter((event) => event.delta?.type === 'input_json_delta').map((event) => event.delta.partial_json), ['', '{"a"', ':1}']);
  });

  test('script errors, count_tokens and hang', async () => {
    fake.script = { error: { status: 429, message: 'Too many', headers: { 'retry-after': '5' } } };
    const limited = await post(valid);
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get('retry-after'), '5');
    assert.deepEqual(JSON.parse(limited.text).error, { type: 'rate_limit_error', message: 'Too many' });
    fake.script = {};
    const counted = await post({ model: 'claude-x', messages: valid.messages }, { path: '/v1/messages/count_tokens' });
    assert.ok(JSON.parse(counted.text).input_tokens > 0);
    fake.script = { hang: true };
    const controller = new AbortController();
    const pending = fetch(`${fake.url}/v1/messages`, { method: 'POST', headers: HEADERS, body: JSON.stringify(valid), signal: controller.signal });
    await sleep(50);
    controller.abort();
    await assert.rejects(pending);
    await sleep(50);
    assert.equal(fake.aborted.at(-1)?.json.model, 'claude-x');
  });
});
