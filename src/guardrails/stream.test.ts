import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { StreamEvent } from '../ir/stream.js';
import type { PiiDetector, PiiFinding } from './pii/detect.js';
import { OutputGuard } from './output.js';
import type { GuardrailSet } from './resolve.js';
import { StreamTextScanner } from './stream-scanner.js';
import { GuardrailReport, MaskTable, TextGuard } from './text-guard.js';
import type { GuardrailAction } from './schema.js';

/** A stand-in detector (emails only, simple), so these tests exercise the streaming, not detection. */
const emails: PiiDetector = {
  maxMatchLength: 318,
  find(text: string): PiiFinding[] {
    return [...text.matchAll(/[a-z.]+@[a-z]+\.[a-z]{2,}/g)].map((m) => ({ entity: 'email', start: m.index, end: m.index + m[0].length }));
  },
};

function guards(action: GuardrailAction, deny: GuardrailSet['deny'] = []) {
  const set: GuardrailSet = { pii: { detector: emails, longestName: 0, actionOf: () => action, input: true, output: true }, deny };
  const report = new GuardrailReport();
  const masks = new MaskTable();
  return { input: new TextGuard(set, 'input', report, masks), output: new TextGuard(set, 'output', report, masks), masks, report };
}

/** Every way to cut `text` in two, plus one character at a time. */
function splits(text: string): string[][] {
  const all: string[][] = [[...text]];
  for (let i = 0; i <= text.length; i++) all.push([text.slice(0, i), text.slice(i)]);
  return all;
}

test('mask round trip: placeholders in the answer come back as values, whatever the chunk boundaries', () => {
  const { input, output, masks } = guards('mask');
  assert.equal(input.apply('Mail ada@example.com and bob@example.org, then ada@example.com.'), 'Mail <EMAIL_1> and <EMAIL_2>, then <EMAIL_1>.');
  const answer = 'Sent to <EMAIL_1>; cc <EMAIL_2>. Unknown <EMAIL_9> stays. <b>x</b>';
  const expected = 'Sent to ada@example.com; cc bob@example.org. Unknown <EMAIL_9> stays. <b>x</b>';
  for (const pieces of splits(answer)) {
    const scanner = new StreamTextScanner(output, masks);
    const out = pieces.map((piece) => scanner.push(piece)).join('') + scanner.end();
    assert.equal(out, expected, JSON.stringify(pieces));
  }
  const json = new OutputGuard(output, masks).response({ id: 'r', model: 'm', created: 0, choices: [{ index: 0, finishReason: 'stop', content: [{ type: 'text', text: answer }] }] });
  assert.deepEqual(json.choices[0]!.content[0], { type: 'text', text: expected });
});

test('output redaction finds a value split across any boundary, and holds back no more than the longest match', () => {
  const { output, masks } = guards('redact');
  const answer = `${'Lorem ipsum dolor sit amet. '.repeat(6)}Write to someone.long@example.com now. ${'More text follows here. '.repeat(6)}`;
  const expected = answer.replace('someone.long@example.com', '[EMAIL]');
  for (const pieces of splits(answer)) {
    const scanner = new StreamTextScanner(output, masks);
    let out = '';
    let received = 0;
    for (const piece of pieces) {
      out += scanner.push(piece);
      received += piece.length;
      // Held back: the spaced bound (48), the word still arriving, and one scan batch (32), at most.
      assert.ok(received - out.replace('[EMAIL]', 'someone.long@example.com').length <= 48 + 32 + 'someone.long@example.com'.length, `held ${received - out.length}`);
    }
    out += scanner.end();
    assert.equal(out, expected, JSON.stringify(pieces.map((p) => p.length)));
  }
});

test('a blocking finding in a stream ends it with an error event; held text goes out before a tool call and before finish', () => {
  const { output, masks } = guards('redact');
  const guard = new OutputGuard(output, masks).stream();
  const events: StreamEvent[] = [
    { type: 'start', id: 'x' },
    { type: 'text', choice: 0, text: 'Let me check ' },
    { type: 'text', choice: 0, text: 'for ada@exam' },
    { type: 'tool_call_start', choice: 0, index: 0, id: 'c1', name: 'crm' },
    { type: 'tool_call_delta', choice: 0, index: 0, arguments: '{"email":"bob@exa' },
    { type: 'tool_call_delta', choice: 0, index: 0, arguments: 'mple.org"}' },
    { type: 'finish', choice: 0, reason: 'tool_calls' },
  ];
  const out = [...events.flatMap((event) => guard.push(event)), ...guard.end()];
  const types = out.map((e) => e.type);
  // Text (in one event or more) comes before the tool call, all of it.
  assert.deepEqual(types.filter((type, i) => type !== 'text' || types[i - 1] !== 'text'), ['start', 'text', 'tool_call_start', 'tool_call_delta', 'finish']);
  const text = out.filter((e) => e.type === 'text').map((e) => (e as { text: string }).text).join('');
  assert.equal(text, 'Let me check for ada@exam', 'a half value at a tool call is flushed as it is (it cannot grow any more)');
  const args = out.find((e) => e.type === 'tool_call_delta') as { arguments: string };
  assert.equal(args.arguments, '{"email":"[EMAIL]"}');

  const blocking = guards('block');
  const stream = new OutputGuard(blocking.output, blocking.masks).stream();
  const blocked = [
    ...stream.push({ type: 'text', choice: 0, text: 'Reach ada@example.com ' + 'x'.repeat(100) }),
    ...stream.push({ type: 'text', choice: 0, text: 'more' }),
    ...stream.end(),
  ];
  assert.equal(blocked.at(-1)!.type, 'error');
  assert.equal((blocked.at(-1) as { error: { code: string } }).error.code, 'guardrail_blocked');
  assert.ok(!JSON.stringify(blocked).includes('ada@example.com'));
});

test('deny rules on output redact across boundaries; findings are counted, never kept', () => {
  const deny = [{ name: 'codenames', regex: /project\s+bluebird/giu, input: false, output: true, action: 'redact' as const, maxMatchLength: 256 }];
  const { output, masks, report } = guards('log', deny);
  const answer = 'Status of Project  Bluebird: on track.';
  for (const pieces of splits(answer)) {
    const scanner = new StreamTextScanner(output, masks);
    assert.equal(pieces.map((p) => scanner.push(p)).join('') + scanner.end(), 'Status of [REDACTED]: on track.');
  }
  assert.ok(report.hits.some((hit) => hit.guardrail === 'deny' && hit.type === 'codenames' && hit.action === 'redact' && hit.stage === 'output'));
  assert.ok(!JSON.stringify(report.toJSON()).includes('Bluebird'));
});

test('with the real detector: grouped numbers, keys and emails split anywhere in a stream are redacted; prose is held back by about a word', async () => {
  const { createPiiDetector } = await import('./pii/detect.js');
  const detector = createPiiDetector({ entities: ['email', 'phone', 'credit_card', 'ssn', 'iban', 'ip_address', 'api_key'] });
  const set: GuardrailSet = { pii: { detector, longestName: 0, actionOf: () => 'redact', input: true, output: true }, deny: [] };
  const masks = new MaskTable();
  const output = new TextGuard(set, 'output', new GuardrailReport(), masks);
  const answer =
    'Call +44 20 7946 0958 or pay with 4111 1111 1111 1111; IBAN GB82 WEST 1234 5698 7654 32, host 10.0.0.12, ' +
    'key sk-proj-Ab3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5bC7dE9fG1hJ3kL5mN7pQ9rS1tU3vW5x and mail ada.lovelace@example.com. Done.';
  const expected = output.apply(answer);
  assert.equal(expected, 'Call [PHONE] or pay with [CREDIT_CARD]; IBAN [IBAN], host [IP_ADDRESS], key [API_KEY] and mail [EMAIL]. Done.');
  for (const pieces of splits(answer)) {
    const scanner = new StreamTextScanner(output, masks);
    assert.equal(pieces.map((p) => scanner.push(p)).join('') + scanner.end(), expected, JSON.stringify(pieces.map((p) => p.length)));
  }
  // Plain prose, one character at a time: what is still held is at most the word being written plus a batch.
  const scanner = new StreamTextScanner(output, masks);
  const prose = 'the quick brown fox jumps over the lazy dog and keeps on running through the field';
  let sent = '';
  for (let i = 0; i < prose.length; i++) {
    sent += scanner.push(prose[i]!);
    assert.ok(i + 1 - sent.length <= 16 + 8, `held ${i + 1 - sent.length} characters`);
  }
  assert.equal(sent + scanner.end(), prose);
});
