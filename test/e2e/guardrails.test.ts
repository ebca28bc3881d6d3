/** Guardrails (`guardrails:`) through the running gateway: the fake upstream asserts what it was sent. */
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { startFakeOpenAI } from '../fakes/openai.js';
import type { FakeUpstream } from '../fakes/types.js';
import { postJson, startTestGateway, waitFor, type TestGateway } from './harness.js';

const EMAIL = 'ada.lovelace@example.com';
const PHONE = '+44 20 7946 0958';
const CARD = '4111 1111 1111 1111';
const MASTER = { authorization: 'Bearer master-secret' };

function config(upstreamUrl: string, guardrails: string, extra = ''): string {
  return `
server: { master_key: master-secret }
storage: memory
guardrails: ${guardrails}
providers:
  up: { type: openai, base_url: "${upstreamUrl}", api_key: sk-up }
models:
  fast: { targets: [{ provider: up, model: gpt-4.1-mini }] }
${extra}
keys:
  - { name: alice, key: sk-alice-0001 }
  - { name: trusted, key: sk-trusted-0001, guardrails: { pii: false } }
`;
}

const chat = (gateway: TestGateway, body: Record<string, unknown>, headers: Record<string, string> = MASTER) =>
  postJson(`${gateway.url}/v1/chat/completions`, { model: 'fast', ...body }, headers);
/** A message's text, whether the provider got it as a string or as parts. */
const textOf = (content: unknown): string => (typeof content === 'string' ? content : (content as Array<{ text?: string }>).map((part) => part.text ?? '').join(''));
const lastBody = (upstream: FakeUpstream): string => upstream.requests.filter((r) => r.url === '/v1/chat/completions').at(-1)!.body;

async function logRow(gateway: TestGateway, id: string): Promise<any> {
  await waitFor(async () => (await fetch(`${gateway.url}/admin/logs/${id}`, { headers: MASTER })).status === 200, 3000);
  return (await fetch(`${gateway.url}/admin/logs/${id}`, { headers: MASTER })).json();
}

describe('PII redaction on requests', () => {
  let upstream: FakeUpstream;
  let gateway: TestGateway;
  before(async () => {
    upstream = await startFakeOpenAI({ text: 'Noted.', usage: { input: 10, output: 2 } });
    gateway = await startTestGateway(config(upstream.url, '{ pii: { action: redact } }'));
  });
  after(async () => {
    await gateway.stop();
    await upstream.close();
  });

  test('no PII reaches the provider: every role, tool call arguments and tool results are redacted; the log counts types, never values', async () => {
    const response = await chat(gateway, {
      messages: [
        { role: 'system', content: `Escalations go to ${EMAIL}.` },
        { role: 'user', content: [{ type: 'text', text: `Call me on ${PHONE}, card ${CARD}.` }] },
        { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'crm', arguments: JSON.stringify({ email: EMAIL }) } }] },
        { role: 'tool', tool_call_id: 'c1', content: `Found customer, SSN 078-05-1120, IBAN GB82 WEST 1234 5698 7654 32.` },
      ],
    });
    assert.equal(response.status, 200);
    const sent = lastBody(upstream);
    for (const value of [EMAIL, PHONE, CARD, '078-05-1120', 'GB82 WEST 1234 5698 7654 32']) assert.ok(!sent.includes(value), `the provider never sees ${value}`);
    const body = JSON.parse(sent);
    assert.equal(textOf(body.messages[0].content), 'Escalations go to [EMAIL].');
    assert.equal(textOf(body.messages[1].content), 'Call me on [PHONE], card [CREDIT_CARD].');
    assert.deepEqual(JSON.parse(body.messages[2].tool_calls[0].function.arguments), { email: '[EMAIL]' });
    assert.equal(textOf(body.messages[3].content), 'Found customer, SSN [SSN], IBAN [IBAN].');
    const row = await logRow(gateway, response.headers.get('x-request-id')!);
    assert.ok(row.guardrails.ran.includes('pii'));
    const count = (type: string) => row.guardrails.hits.find((h: any) => h.type === type && h.stage === 'input')?.count;
    assert.equal(count('email'), 2);
    assert.equal(count('phone'), 1);
    assert.equal(count('credit_card'), 1);
    assert.ok(!JSON.stringify(row).includes(EMAIL), 'the log row never holds a value');
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    assert.match(metrics, /switchyard_guardrail_hits_total\{guardrail="pii",type="email",action="redact",stage="input"\} [2-9]/);
  });

  test('with input scanning only, a request without PII is passed through byte for byte, and one with PII as its rewritten body', async () => {
    const inputOnly = await startTestGateway(config(upstream.url, '{ pii: { action: redact, output: false } }').replace('model: gpt-4.1-mini', 'model: fast'));
    try {
      const raw = '{"model":"fast","messages":[{"role":"user","content":"What is 2+2?"}],  "max_tokens":5}';
      const response = await postJson(`${inputOnly.url}/v1/chat/completions`, raw, MASTER);
      assert.equal(response.status, 200);
      assert.equal(lastBody(upstream), raw);
      const rewritten = await postJson(`${inputOnly.url}/v1/chat/completions`, { model: 'fast', messages: [{ role: 'user', content: `Mail ${EMAIL}` }], max_tokens: 5 }, MASTER);
      assert.equal(rewritten.status, 200);
      assert.equal(lastBody(upstream), '{"model":"fast","messages":[{"role":"user","content":"Mail [EMAIL]"}],"max_tokens":5}', 'the client format kept, no translation');
    } finally {
      await inputOnly.stop();
    }
  });

  test('PII in the answer is redacted too, in JSON and in streams cut every 3 characters', async () => {
    upstream.script = { text: `Write to ${EMAIL} today.`, chunkChars: 3, usage: { input: 5, output: 5 } };
    try {
      const json = await chat(gateway, { messages: [{ role: 'user', content: 'Who do I write to?' }] });
      assert.equal(json.json.choices[0].message.content, 'Write to [EMAIL] today.');
      const client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'master-secret' });
      const stream = await client.chat.completions.create({ model: 'fast', stream: true, messages: [{ role: 'user', content: 'Who?' }] });
      let text = '';
      for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
      assert.equal(text, 'Write to [EMAIL] today.');
    } finally {
      upstream.script = { text: 'Noted.', usage: { input: 10, output: 2 } };
    }
  });

  test('texts sent to /v1/embeddings are guarded too: the provider never sees the values', async () => {
    const response = await postJson(`${gateway.url}/v1/embeddings`, { model: 'fast', input: [`Profile of ${EMAIL}`, 'plain text'] }, MASTER);
    assert.equal(response.status, 200);
    const sent = JSON.parse(upstream.requests.filter((r) => r.url === '/v1/embeddings').at(-1)!.body);
    assert.deepEqual(sent.input, ['Profile of [EMAIL]', 'plain text']);
  });

  test('a key can turn PII scanning off for itself (keys[].guardrails layered on the global ones)', async () => {
    const response = await chat(gateway, { messages: [{ role: 'user', content: `Mail ${EMAIL}` }] }, { authorization: 'Bearer sk-trusted-0001' });
    assert.equal(response.status, 200);
    assert.ok(lastBody(upstream).includes(EMAIL));
  });
});

describe('PII masking', () => {
  let upstream: FakeUpstream;
  let gateway: TestGateway;
  before(async () => {
    upstream = await startFakeOpenAI({ text: 'I will email <EMAIL_1> and call <PHONE_1>.', usage: { input: 10, output: 2 }, chunkChars: 1 });
    gateway = await startTestGateway(config(upstream.url, '{ pii: { action: mask } }'));
  });
  after(async () => {
    await gateway.stop();
    await upstream.close();
  });

  test('the provider sees stable placeholders; the client sees its values back, JSON and streamed one character at a time', async () => {
    const messages = [{ role: 'user', content: `Email ${EMAIL}, then call ${PHONE}. Again: ${EMAIL}.` }];
    const json = await chat(gateway, { messages });
    assert.equal(json.status, 200);
    const sent = JSON.parse(lastBody(upstream));
    assert.equal(sent.messages[0].content, 'Email <EMAIL_1>, then call <PHONE_1>. Again: <EMAIL_1>.');
    assert.equal(json.json.choices[0].message.content, `I will email ${EMAIL} and call ${PHONE}.`);
    assert.equal(json.headers.get('x-switchyard-cache'), null);
    const client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'master-secret' });
    const stream = await client.chat.completions.create({ model: 'fast', stream: true, messages: messages as any });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    assert.equal(text, `I will email ${EMAIL} and call ${PHONE}.`);
  });

  test('an Anthropic client on an OpenAI provider: masked, translated, restored (official SDK, streamed)', async () => {
    const client = new Anthropic({ baseURL: gateway.url, apiKey: 'master-secret' });
    const stream = client.messages.stream({ model: 'fast', max_tokens: 50, messages: [{ role: 'user', content: `Reach me at ${EMAIL} or ${PHONE}` }] });
    const message = await stream.finalMessage();
    assert.equal(message.content[0]!.type === 'text' && message.content[0]!.text, `I will email ${EMAIL} and call ${PHONE}.`);
    assert.ok(!lastBody(upstream).includes(EMAIL));
  });
});

describe('blocking, deny rules, max_input_tokens', () => {
  let upstream: FakeUpstream;
  let gateway: TestGateway;
  before(async () => {
    upstream = await startFakeOpenAI({ text: 'Project Bluebird ships in May.', usage: { input: 10, output: 2 } });
    const guardrails = `
  pii: { action: redact, actions: { credit_card: block, api_key: block } }
  deny:
    - { name: competitors, words: [Globex, "Initech Corp"] }
    - { name: codenames, pattern: "project\\\\s+bluebird", on: output, action: redact }
  max_input_tokens: 50`;
    gateway = await startTestGateway(config(upstream.url, guardrails));
  });
  after(async () => {
    await gateway.stop();
    await upstream.close();
  });

  test('block: 400 guardrail_blocked naming the types found, never the values, in each API\'s shape; nothing sent upstream', async () => {
    const calls = upstream.requests.length;
    const openai = await chat(gateway, { messages: [{ role: 'user', content: `Card ${CARD}, key sk-proj-Ab3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5bC7dE9fG1hJ3kL5mN7pQ9rS1tU3vW5x, mail ${EMAIL}` }] });
    assert.equal(openai.status, 400);
    assert.equal(openai.json.error.code, 'guardrail_blocked');
    assert.match(openai.json.error.message, /credit_card/);
    assert.match(openai.json.error.message, /api_key/);
    assert.ok(!openai.text.includes('4111'), 'the value is never echoed');
    const anthropic = await postJson(`${gateway.url}/v1/messages`, { model: 'fast', max_tokens: 10, messages: [{ role: 'user', content: `Card ${CARD}` }] }, MASTER);
    assert.equal(anthropic.status, 400);
    assert.equal(anthropic.json.type, 'error');
    assert.equal(anthropic.json.error.type, 'invalid_request_error');
    assert.equal(upstream.requests.length, calls, 'a blocked request never reaches the provider');
  });

  test('deny words block whole words only; a deny pattern on output redacts the answer', async () => {
    const denied = await chat(gateway, { messages: [{ role: 'user', content: 'Compare us with initech corp.' }] });
    assert.equal(denied.status, 400);
    assert.match(denied.json.error.message, /deny rule "competitors"/);
    const fine = await chat(gateway, { messages: [{ role: 'user', content: 'Globexample is a made-up word.' }] });
    assert.equal(fine.status, 200);
    assert.equal(fine.json.choices[0].message.content, '[REDACTED] ships in May.');
  });

  test('max_input_tokens refuses a longer prompt', async () => {
    const long = await chat(gateway, { messages: [{ role: 'user', content: 'word '.repeat(200) }] });
    assert.equal(long.status, 400);
    assert.match(long.json.error.message, /more than max_input_tokens \(50\)/);
  });
});

describe('guardrail webhook', () => {
  let upstream: FakeUpstream;
  let hook: http.Server;
  let hookUrl: string;
  const seen: any[] = [];
  let answer: (payload: any) => { status?: number; body?: unknown; delayMs?: number } = () => ({ body: { action: 'allow' } });
  before(async () => {
    upstream = await startFakeOpenAI({ text: 'Fine.', usage: { input: 3, output: 1 } });
    hook = http.createServer((request, response) => {
      let text = '';
      request.on('data', (chunk) => (text += chunk));
      request.on('end', () => {
        const payload = JSON.parse(text);
        seen.push({ payload, headers: request.headers });
        const reply = answer(payload);
        setTimeout(() => {
          response.writeHead(reply.status ?? 200, { 'content-type': 'application/json' });
          response.end(JSON.stringify(reply.body ?? {}));
        }, reply.delayMs ?? 0);
      });
    });
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
    hookUrl = `http://127.0.0.1:${(hook.address() as { port: number }).port}/check`;
  });
  after(async () => {
    await upstream.close();
    hook.closeAllConnections();
    await new Promise((resolve) => hook.close(resolve));
  });

  test('allow, deny (with its reason), modify (the new body goes upstream), timeout fail-closed and fail-open', async () => {
    const gateway = await startTestGateway(config(upstream.url, `{ webhook: { url: "${hookUrl}", timeout_ms: 200, headers: { x-hook-secret: s3cret } } }`));
    const open = await startTestGateway(config(upstream.url, `{ webhook: { url: "${hookUrl}", timeout_ms: 200, on_error: allow } }`));
    try {
      answer = () => ({ body: { action: 'allow' } });
      const allowed = await chat(gateway, { messages: [{ role: 'user', content: 'hello' }] }, { authorization: 'Bearer sk-alice-0001' });
      assert.equal(allowed.status, 200);
      const last = seen.at(-1);
      assert.equal(last.payload.stage, 'input');
      assert.equal(last.payload.model, 'fast');
      assert.equal(last.payload.key, 'alice');
      assert.equal(last.payload.api, 'chat.completions');
      assert.equal(last.payload.body.messages[0].content, 'hello');
      assert.equal(last.headers['x-hook-secret'], 's3cret');

      answer = () => ({ body: { action: 'deny', reason: 'off-topic' } });
      const denied = await chat(gateway, { messages: [{ role: 'user', content: 'hello' }] });
      assert.equal(denied.status, 400);
      assert.match(denied.json.error.message, /webhook refused the request: off-topic/);

      answer = (payload) => ({ body: { action: 'modify', body: { ...payload.body, messages: [{ role: 'user', content: 'rewritten by the hook' }] } } });
      const modified = await chat(gateway, { messages: [{ role: 'user', content: 'hello' }] });
      assert.equal(modified.status, 200);
      assert.equal(JSON.parse(lastBody(upstream)).messages[0].content, 'rewritten by the hook');

      answer = () => ({ body: { action: 'allow' }, delayMs: 1000 });
      const closed = await chat(gateway, { messages: [{ role: 'user', content: 'hello' }] });
      assert.equal(closed.status, 503);
      assert.match(closed.json.error.message, /no answer within 200 ms/);
      const failOpen = await chat(open, { messages: [{ role: 'user', content: 'hello' }] });
      assert.equal(failOpen.status, 200);

      answer = () => ({ status: 500 });
      assert.equal((await chat(gateway, { messages: [{ role: 'user', content: 'hello' }] })).status, 503);
    } finally {
      answer = () => ({ body: { action: 'allow' } });
      await gateway.stop();
      await open.stop();
    }
  });

  test('on: output checks JSON answers: deny refuses, modify replaces', async () => {
    const gateway = await startTestGateway(config(upstream.url, `{ webhook: { url: "${hookUrl}", on: output } }`));
    try {
      answer = (payload) => (payload.stage === 'output' ? { body: { action: 'deny', reason: 'leaks' } } : { body: { action: 'allow' } });
      const denied = await chat(gateway, { messages: [{ role: 'user', content: 'hi' }] });
      assert.equal(denied.status, 400);
      assert.match(denied.json.error.message, /refused the answer: leaks/);
      answer = (payload) => ({ body: { action: 'modify', body: { ...payload.body, choices: [{ ...payload.body.choices[0], message: { role: 'assistant', content: 'Edited.' } }] } } });
      const modified = await chat(gateway, { messages: [{ role: 'user', content: 'hi' }] });
      assert.equal(modified.status, 200);
      assert.equal(modified.json.choices[0].message.content, 'Edited.');
    } finally {
      answer = () => ({ body: { action: 'allow' } });
      await gateway.stop();
    }
  });
});

describe('per-model guardrails and model allow-lists', () => {
  test('a model\'s own guardrails layer on the global ones; a guardrail with models: applies only to those', async () => {
    const upstream = await startFakeOpenAI({ text: 'Ok.', usage: { input: 3, output: 1 } });
    const extra = `  strict: { targets: [{ provider: up, model: gpt-4.1-mini }], guardrails: { pii: { action: block } } }
  other: { targets: [{ provider: up, model: gpt-4.1-mini }] }`;
    const gateway = await startTestGateway(config(upstream.url, `{ pii: { action: redact, models: [fast, strict] } }`, extra));
    try {
      const message = { messages: [{ role: 'user', content: `Mail ${EMAIL}` }] };
      assert.equal((await chat(gateway, { ...message, model: 'strict' })).status, 400);
      assert.equal((await chat(gateway, { ...message, model: 'fast' })).status, 200);
      assert.ok(lastBody(upstream).includes('[EMAIL]'));
      assert.equal((await chat(gateway, { ...message, model: 'other' })).status, 200);
      assert.ok(lastBody(upstream).includes(EMAIL), 'models: leaves `other` out');
    } finally {
      await gateway.stop();
      await upstream.close();
    }
  });
});

describe('a stored key\'s own guardrails', () => {
  test('POST /admin/keys takes guardrails (validated, path named); PATCH changes them; requests follow at once', async () => {
    const upstream = await startFakeOpenAI({ text: 'Ok.', usage: { input: 3, output: 1 } });
    const gateway = await startTestGateway(config(upstream.url, '{ pii: { action: redact } }'));
    try {
      await waitFor(async () => ((await (await fetch(`${gateway.url}/health/ready`)).json()) as any).checks.storage.status === 'ok', 5000);
      const bad = await postJson(`${gateway.url}/admin/keys`, { name: 'strict', guardrails: { pii: { action: 'shred' } } }, MASTER);
      assert.equal(bad.status, 400);
      assert.equal(bad.json.error.param, 'guardrails.pii.action');
      const created = await postJson(`${gateway.url}/admin/keys`, { name: 'strict', guardrails: { pii: { action: 'block' } } }, MASTER);
      assert.equal(created.status, 201);
      assert.equal(created.json.guardrails.pii.action, 'block');
      const auth = { authorization: `Bearer ${created.json.key}` };
      const blocked = await chat(gateway, { messages: [{ role: 'user', content: `Mail ${EMAIL}` }] }, auth);
      assert.equal(blocked.status, 400);
      const patched = await fetch(`${gateway.url}/admin/keys/${created.json.id}`, { method: 'PATCH', headers: { ...MASTER, 'content-type': 'application/json' }, body: JSON.stringify({ guardrails: null }) });
      assert.equal(patched.status, 200);
      await waitFor(async () => (await chat(gateway, { messages: [{ role: 'user', content: `Mail ${EMAIL}` }] }, auth)).status === 200, 3000);
      assert.ok(lastBody(upstream).includes('[EMAIL]'), 'without its own, the key gets the global guardrails');
    } finally {
      await gateway.stop();
      await upstream.close();
    }
  });
});
