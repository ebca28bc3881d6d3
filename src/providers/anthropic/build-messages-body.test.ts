import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GatewayError } from '../../errors/gateway-error.js';
import type { ChatRequest, Message } from '../../ir/chat.js';
import { buildMessagesBody } from './build-messages-body.js';
import { JSON_RESPONSE_TOOL } from './json-response-tool.js';

const request = (overrides: Partial<ChatRequest> = {}): ChatRequest => ({
  model: 'smart',
  stream: false,
  messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
  ...overrides,
});
const user = (text: string): Message => ({ role: 'user', content: [{ type: 'text', text }] });

describe('anthropic provider: IR → Messages body', () => {
  test('system messages are gathered, tool messages become user tool_result turns, roles alternate', () => {
    const body = buildMessagesBody(
      request({
        messages: [
          { role: 'system', content: [{ type: 'text', text: 'You are terse.', cacheControl: { type: 'ephemeral' } }] },
          user('What is the weather?'),
          user('In Paris.'),
          {
            role: 'assistant',
            content: [
              { type: 'reasoning', text: 'unsigned, from another provider' },
              { type: 'reasoning', text: 'empty signature', signature: '' },
              { type: 'reasoning', text: 'signed', signature: 'sig' },
              { type: 'text', text: '' },
              { type: 'tool_call', id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
              { type: 'tool_call', id: 'call_2', name: 'get_time', arguments: '' },
            ],
          },
          { role: 'tool', content: [{ type: 'tool_result', toolCallId: 'call_1', content: [{ type: 'text', text: 'sunny' }] }] },
          { role: 'tool', content: [{ type: 'tool_result', toolCallId: 'call_2', content: [], isError: true }] },
          { role: 'system', content: [{ type: 'text', text: 'Answer in French.' }] },
          user('Thanks'),
          { role: 'assistant', content: [{ type: 'text', text: '' }] },
        ],
      }),
      'claude-sonnet-4-5',
    );
    assert.deepEqual(body, {
      model: 'claude-sonnet-4-5',
      max_tokens: 4096,
      system: [
        { type: 'text', text: 'You are terse.', cache_control: { type: 'ephemeral' } },
        { type: 'text', text: 'Answer in French.' },
      ],
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is the weather?' },
            { type: 'text', text: 'In Paris.' },
          ],
        },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'signed', signature: 'sig' },
            { type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Paris' } },
            { type: 'tool_use', id: 'call_2', name: 'get_time', input: {} },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'call_1', content: [{ type: 'text', text: 'sunny' }] },
            { type: 'tool_result', tool_use_id: 'call_2', is_error: true },
            { type: 'text', text: 'Thanks' },
          ],
        },
      ],
    });
  });

  test('tool results are moved before other blocks of a merged user turn', () => {
    const body = buildMessagesBody(
      request({
        messages: [
          user('q'),
          { role: 'assistant', content: [{ type: 'tool_call', id: 't', name: 'f', arguments: '{}' }] },
          user('note first'),
          { role: 'tool', content: [{ type: 'tool_result', toolCallId: 't', content: [{ type: 'text', text: 'r' }] }] },
        ],
      }),
      'm',
    );
    assert.deepEqual(body.messages[2], {
      role: 'user',
      content: [
        { type: 'tool_result', tool_use_id: 't', content: [{ type: 'text', text: 'r' }] },
        { type: 'text', text: 'note first' },
      ],
    });
  });

  test('images: data URLs and inline data become base64 sources, http URLs url sources', () => {
    const body = buildMessagesBody(
      request({
        messages: [
          {
            role: 'user',
            content: [
              { type: 'image', url: 'data:image/png;base64,iVBORw0KGgo=' },
              { type: 'image', url: 'https://example.com/cat.jpg', detail: 'high' },
              { type: 'image', data: 'R0lGOD', mediaType: 'image/gif', cacheControl: { type: 'ephemeral', ttl: '1h' } },
            ],
          },
        ],
      }),
      'm',
    );
    assert.deepEqual(body.messages[0]!.content, [
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
      { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
      { type: 'image', source: { type: 'base64', media_type: 'image/gif', data: 'R0lGOD' }, cache_control: { type: 'ephemeral', ttl: '1h' } },
    ]);
    assert.throws(
      () => buildMessagesBody(request({ messages: [{ role: 'user', content: [{ type: 'image', url: 'ftp://x/y.png' }] }] }), 'm'),
      { code: 'unsupported_feature', param: 'messages[0].content[0]' },
    );
  });

  test('tools, tool_choice, parallel calls and sampling parameters', () => {
    const body = buildMessagesBody(
      request({
        tools: [
          { name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { city: { type: 'string' } } }, strict: true },
          { name: 'ping', parameters: {}, cacheControl: { type: 'ephemeral' } },
        ],
        toolChoice: { type: 'required' },
        parallelToolCalls: false,
        stop: ['END'],
        temperature: 0.2,
        topP: 0.9,
        topK: 5,
        user: 'u-1',
        maxTokens: 300,
        seed: 7,
        frequencyPenalty: 1,
        metadata: { team: 'a' },
        stream: true,
      }),
      'm',
    );
    assert.deepEqual(body, {
      model: 'm',
      max_tokens: 300,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
      tools: [
        { name: 'get_weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } }, description: 'Weather' },
        { name: 'ping', input_schema: { type: 'object', properties: {} }, cache_control: { type: 'ephemeral' } },
      ],
      tool_choice: { type: 'any', disable_parallel_tool_use: true },
      stop_sequences: ['END'],
      temperature: 0.2,
      top_p: 0.9,
      top_k: 5,
      metadata: { user_id: 'u-1' },
      stream: true,
    });
    const tools = [{ name: 'f', parameters: { type: 'object' } }];
    assert.deepEqual(buildMessagesBody(request({ tools, toolChoice: { type: 'auto' } }), 'm').tool_choice, { type: 'auto' });
    assert.deepEqual(buildMessagesBody(request({ tools, toolChoice: { type: 'none' } }), 'm').tool_choice, { type: 'none' });
    assert.deepEqual(buildMessagesBody(request({ tools, toolChoice: { type: 'tool', name: 'f' } }), 'm').tool_choice, { type: 'tool', name: 'f' });
    assert.deepEqual(buildMessagesBody(request({ tools, parallelToolCalls: false }), 'm').tool_choice, { type: 'auto', disable_parallel_tool_use: true });
    assert.equal(buildMessagesBody(request({ tools }), 'm').tool_choice, undefined);
    assert.equal(buildMessagesBody(request({ toolChoice: { type: 'auto' } }), 'm').tool_choice, undefined, 'no tool_choice without tools');
  });

  test('reasoning becomes thinking with a budget under max_tokens', () => {
    assert.deepEqual(pick(buildMessagesBody(request({ reasoning: { budgetTokens: 2000 } }), 'm')), { max_tokens: 6096, thinking: { type: 'enabled', budget_tokens: 2000 } });
    assert.deepEqual(pick(buildMessagesBody(request({ reasoning: { effort: 'medium' } }), 'm')), { max_tokens: 12288, thinking: { type: 'enabled', budget_tokens: 8192 } });
    assert.deepEqual(pick(buildMessagesBody(request({ reasoning: { effort: 'high' }, maxTokens: 5000 }), 'm')), { max_tokens: 5000, thinking: { type: 'enabled', budget_tokens: 4999 } });
    assert.deepEqual(pick(buildMessagesBody(request({ reasoning: { effort: 'low' }, maxTokens: 800 }), 'm')), { max_tokens: 800, thinking: undefined });
  });

  test('n > 1 is refused; the JSON tool name is reserved', () => {
    assert.throws(() => buildMessagesBody(request({ n: 2 }), 'm'), (error: unknown) => error instanceof GatewayError && error.code === 'unsupported_feature' && error.param === 'n');
    assert.deepEqual(buildMessagesBody(request({ n: 1 }), 'm').messages.length, 1);
    assert.throws(() => buildMessagesBody(request({ tools: [{ name: JSON_RESPONSE_TOOL, parameters: {} }] }), 'm'), { code: 'invalid_request', param: 'tools[0].name' });
  });
});

describe('anthropic provider: response_format through the forced JSON tool', () => {
  const schema = { type: 'object', properties: { answer: { type: 'number' } }, required: ['answer'] };

  test('json_schema alone forces the JSON tool', () => {
    const body = buildMessagesBody(request({ responseFormat: { type: 'json_schema', name: 'result', schema } }), 'm');
    assert.deepEqual(body.tools, [
      { name: JSON_RESPONSE_TOOL, description: 'Respond with your complete answer as JSON (result). Call this tool exactly once.', input_schema: schema },
    ]);
    assert.deepEqual(body.tool_choice, { type: 'tool', name: JSON_RESPONSE_TOOL, disable_parallel_tool_use: true });
  });

  test('json_object uses an open object schema', () => {
    const body = buildMessagesBody(request({ responseFormat: { type: 'json_object' } }), 'm');
    assert.deepEqual(body.tools?.[0]?.input_schema, { type: 'object', additionalProperties: true });
    assert.equal(buildMessagesBody(request({ responseFormat: { type: 'text' } }), 'm').tools, undefined);
  });

  test('next to client tools the model must call one of them (any); with thinking the choice stays auto', () => {
    const tools = [{ name: 'f', parameters: { type: 'object' } }];
    const withTools = buildMessagesBody(request({ tools, responseFormat: { type: 'json_schema', name: 'r', schema } }), 'm');
    assert.deepEqual(withTools.tools?.map((tool) => tool.name), ['f', JSON_RESPONSE_TOOL]);
    assert.deepEqual(withTools.tool_choice, { type: 'any', disable_parallel_tool_use: true });
    const none = buildMessagesBody(request({ tools, toolChoice: { type: 'none' }, responseFormat: { type: 'json_object' } }), 'm');
    assert.deepEqual(none.tools?.map((tool) => tool.name), [JSON_RESPONSE_TOOL]);
    assert.deepEqual(none.tool_choice, { type: 'tool', name: JSON_RESPONSE_TOOL, disable_parallel_tool_use: true });
    const thinking = buildMessagesBody(request({ reasoning: { budgetTokens: 1024 }, responseFormat: { type: 'json_object' } }), 'm');
    assert.deepEqual(thinking.tool_choice, { type: 'auto', disable_parallel_tool_use: true });
  });

  test('a non-object schema is refused', () => {
    assert.throws(
      () => buildMessagesBody(request({ responseFormat: { type: 'json_schema', name: 'r', schema: { type: 'array' } } }), 'm'),
      { code: 'unsupported_feature', param: 'response_format' },
    );
  });
});

function pick(body: ReturnType<typeof buildMessagesBody>) {
  return { max_tokens: body.max_tokens, thinking: body.thinking };
}
