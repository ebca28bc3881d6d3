import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ChatRequest } from '../../ir/chat.js';
import { guardMismatches, MAX_EMBEDDED_CHARS, semanticPromptOf } from './prompt.js';

const base = (extra: Partial<ChatRequest> = {}): ChatRequest => ({
  model: 'fast',
  stream: false,
  messages: [
    { role: 'system', content: [{ type: 'text', text: 'Be brief.' }] },
    { role: 'user', content: [{ type: 'text', text: 'What is the capital of France?' }] },
  ],
  ...extra,
});

function prompt(request: ChatRequest) {
  const result = semanticPromptOf(request);
  assert.ok(!('skip' in result), JSON.stringify(result));
  return result;
}

test('the text is the conversation without the system prompt, one line per turn', () => {
  const request = base();
  request.messages.push(
    { role: 'assistant', content: [{ type: 'tool_call', id: 'c1', name: 'lookup', arguments: '{"q":"France"}' }] },
    { role: 'tool', content: [{ type: 'tool_result', toolCallId: 'c1', content: [{ type: 'text', text: 'Paris' }] }] },
  );
  assert.equal(prompt(request).text, 'user: What is the capital of France?\nassistant: [call lookup {"q":"France"}]\ntool: [result Paris]');
});

test('the guard names what differs: system prompt, tools, parameters, conversation shape; stream and user do not count', () => {
  const a = prompt(base()).guard;
  assert.deepEqual(guardMismatches(a, prompt(base({ stream: true, user: 'u1', metadata: { a: 'b' } })).guard), []);
  const otherSystem = base();
  otherSystem.messages[0] = { role: 'system', content: [{ type: 'text', text: 'Be verbose.' }] };
  assert.deepEqual(guardMismatches(a, prompt(otherSystem).guard), ['system']);
  assert.deepEqual(guardMismatches(a, prompt(base({ tools: [{ name: 'lookup', parameters: { type: 'object' } }] })).guard), ['tools']);
  assert.deepEqual(guardMismatches(a, prompt(base({ toolChoice: { type: 'none' } })).guard), ['tools']);
  assert.deepEqual(guardMismatches(a, prompt(base({ maxTokens: 10 })).guard), ['parameters']);
  assert.deepEqual(guardMismatches(a, prompt(base({ responseFormat: { type: 'json_object' } })).guard), ['parameters']);
  const twoTurns = base();
  twoTurns.messages.push({ role: 'assistant', content: [{ type: 'text', text: 'Paris.' }] }, { role: 'user', content: [{ type: 'text', text: 'Sure?' }] });
  assert.deepEqual(guardMismatches(a, prompt(twoTurns).guard), ['conversation']);
});

test('requests with images, without text, or too long to embed are not looked up by meaning', () => {
  const withImage = base();
  withImage.messages[1]!.content.push({ type: 'image', url: 'https://example.com/a.png' });
  assert.deepEqual(semanticPromptOf(withImage), { skip: 'media' });
  assert.deepEqual(semanticPromptOf(base({ messages: [{ role: 'user', content: [{ type: 'text', text: '  ' }] }] })), { skip: 'empty' });
  assert.deepEqual(semanticPromptOf(base({ messages: [{ role: 'user', content: [{ type: 'text', text: 'x'.repeat(MAX_EMBEDDED_CHARS + 1) }] }] })), { skip: 'too_long' });
});
