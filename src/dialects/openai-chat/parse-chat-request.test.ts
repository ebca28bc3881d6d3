import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GatewayError } from '../../errors/gateway-error.js';
import { parseChatRequest } from './parse-chat-request.js';

const user = { role: 'user', content: 'Hi' };
const minimal = (extra: Record<string, unknown> = {}) => ({ model: 'fast', messages: [user], ...extra });

test('a full request with every supported field parses to the exact IR', () => {
  const body = {
    model: 'smart',
    messages: [
      { role: 'developer', content: 'Be brief.' },
      { role: 'system', content: [{ type: 'text', text: 'A' }, { type: 'text', text: 'B' }], name: 'sys' },
      {
        role: 'user',
        name: 'ann',
        content: [
          { type: 'text', text: 'What is this?' },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'high' } },
          { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } },
        ],
      },
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{"q":"cat"}' } }],
      },
      { role: 'tool', tool_call_id: 'call_1', content: [{ type: 'text', text: 'a cat' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'A cat.' }], reasoning_content: 'easy' },
      { role: 'assistant', content: '', refusal: 'No.' },
    ],
    stream: true,
    stream_options: { include_usage: true },
    max_tokens: 100,
    max_completion_tokens: 200,
    temperature: 0.5,
    top_p: 1,
    n: 2,
    stop: 'END',
    seed: 42,
    user: 'user-7',
    metadata: { team: 'a' },
    frequency_penalty: 0.1,
    presence_penalty: -0.1,
    reasoning_effort: 'medium',
    tools: [
      { type: 'function', function: { name: 'lookup', description: 'Look up', parameters: { type: 'object', properties: {} }, strict: true } },
      { type: 'function', function: { name: 'now' } },
    ],
    tool_choice: { type: 'function', function: { name: 'lookup' } },
    parallel_tool_calls: false,
    response_format: { type: 'json_schema', json_schema: { name: 'answer', schema: { type: 'object' }, strict: true, description: 'd' } },
    logprobs: true,
    some_future_field: { x: 1 },
  };
  assert.deepEqual(parseChatRequest(body), {
    model: 'smart',
    messages: [
      { role: 'system', content: [{ type: 'text', text: 'Be brief.' }] },
      { role: 'system', content: [{ type: 'text', text: 'A' }, { type: 'text', text: 'B' }], name: 'sys' },
      {
        role: 'user',
        name: 'ann',
        content: [
          { type: 'text', text: 'What is this?' },
          { type: 'image', url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'high' },
          { type: 'image', url: 'https://example.com/cat.jpg' },
        ],
      },
      { role: 'assistant', content: [{ type: 'tool_call', id: 'call_1', name: 'lookup', arguments: '{"q":"cat"}' }] },
      { role: 'tool', content: [{ type: 'tool_result', toolCallId: 'call_1', content: [{ type: 'text', text: 'a cat' }] }] },
      { role: 'assistant', content: [{ type: 'reasoning', text: 'easy' }, { type: 'text', text: 'A cat.' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'No.' }] },
    ],
    stream: true,
    streamUsage: true,
    maxTokens: 200,
    temperature: 0.5,
    topP: 1,
    n: 2,
    stop: ['END'],
    seed: 42,
    user: 'user-7',
    metadata: { team: 'a' },
    frequencyPenalty: 0.1,
    presencePenalty: -0.1,
    reasoning: { effort: 'medium' },
    tools: [
      { name: 'lookup', description: 'Look up', parameters: { type: 'object', properties: {} }, strict: true },
      { name: 'now', parameters: { type: 'object', properties: {} } },
    ],
    toolChoice: { type: 'tool', name: 'lookup' },
    parallelToolCalls: false,
    responseFormat: { type: 'json_schema', name: 'answer', schema: { type: 'object' }, strict: true, description: 'd' },
  });
});

test('a minimal request, nulls for optional fields, and simple choices', () => {
  assert.deepEqual(parseChatRequest(minimal()), { model: 'fast', messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }], stream: false });
  const parsed = parseChatRequest(
    minimal({ stream: false, stream_options: { include_usage: true }, temperature: null, stop: ['a', 'b'], tool_choice: 'required', tools: [], response_format: { type: 'json_object' }, reasoning_effort: 'none' }),
  );
  assert.equal(parsed.streamUsage, undefined, 'include_usage only matters when streaming');
  assert.equal(parsed.temperature, undefined);
  assert.equal(parsed.reasoning, undefined, '"none" asks for no reasoning');
  assert.deepEqual([parsed.stop, parsed.toolChoice, parsed.responseFormat], [['a', 'b'], { type: 'required' }, { type: 'json_object' }]);
  assert.deepEqual(parseChatRequest(minimal({ max_tokens: 9 })).maxTokens, 9);
  assert.deepEqual(parseChatRequest(minimal({ reasoning_effort: 'xhigh' })).reasoning, { effort: 'high' });
});

/** Asserts the body is refused with exactly this code, message and param. */
function rejects(body: unknown, message: string, param: string | undefined, code = 'invalid_request'): void {
  assert.throws(
    () => parseChatRequest(body),
    (error: unknown) => {
      assert.ok(error instanceof GatewayError);
      assert.deepEqual([error.code, error.message, error.param, error.status], [code, message, param, 400]);
      return true;
    },
  );
}

test('bad input is refused naming the field', () => {
  rejects([], 'request body must be a JSON object', undefined);
  rejects({ messages: [user] }, 'model: is required', 'model');
  rejects({ model: '', messages: [user] }, 'model: must not be empty', 'model');
  rejects({ model: 'm' }, 'messages: is required', 'messages');
  rejects({ model: 'm', messages: [] }, 'messages: must not be empty', 'messages');
  rejects({ model: 'm', messages: 'hi' }, 'messages: expected array, got string', 'messages');
  rejects(minimal({ messages: [user, { role: 'user', content: 5 }] }), 'messages[1].content: expected string or array of content parts', 'messages[1].content');
  rejects(minimal({ messages: [{ role: 'user' }] }), 'messages[0].content: expected string or array of content parts', 'messages[0].content');
  rejects(minimal({ messages: [{ role: 'user', content: [{ type: 'text', text: 1 }] }] }), 'messages[0].content[0].text: expected string, got number', 'messages[0].content[0].text');
  rejects(
    minimal({ messages: [{ role: 'user', content: [{ type: 'video' }] }] }),
    'messages[0].content[0].type: expected one of "text", "image_url", "input_audio", "file", got "video"',
    'messages[0].content[0].type',
  );
  rejects(minimal({ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: {} }] }] }), 'messages[0].content[0].image_url.url: is required', 'messages[0].content[0].image_url.url');
  rejects(
    minimal({ messages: [{ role: 'robot', content: 'x' }] }),
    'messages[0].role: expected one of "system", "developer", "user", "assistant", "tool", "function", got "robot"',
    'messages[0].role',
  );
  rejects(minimal({ messages: [{ content: 'x' }] }), 'messages[0].role: is required (one of "system", "developer", "user", "assistant", "tool", "function")', 'messages[0].role');
  rejects(minimal({ messages: [{ role: 'user', content: [] }] }), 'messages[0].content: must not be empty', 'messages[0].content');
  rejects(minimal({ messages: [{ role: 'assistant', content: null }] }), 'messages[0].content: is required unless tool_calls are given', 'messages[0].content');
  rejects(minimal({ messages: [null] }), 'messages[0]: expected object, got null', 'messages[0]');
  rejects(minimal({ messages: [{ role: 'tool', content: 'x' }] }), 'messages[0].tool_call_id: is required', 'messages[0].tool_call_id');
  rejects(minimal({ messages: [{ role: 'system', content: [{ type: 'image_url', image_url: { url: 'x' } }] }] }), 'messages[0].content[0].type: expected "text", got "image_url"', 'messages[0].content[0].type');
  rejects(
    minimal({ messages: [{ role: 'assistant', tool_calls: [{ id: 'a', type: 'function', function: { name: 'f' } }] }] }),
    'messages[0].tool_calls[0].function.arguments: is required',
    'messages[0].tool_calls[0].function.arguments',
  );
  rejects(minimal({ n: 1.5 }), 'n: expected integer, got 1.5', 'n');
  rejects(minimal({ n: 0 }), 'n: must be >= 1', 'n');
  rejects(minimal({ temperature: 3 }), 'temperature: must be <= 2', 'temperature');
  rejects(minimal({ max_tokens: 0 }), 'max_tokens: must be >= 1', 'max_tokens');
  rejects(minimal({ stream: 'yes' }), 'stream: expected boolean, got string', 'stream');
  rejects(minimal({ stop: ['a', 'b', 'c', 'd', 'e'] }), 'stop: expected string or array of up to 4 strings', 'stop');
  rejects(minimal({ metadata: { a: 1 } }), 'metadata.a: expected string, got number', 'metadata.a');
  rejects(minimal({ reasoning_effort: 'max' }), 'reasoning_effort: expected one of "none", "minimal", "low", "medium", "high", "xhigh", got "max"', 'reasoning_effort');
  rejects(minimal({ tools: [{ type: 'custom', custom: {} }] }), 'tools[0].type: expected "function", got "custom"', 'tools[0].type');
  rejects(minimal({ tools: [{ type: 'function', function: { name: 'has space' } }] }), 'tools[0].function.name: expected 1-64 letters, digits, underscores or dashes', 'tools[0].function.name');
  rejects(minimal({ tool_choice: 'any' }), 'tool_choice: expected "auto", "none", "required" or {"type":"function","function":{"name":...}}', 'tool_choice');
  rejects(minimal({ tool_choice: { type: 'function', function: { name: 'ghost' } } }), 'tool_choice.function.name: no tool named "ghost" in tools', 'tool_choice.function.name');
  rejects(minimal({ response_format: { type: 'yaml' } }), 'response_format.type: expected one of "text", "json_object", "json_schema", got "yaml"', 'response_format.type');
  rejects(minimal({ response_format: { type: 'json_schema', json_schema: { schema: {} } } }), 'response_format.json_schema.name: is required', 'response_format.json_schema.name');
});

test('recognised but untranslatable features are refused as unsupported', () => {
  rejects(minimal({ messages: [{ role: 'function', name: 'f', content: '1' }] }), 'messages[0].role: the legacy "function" role is not supported; use "tool" messages', 'messages[0].role', 'unsupported_feature');
  rejects(
    minimal({ messages: [{ role: 'user', content: [{ type: 'text', text: 'listen' }, { type: 'input_audio', input_audio: { data: 'x', format: 'wav' } }] }] }),
    'messages[0].content[1].type: "input_audio" content parts are not supported',
    'messages[0].content[1].type',
    'unsupported_feature',
  );
  rejects(
    minimal({ messages: [user, { role: 'user', content: [{ type: 'file', file: { file_id: 'f' } }] }] }),
    'messages[1].content[0].type: "file" content parts are not supported',
    'messages[1].content[0].type',
    'unsupported_feature',
  );
  rejects(
    minimal({ messages: [{ role: 'assistant', content: null, function_call: { name: 'f', arguments: '{}' } }] }),
    'messages[0].function_call: the legacy "function_call" field is not supported; use "tool_calls"',
    'messages[0].function_call',
    'unsupported_feature',
  );
});
