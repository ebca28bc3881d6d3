import assert from 'node:assert/strict';
import { test } from 'node:test';
import { anthropicMessagesDialect } from '../dialects/anthropic-messages/index.js';
import { openaiChatDialect } from '../dialects/openai-chat/index.js';
import { inputTextOf, maxOutputTokensOfBody, roughInputCharsOfBody } from './estimate.js';
import type { ChatRequest } from '../ir/chat.js';

/** What the IR estimate counts: every input text and one separator each (inputTextOf joins them with one). */
const inputCharsOf = (request: ChatRequest): number => inputTextOf(request).length + 1;

const IMAGE = `data:image/png;base64,${'A'.repeat(40_000)}`;
const SCHEMA = { type: 'object', properties: { city: { type: 'string', description: 'The city' } }, required: ['city'] };

const openaiBody = {
  model: 'm',
  max_completion_tokens: 300,
  messages: [
    { role: 'system', content: 'You answer about the weather, briefly.' },
    {
      role: 'user',
      content: [
        { type: 'text', text: 'What is the weather in this picture, and in Paris?' },
        { type: 'image_url', image_url: { url: IMAGE, detail: 'low' } },
      ],
    },
    { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } }] },
    { role: 'tool', tool_call_id: 'call_1', content: '{"temperature": 21, "sky": "clear"}' },
  ],
  tools: [{ type: 'function', function: { name: 'weather', description: 'Current weather for a city', parameters: SCHEMA } }],
};

const anthropicBody = {
  model: 'm',
  max_tokens: 300,
  system: 'You answer about the weather, briefly.',
  messages: [
    {
      role: 'user',
      content: [
        { type: 'text', text: 'What is the weather in this picture, and in Paris?' },
        { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'A'.repeat(40_000) } },
      ],
    },
    { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'weather', input: { city: 'Paris' } }] },
    { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: '{"temperature": 21, "sky": "clear"}' }] },
  ],
  tools: [{ name: 'weather', description: 'Current weather for a city', input_schema: SCHEMA }],
};

test('the body estimate counts what the IR estimate counts, in either dialect, and leaves images out', () => {
  for (const [name, body, dialect] of [
    ['openai', openaiBody, openaiChatDialect],
    ['anthropic', anthropicBody, anthropicMessagesDialect],
  ] as const) {
    const fromIr = inputCharsOf(dialect.parseChatRequest(structuredClone(body)));
    const fromBody = roughInputCharsOfBody(body);
    // Near the IR's count (the image's 40,000 characters would dwarf it), never far below it.
    assert.ok(fromBody >= fromIr * 0.9 && fromBody <= fromIr * 1.25, `${name}: ${fromBody} characters from the body, ${fromIr} from the IR`);
  }
});

test('plain text: the same count as the IR estimate', () => {
  const body = { model: 'm', messages: [{ role: 'user', content: 'hi' }] };
  assert.equal(roughInputCharsOfBody(body), inputCharsOf(openaiChatDialect.parseChatRequest(structuredClone(body))));
});

test('bodies a client may send: missing or odd fields count nothing, deep nesting does not overflow the stack', () => {
  assert.equal(roughInputCharsOfBody({}), 0);
  assert.equal(roughInputCharsOfBody({ messages: 'not an array', tools: 7, system: null }), 'not an array'.length + 1);
  let deep: unknown = 'x';
  for (let i = 0; i < 200_000; i++) deep = [deep];
  assert.equal(roughInputCharsOfBody({ messages: deep }), 2);
});

test('the output bound: max_completion_tokens first, then max_tokens; anything else is no bound', () => {
  assert.equal(maxOutputTokensOfBody({ max_completion_tokens: 50, max_tokens: 10 }), 50);
  assert.equal(maxOutputTokensOfBody({ max_tokens: 10 }), 10);
  assert.equal(maxOutputTokensOfBody({ max_tokens: '10' }), undefined);
  assert.equal(maxOutputTokensOfBody({ max_tokens: 0 }), undefined);
  assert.equal(maxOutputTokensOfBody({}), undefined);
});
