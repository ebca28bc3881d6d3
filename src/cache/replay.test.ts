import assert from 'node:assert/strict';
import { test } from 'node:test';
import { anthropicMessagesDialect } from '../dialects/anthropic-messages/index.js';
import { openaiChatDialect } from '../dialects/openai-chat/index.js';
import type { ClientDialect } from '../dialects/types.js';
import { GatewayError } from '../errors/gateway-error.js';
import type { ChatResponse } from '../ir/chat.js';
import type { StreamEvent } from '../ir/stream.js';
import { ResponseAccumulator, responseToEvents } from './replay.js';

const CREATED = 1700000000;

function accumulate(events: readonly StreamEvent[]): ChatResponse | undefined {
  const accumulator = new ResponseAccumulator();
  accumulator.push(events);
  return accumulator.result();
}

/** responseToEvents then the accumulator must give the answer back; `created` is the accumulator's own. */
function assertRoundTrip(response: ChatResponse): void {
  const before = Math.floor(Date.now() / 1000);
  const back = accumulate(responseToEvents(response));
  assert.ok(back, 'the round trip gives an answer');
  assert.ok(back.created >= before && back.created <= Math.floor(Date.now() / 1000), 'created is the time of the first push');
  assert.deepEqual({ ...back, created: CREATED }, response);
}

const plainText: ChatResponse = {
  id: 'chatcmpl-1',
  model: 'gpt-4.1',
  created: CREATED,
  choices: [{ index: 0, content: [{ type: 'text', text: 'Hello there.' }], finishReason: 'stop' }],
};

const toolsAndText: ChatResponse = {
  id: 'msg_1',
  model: 'claude-sonnet-4',
  created: CREATED,
  choices: [
    {
      index: 0,
      content: [
        { type: 'text', text: 'Let me check both.' },
        { type: 'tool_call', id: 'call_a', name: 'weather', arguments: '{"city":"Bern"}' },
        { type: 'tool_call', id: 'call_b', name: 'time', arguments: '{"tz":"CET"}' },
      ],
      finishReason: 'tool_calls',
    },
  ],
  usage: { inputTokens: 50, outputTokens: 20 },
};

const reasoningThenText: ChatResponse = {
  id: 'msg_2',
  model: 'claude-sonnet-4',
  created: CREATED,
  choices: [
    {
      index: 0,
      content: [
        { type: 'reasoning', text: 'The user greets me.', signature: 'sig==' },
        { type: 'text', text: 'Hi!' },
      ],
      finishReason: 'stop',
      stopSequence: 'END',
    },
  ],
};

test('round trip: plain text', () => {
  assertRoundTrip(plainText);
});

test('round trip: text with usage including cached and reasoning tokens', () => {
  assertRoundTrip({
    ...plainText,
    usage: { inputTokens: 120, outputTokens: 40, cachedInputTokens: 100, cacheWriteInputTokens: 10, reasoningTokens: 25 },
  });
});

test('round trip: two choices', () => {
  assertRoundTrip({
    ...plainText,
    choices: [
      { index: 0, content: [{ type: 'text', text: 'First.' }], finishReason: 'stop' },
      { index: 1, content: [{ type: 'text', text: 'Second, cut' }], finishReason: 'length' },
    ],
  });
});

test('round trip: text then two tool calls in one choice, indexed from 0', () => {
  const events = responseToEvents(toolsAndText);
  assert.deepEqual(
    events.filter((event) => event.type === 'tool_call_start').map((event) => [event.index, event.id]),
    [
      [0, 'call_a'],
      [1, 'call_b'],
    ],
  );
  assertRoundTrip(toolsAndText);
});

test('round trip: signed reasoning then text stays two parts, stop sequence kept', () => {
  assertRoundTrip(reasoningThenText);
});

test('round trip: redacted reasoning and an empty choice', () => {
  assertRoundTrip({
    ...plainText,
    choices: [{ index: 0, content: [{ type: 'reasoning', text: '', redacted: 'opaque' }, { type: 'text', text: 'ok' }], finishReason: 'stop' }],
  });
  assertRoundTrip({ ...plainText, choices: [{ index: 0, content: [], finishReason: 'content_filter' }] });
});

test('events: start carries id and model, each choice finishes after its parts, usage comes last', () => {
  const events = responseToEvents({ ...toolsAndText, choices: [...toolsAndText.choices, { index: 1, content: [{ type: 'text', text: 'x' }], finishReason: 'stop' }] });
  assert.deepEqual(events[0], { type: 'start', id: 'msg_1', model: 'claude-sonnet-4' });
  assert.deepEqual(
    events.map((event) => event.type + ('choice' in event ? `:${event.choice}` : '')),
    ['start', 'text:0', 'tool_call_start:0', 'tool_call_delta:0', 'tool_call_start:0', 'tool_call_delta:0', 'finish:0', 'text:1', 'finish:1', 'usage'],
  );
});

test('a stream split into small deltas, choices interleaved, gathers into whole parts', () => {
  const events: StreamEvent[] = [
    { type: 'start', id: 'chatcmpl-9', model: 'gpt-4.1' },
    { type: 'reasoning', choice: 0, text: 'thin' },
    { type: 'text', choice: 1, text: 'B' },
    { type: 'reasoning', choice: 0, text: 'king' },
    { type: 'reasoning', choice: 0, text: '', signature: 'sig' },
    { type: 'text', choice: 0, text: 'He' },
    { type: 'text', choice: 0, text: '' },
    { type: 'text', choice: 0, text: 'llo' },
    { type: 'tool_call_start', choice: 0, index: 0, id: 'call_a', name: 'weather' },
    { type: 'tool_call_start', choice: 0, index: 1, id: 'call_b', name: 'time' },
    // A late delta for the first call still lands on it.
    { type: 'tool_call_delta', choice: 0, index: 0, arguments: '{"ci' },
    { type: 'tool_call_delta', choice: 0, index: 1, arguments: '{}' },
    { type: 'tool_call_delta', choice: 0, index: 0, arguments: 'ty":"Bern"}' },
    { type: 'text', choice: 1, text: 'ye' },
    { type: 'finish', choice: 1, reason: 'stop' },
    { type: 'finish', choice: 0, reason: 'tool_calls' },
    { type: 'usage', usage: { inputTokens: 1, outputTokens: 1 } },
    { type: 'usage', usage: { inputTokens: 10, outputTokens: 30, reasoningTokens: 5 } },
  ];
  const expected: ChatResponse = {
    id: 'chatcmpl-9',
    model: 'gpt-4.1',
    created: CREATED,
    choices: [
      {
        index: 0,
        content: [
          { type: 'reasoning', text: 'thinking', signature: 'sig' },
          { type: 'text', text: 'Hello' },
          { type: 'tool_call', id: 'call_a', name: 'weather', arguments: '{"city":"Bern"}' },
          { type: 'tool_call', id: 'call_b', name: 'time', arguments: '{}' },
        ],
        finishReason: 'tool_calls',
      },
      { index: 1, content: [{ type: 'text', text: 'Bye' }], finishReason: 'stop' },
    ],
    usage: { inputTokens: 10, outputTokens: 30, reasoningTokens: 5 },
  };
  // One event per push, as the pipeline feeds it.
  const accumulator = new ResponseAccumulator();
  for (const event of events) accumulator.push([event]);
  assert.deepEqual({ ...accumulator.result()!, created: CREATED }, expected);

  // And the whole answer, cut into one-character deltas, comes back the same.
  const pieces = responseToEvents(expected).flatMap((event): StreamEvent[] => {
    if (event.type === 'text') return [...event.text].map((text) => ({ ...event, text }));
    if (event.type === 'tool_call_delta') return [...event.arguments].map((args) => ({ ...event, arguments: args }));
    return [event];
  });
  assert.ok(pieces.length > 30);
  assert.deepEqual({ ...accumulate(pieces)!, created: CREATED }, expected);
});

test('a start without id or model gives empty strings', () => {
  const answer = accumulate([{ type: 'start' }, { type: 'text', choice: 0, text: 'x' }, { type: 'finish', choice: 0, reason: 'stop' }]);
  assert.equal(answer?.id, '');
  assert.equal(answer?.model, '');
});

test('an error event means no answer, even after a finish', () => {
  const events = responseToEvents({ ...plainText, usage: { inputTokens: 1, outputTokens: 1 } });
  assert.equal(accumulate([...events, { type: 'error', error: new GatewayError('upstream_error', 'boom') }]), undefined);
  assert.equal(accumulate([events[0]!, { type: 'error', error: new GatewayError('upstream_timeout', 'slow') }, ...events.slice(1)]), undefined);
});

test('a choice never finished means no answer', () => {
  const twoChoices: ChatResponse = {
    ...plainText,
    choices: [plainText.choices[0]!, { index: 1, content: [{ type: 'text', text: 'cut off' }], finishReason: 'stop' }],
  };
  const unfinished = responseToEvents(twoChoices).filter((event) => !(event.type === 'finish' && event.choice === 1));
  assert.equal(accumulate(unfinished), undefined);
});

test('incomplete or out-of-order streams mean no answer', () => {
  const start: StreamEvent = { type: 'start', id: 'x', model: 'm' };
  const finish: StreamEvent = { type: 'finish', choice: 0, reason: 'stop' };
  const cases: Record<string, StreamEvent[]> = {
    'no start': [{ type: 'text', choice: 0, text: 'hi' }, finish],
    'no choice': [start, { type: 'usage', usage: { inputTokens: 1, outputTokens: 0 } }],
    'a skipped choice index': [start, finish, { type: 'finish', choice: 2, reason: 'stop' }],
    'finish reason error': [start, { type: 'text', choice: 0, text: 'hi' }, { type: 'finish', choice: 0, reason: 'error' }],
    'a delta before its tool call starts': [start, { type: 'tool_call_delta', choice: 0, index: 0, arguments: '{}' }, finish],
    'a tool call started twice': [
      start,
      { type: 'tool_call_start', choice: 0, index: 0, id: 'a', name: 'f' },
      { type: 'tool_call_start', choice: 0, index: 0, id: 'b', name: 'g' },
      finish,
    ],
    'content after the finish': [start, finish, { type: 'text', choice: 0, text: 'late' }],
    'a second finish': [start, finish, finish],
  };
  for (const [name, events] of Object.entries(cases)) assert.equal(accumulate(events), undefined, name);
  assert.equal(new ResponseAccumulator().result(), undefined, 'nothing pushed');
});

/** Encodes the events the way the cache serves a hit: each event, then end(). */
function encodeWith(dialect: ClientDialect, events: readonly StreamEvent[], includeUsage: boolean): string {
  const encoder = dialect.createStreamEncoder({ id: 'gw-1', model: 'alias', includeUsage, created: CREATED });
  return events.map((event) => encoder.encode(event)).join('') + encoder.end();
}

test('replayed through the OpenAI encoder: well-formed chunks, usage chunk, then [DONE]', () => {
  const wire = encodeWith(openaiChatDialect, responseToEvents({ ...toolsAndText, choices: [...reasoningThenText.choices, { ...toolsAndText.choices[0]!, index: 1 }] }), true);
  assert.ok(wire.endsWith('data: [DONE]\n\n'));
  const events = wire.split('\n\n').filter(Boolean);
  assert.ok(events.every((event) => event.startsWith('data: ')));
  const chunks = events.slice(0, -1).map((event) => JSON.parse(event.slice('data: '.length)));
  assert.ok(chunks.every((chunk) => chunk.object === 'chat.completion.chunk' && chunk.model === 'claude-sonnet-4'));
  assert.deepEqual(
    chunks.flatMap((chunk) => chunk.choices.filter((choice: { finish_reason: unknown }) => choice.finish_reason).map((choice: { index: number; finish_reason: string }) => [choice.index, choice.finish_reason])),
    [
      [0, 'stop'],
      [1, 'tool_calls'],
    ],
  );
  assert.deepEqual(chunks.at(-1).choices, []);
  assert.equal(chunks.at(-1).usage.prompt_tokens, 50);
});

test('replayed through the Anthropic encoder: content blocks, stop reason, then message_stop', () => {
  const signedReasoning = reasoningThenText.choices[0]!.content[0]!;
  const choice = { ...toolsAndText.choices[0]!, content: [signedReasoning, ...toolsAndText.choices[0]!.content] };
  const wire = encodeWith(anthropicMessagesDialect, responseToEvents({ ...toolsAndText, choices: [choice] }), false);
  const events = wire.split('\n\n').filter(Boolean).map((event) => JSON.parse(event.split('\ndata: ')[1]!));
  assert.deepEqual(events.at(-1), { type: 'message_stop' });
  assert.deepEqual(
    events.filter((event) => event.type === 'content_block_start').map((event) => event.content_block.type),
    ['thinking', 'text', 'tool_use', 'tool_use'],
  );
  const messageDelta = events.find((event) => event.type === 'message_delta');
  assert.equal(messageDelta.delta.stop_reason, 'tool_use');
  assert.equal(messageDelta.usage.output_tokens, 20);
});
