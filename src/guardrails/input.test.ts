import assert from 'node:assert/strict';
import { test } from 'node:test';
import { textSlotsOf } from './input.js';

test('the texts of an Anthropic body: system, text blocks, tool_use inputs (values, not keys), tool results; never ids, names, images or signed thinking', () => {
  const body = {
    model: 'fast',
    max_tokens: 10,
    system: [{ type: 'text', text: 'You help Ada.', cache_control: { type: 'ephemeral' } }],
    messages: [
      { role: 'user', content: [{ type: 'text', text: 'Find ada@example.com' }, { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } }] },
      {
        role: 'assistant',
        content: [
          { type: 'thinking', thinking: 'secret chain of thought', signature: 'sig' },
          { type: 'tool_use', id: 'toolu_1', name: 'crm_lookup', input: { email: 'ada@example.com', filters: ['active'] } },
        ],
      },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: 'Ada, +44 20 7946 0958' }] }] },
    ],
  };
  assert.deepEqual(
    textSlotsOf(body).map((slot) => slot.text),
    ['You help Ada.', 'Find ada@example.com', 'ada@example.com', 'active', 'Ada, +44 20 7946 0958'],
  );
});

test('the texts of an OpenAI body: string and part contents, tool call arguments as JSON text; never the model or parameters', () => {
  const body = {
    model: 'fast',
    user: 'u-1',
    messages: [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', name: 'ada', content: [{ type: 'text', text: 'Hi' }, { type: 'image_url', image_url: { url: 'https://example.com/a.png' } }] },
      { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{"q":"x"}' } }] },
      { role: 'tool', tool_call_id: 'c1', content: 'result' },
    ],
  };
  assert.deepEqual(textSlotsOf(body).map((slot) => slot.text), ['Be brief.', 'Hi', '{"q":"x"}', 'result']);
});
