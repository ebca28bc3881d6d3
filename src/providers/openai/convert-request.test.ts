import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ChatRequest } from '../../ir/chat.js';
import { convertChatRequest } from './convert-request.js';
import { compatibleFlavor, mistralFlavor, openaiFlavor } from './flavors.js';

const base = (extra: Partial<ChatRequest> = {}): ChatRequest => ({
  model: 'smart',
  messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
  stream: false,
  ...extra,
});

test('a full Anthropic-style conversation becomes OpenAI messages', () => {
  const request = base({
    messages: [
      { role: 'system', content: [{ type: 'text', text: 'Be brief.' }, { type: 'text', text: 'Use tools.', cacheControl: { type: 'ephemeral' } }] },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Weather here?' },
          { type: 'image', data: 'iVBORw0KGgo=', mediaType: 'image/png' },
          { type: 'image', url: 'https://example.com/a.jpg', detail: 'low' },
        ],
      },
      {
        role: 'assistant',
        content: [
          { type: 'reasoning', text: 'need tools', signature: 'sig' },
          { type: 'text', text: 'Checking.' },
          { type: 'tool_call', id: 'toolu_1', name: 'weather', arguments: '{"city":"Bern"}' },
          { type: 'tool_call', id: 'toolu_2', name: 'camera', arguments: '{}' },
        ],
      },
      {
        role: 'tool',
        content: [
          { type: 'tool_result', toolCallId: 'toolu_1', content: [{ type: 'text', text: 'sunny' }, { type: 'text', text: '21C' }] },
          { type: 'tool_result', toolCallId: 'toolu_2', content: [{ type: 'image', data: 'AAAA', mediaType: 'image/jpeg' }], isError: false },
        ],
      },
      { role: 'user', content: [{ type: 'text', text: 'Thanks' }], name: 'ann' },
    ],
  });
  assert.deepEqual(convertChatRequest(request, 'gpt-4.1', openaiFlavor), {
    model: 'gpt-4.1',
    messages: [
      { role: 'system', content: 'Be brief.\n\nUse tools.' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Weather here?' },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
          { type: 'image_url', image_url: { url: 'https://example.com/a.jpg', detail: 'low' } },
        ],
      },
      {
        role: 'assistant',
        content: 'Checking.',
        tool_calls: [
          { id: 'toolu_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Bern"}' } },
          { id: 'toolu_2', type: 'function', function: { name: 'camera', arguments: '{}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'toolu_1', content: 'sunny\n21C' },
      { role: 'tool', tool_call_id: 'toolu_2', content: '' },
      { role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/jpeg;base64,AAAA' } }] },
      { role: 'user', content: 'Thanks', name: 'ann' },
    ],
  });
});

test('tool results spread over several tool messages keep their images after the whole run', () => {
  const request = base({
    messages: [
      { role: 'assistant', content: [{ type: 'tool_call', id: 'a', name: 'f', arguments: '{}' }, { type: 'tool_call', id: 'b', name: 'f', arguments: '{}' }] },
      { role: 'tool', content: [{ type: 'tool_result', toolCallId: 'a', content: [{ type: 'image', url: 'https://x/1.png' }] }] },
      { role: 'tool', content: [{ type: 'tool_result', toolCallId: 'b', content: [{ type: 'text', text: 'ok' }] }] },
    ],
  });
  assert.deepEqual(convertChatRequest(request, 'm', openaiFlavor).messages, [
    { role: 'assistant', content: null, tool_calls: [
      { id: 'a', type: 'function', function: { name: 'f', arguments: '{}' } },
      { id: 'b', type: 'function', function: { name: 'f', arguments: '{}' } },
    ] },
    { role: 'tool', tool_call_id: 'a', content: '' },
    { role: 'tool', tool_call_id: 'b', content: 'ok' },
    { role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://x/1.png' } }] },
  ]);
});

test('an assistant turn with only reasoning still sends valid content', () => {
  const request = base({ messages: [{ role: 'assistant', content: [{ type: 'reasoning', text: 'x' }] }] });
  assert.deepEqual(convertChatRequest(request, 'm', openaiFlavor).messages, [{ role: 'assistant', content: '' }]);
});

test('every option is translated; OpenAI gets max_completion_tokens and stream usage', () => {
  const request = base({
    stream: true,
    streamUsage: false,
    maxTokens: 256,
    temperature: 0.2,
    topP: 0.9,
    topK: 40,
    stop: ['END'],
    seed: 7,
    n: 2,
    user: 'u-1',
    metadata: { app: 'x' },
    frequencyPenalty: 0.5,
    presencePenalty: -0.5,
    reasoning: { effort: 'low', budgetTokens: 1000 },
    tools: [
      { name: 'weather', description: 'Get weather', parameters: { type: 'object', properties: { city: { type: 'string' } } }, strict: true },
      { name: 'noop', parameters: { type: 'object' } },
    ],
    toolChoice: { type: 'tool', name: 'weather' },
    parallelToolCalls: false,
    responseFormat: { type: 'json_schema', name: 'out', schema: { type: 'object' }, strict: true, description: 'd' },
  });
  assert.deepEqual(convertChatRequest(request, 'o4-mini', openaiFlavor), {
    model: 'o4-mini',
    messages: [{ role: 'user', content: 'Hi' }],
    stream: true,
    stream_options: { include_usage: true },
    max_completion_tokens: 256,
    temperature: 0.2,
    top_p: 0.9,
    stop: ['END'],
    seed: 7,
    n: 2,
    user: 'u-1',
    frequency_penalty: 0.5,
    presence_penalty: -0.5,
    reasoning_effort: 'low',
    tools: [
      { type: 'function', function: { name: 'weather', description: 'Get weather', parameters: { type: 'object', properties: { city: { type: 'string' } } }, strict: true } },
      { type: 'function', function: { name: 'noop', parameters: { type: 'object' } } },
    ],
    tool_choice: { type: 'function', function: { name: 'weather' } },
    parallel_tool_calls: false,
    response_format: { type: 'json_schema', json_schema: { name: 'out', description: 'd', schema: { type: 'object' }, strict: true } },
  });
});

test('compatible servers get max_tokens; simple tool choices and formats pass as strings', () => {
  const body = convertChatRequest(base({ maxTokens: 10, toolChoice: { type: 'required' }, tools: [{ name: 'f', parameters: {} }], responseFormat: { type: 'json_object' } }), 'llama', compatibleFlavor);
  assert.equal(body.max_tokens, 10);
  assert.equal('max_completion_tokens' in body, false);
  assert.equal(body.tool_choice, 'required');
  assert.deepEqual(body.response_format, { type: 'json_object' });
});

test('a thinking budget alone sends no reasoning_effort (non-reasoning models reject it)', () => {
  const body = convertChatRequest(base({ reasoning: { budgetTokens: 4000 } }), 'gpt-4.1', openaiFlavor);
  assert.equal('reasoning_effort' in body, false);
});

test('Mistral gets no stream_options or user, and seed as random_seed', () => {
  const body = convertChatRequest(base({ stream: true, seed: 3, user: 'u', maxTokens: 5 }), 'mistral-large-latest', mistralFlavor);
  assert.deepEqual(body, {
    model: 'mistral-large-latest',
    messages: [{ role: 'user', content: 'Hi' }],
    stream: true,
    max_tokens: 5,
    random_seed: 3,
  });
});

test('tool_choice and parallel_tool_calls are dropped when there are no tools', () => {
  const body = convertChatRequest(base({ toolChoice: { type: 'none' }, parallelToolCalls: false, tools: [] }), 'm', openaiFlavor);
  assert.deepEqual(Object.keys(body), ['model', 'messages']);
});
