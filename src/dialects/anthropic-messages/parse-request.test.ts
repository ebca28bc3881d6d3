import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GatewayError } from '../../errors/gateway-error.js';
import { anthropicMessagesDialect, parseCountTokensRequest } from './index.js';

const parse = (body: unknown) => anthropicMessagesDialect.parseChatRequest(body);
const base = { model: 'claude-x', max_tokens: 100, messages: [{ role: 'user', content: 'Hi' }] };

function assertRejects(body: unknown, code: 'invalid_request' | 'unsupported_feature', param: string, message?: RegExp) {
  assert.throws(
    () => parse(body),
    (error: unknown) => {
      assert.ok(error instanceof GatewayError, String(error));
      assert.equal(error.code, code, error.message);
      assert.equal(error.param, param, error.message);
      assert.ok(error.message.startsWith(`${param}: `), error.message);
      if (message) assert.match(error.message, message);
      return true;
    },
  );
}

describe('anthropic dialect: parse valid requests', () => {
  test('minimal request', () => {
    assert.deepEqual(parse(base), {
      model: 'claude-x',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
      stream: false,
      maxTokens: 100,
    });
  });

  test('every supported field and block kind', () => {
    const request = parse({
      model: 'claude-x',
      max_tokens: 2048,
      stream: true,
      system: [
        { type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral' } },
        { type: 'text', text: 'Use tools.' },
      ],
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Look:' },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBOR' } },
            { type: 'image', source: { type: 'url', url: 'https://example.com/a.jpg' }, cache_control: { type: 'ephemeral', ttl: '1h' } },
          ],
        },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'hmm', signature: 'sig1' },
            { type: 'redacted_thinking', data: 'opaque' },
            { type: 'text', text: 'Calling.' },
            { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris', days: [1, 2] } },
            { type: 'tool_use', id: 'toolu_2', name: 'get_time', input: {} },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_1', content: 'sunny' },
            {
              type: 'tool_result',
              tool_use_id: 'toolu_2',
              is_error: true,
              content: [{ type: 'text', text: 'boom' }, { type: 'image', source: { type: 'base64', media_type: 'image/gif', data: 'R0lG' } }],
              cache_control: { type: 'ephemeral' },
            },
            { type: 'text', text: 'Go on.' },
          ],
        },
      ],
      tools: [
        { name: 'get_weather', description: 'Weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } }, cache_control: { type: 'ephemeral' } },
        { type: 'custom', name: 'get_time', input_schema: { type: 'object' }, strict: true },
      ],
      tool_choice: { type: 'any', disable_parallel_tool_use: true },
      stop_sequences: ['END'],
      temperature: 0.5,
      top_p: 0.9,
      top_k: 40,
      metadata: { user_id: 'user-7' },
      thinking: { type: 'enabled', budget_tokens: 1024 },
    });
    assert.deepEqual(request, {
      model: 'claude-x',
      messages: [
        { role: 'system', content: [{ type: 'text', text: 'Be brief.', cacheControl: { type: 'ephemeral' } }, { type: 'text', text: 'Use tools.' }] },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Look:' },
            { type: 'image', data: 'iVBOR', mediaType: 'image/png' },
            { type: 'image', url: 'https://example.com/a.jpg', cacheControl: { type: 'ephemeral', ttl: '1h' } },
          ],
        },
        {
          role: 'assistant',
          content: [
            { type: 'reasoning', text: 'hmm', signature: 'sig1' },
            { type: 'reasoning', text: '', redacted: 'opaque' },
            { type: 'text', text: 'Calling.' },
            { type: 'tool_call', id: 'toolu_1', name: 'get_weather', arguments: '{"city":"Paris","days":[1,2]}' },
            { type: 'tool_call', id: 'toolu_2', name: 'get_time', arguments: '{}' },
          ],
        },
        {
          role: 'tool',
          content: [
            { type: 'tool_result', toolCallId: 'toolu_1', content: [{ type: 'text', text: 'sunny' }] },
            {
              type: 'tool_result',
              toolCallId: 'toolu_2',
              isError: true,
              content: [{ type: 'text', text: 'boom' }, { type: 'image', data: 'R0lG', mediaType: 'image/gif' }],
              cacheControl: { type: 'ephemeral' },
            },
          ],
        },
        { role: 'user', content: [{ type: 'text', text: 'Go on.' }] },
      ],
      tools: [
        {
          name: 'get_weather',
          description: 'Weather',
          parameters: { type: 'object', properties: { city: { type: 'string' } } },
          cacheControl: { type: 'ephemeral' },
        },
        { name: 'get_time', parameters: { type: 'object' }, strict: true },
      ],
      toolChoice: { type: 'required' },
      parallelToolCalls: false,
      reasoning: { budgetTokens: 1024 },
      stream: true,
      maxTokens: 2048,
      stop: ['END'],
      temperature: 0.5,
      topP: 0.9,
      topK: 40,
      user: 'user-7',
    });
  });

  test('tool_choice variants', () => {
    const tools = [{ name: 'f', input_schema: { type: 'object' } }];
    assert.deepEqual(parse({ ...base, tools, tool_choice: { type: 'auto' } }).toolChoice, { type: 'auto' });
    assert.deepEqual(parse({ ...base, tools, tool_choice: { type: 'none' } }).toolChoice, { type: 'none' });
    const named = parse({ ...base, tools, tool_choice: { type: 'tool', name: 'f' } });
    assert.deepEqual(named.toolChoice, { type: 'tool', name: 'f' });
    assert.equal(named.parallelToolCalls, undefined);
  });

  test('a user message with only tool results gives only a tool message', () => {
    const request = parse({
      ...base,
      messages: [
        { role: 'user', content: 'q' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 't', name: 'f', input: {} }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't' }] },
      ],
    });
    assert.deepEqual(request.messages.at(-1), { role: 'tool', content: [{ type: 'tool_result', toolCallId: 't', content: [] }] });
    assert.equal(request.messages.length, 3);
  });

  test('adaptive thinking and output_config map to effort and a JSON schema format', () => {
    const request = parse({
      ...base,
      thinking: { type: 'adaptive' },
      output_config: { effort: 'xhigh', format: { type: 'json_schema', schema: { type: 'object' } } },
    });
    assert.deepEqual(request.reasoning, { effort: 'high' });
    assert.deepEqual(request.responseFormat, { type: 'json_schema', name: 'response', schema: { type: 'object' } });
    assert.equal(parse({ ...base, thinking: { type: 'disabled' } }).reasoning, undefined);
  });

  test('system role messages and unknown top-level fields are accepted', () => {
    const request = parse({ ...base, service_tier: 'auto', context_management: {}, messages: [{ role: 'system', content: 'S' }, ...base.messages] });
    assert.deepEqual(request.messages[0], { role: 'system', content: [{ type: 'text', text: 'S' }] });
  });

  test('count_tokens needs no max_tokens and is never a stream', () => {
    const request = parseCountTokensRequest({ model: 'claude-x', messages: [{ role: 'user', content: 'Hi' }], system: 'S' });
    assert.deepEqual(request, {
      model: 'claude-x',
      messages: [
        { role: 'system', content: [{ type: 'text', text: 'S' }] },
        { role: 'user', content: [{ type: 'text', text: 'Hi' }] },
      ],
      stream: false,
    });
    assert.throws(() => parseCountTokensRequest({ messages: [] }), { code: 'invalid_request', param: 'model' });
  });
});

describe('anthropic dialect: reject bad input naming the field', () => {
  const userBlocks = (...content: unknown[]) => ({ ...base, messages: [{ role: 'user', content }] });
  const assistantBlocks = (...content: unknown[]) => ({ ...base, messages: [{ role: 'user', content: 'q' }, { role: 'assistant', content }] });

  test('body and top-level fields', () => {
    assertRejects('nope', 'invalid_request', 'body');
    assertRejects({ ...base, model: undefined }, 'invalid_request', 'model', /required/);
    assertRejects({ ...base, model: '' }, 'invalid_request', 'model');
    assertRejects({ ...base, max_tokens: undefined }, 'invalid_request', 'max_tokens', /required/);
    assertRejects({ ...base, max_tokens: 0 }, 'invalid_request', 'max_tokens');
    assertRejects({ ...base, max_tokens: 1.5 }, 'invalid_request', 'max_tokens');
    assertRejects({ ...base, messages: [] }, 'invalid_request', 'messages');
    assertRejects({ ...base, messages: 'Hi' }, 'invalid_request', 'messages');
    assertRejects({ ...base, temperature: 1.5 }, 'invalid_request', 'temperature');
    assertRejects({ ...base, top_p: -1 }, 'invalid_request', 'top_p');
    assertRejects({ ...base, top_k: 'many' }, 'invalid_request', 'top_k');
    assertRejects({ ...base, stop_sequences: [1] }, 'invalid_request', 'stop_sequences[0]');
    assertRejects({ ...base, stream: 'yes' }, 'invalid_request', 'stream');
    assertRejects({ ...base, metadata: { user_id: 5 } }, 'invalid_request', 'metadata.user_id');
    assertRejects({ ...base, system: 5 }, 'invalid_request', 'system', /string or an array/);
    assertRejects({ ...base, system: [{ type: 'image' }] }, 'invalid_request', 'system[0].type');
    assertRejects({ ...base, thinking: { type: 'enabled', budget_tokens: 100 } }, 'invalid_request', 'thinking.budget_tokens');
    assertRejects({ ...base, thinking: { type: 'sometimes' } }, 'invalid_request', 'thinking.type');
    assertRejects({ ...base, mcp_servers: [] }, 'unsupported_feature', 'mcp_servers');
  });

  test('messages and content blocks', () => {
    assertRejects({ ...base, messages: [{ role: 'robot', content: 'x' }] }, 'invalid_request', 'messages[0].role');
    assertRejects({ ...base, messages: [{ role: 'user' }] }, 'invalid_request', 'messages[0].content');
    assertRejects({ ...base, messages: [{ role: 'user', content: 7 }] }, 'invalid_request', 'messages[0].content');
    assertRejects(userBlocks({ text: 'no type' }), 'invalid_request', 'messages[0].content[0].type');
    assertRejects(userBlocks({ type: 'text' }), 'invalid_request', 'messages[0].content[0].text', /required/);
    assertRejects(userBlocks({ type: 'text', text: 'x', cache_control: { type: 'forever' } }), 'invalid_request', 'messages[0].content[0].cache_control.type');
    assertRejects(userBlocks({ type: 'image', source: { type: 'base64', media_type: 'image/tiff', data: 'x' } }), 'invalid_request', 'messages[0].content[0].source.media_type');
    assertRejects(userBlocks({ type: 'image', source: { type: 'base64', media_type: 'image/png', data: '' } }), 'invalid_request', 'messages[0].content[0].source.data');
    assertRejects(userBlocks({ type: 'image', source: { type: 'url', url: 'not a url' } }), 'invalid_request', 'messages[0].content[0].source.url');
    assertRejects(userBlocks({ type: 'image', source: { type: 'file', file_id: 'f' } }), 'unsupported_feature', 'messages[0].content[0].source.type');
    assertRejects(userBlocks({ type: 'image' }), 'invalid_request', 'messages[0].content[0].source');
    assertRejects(userBlocks({ type: 'tool_use', id: 't', name: 'f', input: {} }), 'invalid_request', 'messages[0].content[0].type', /not allowed/);
    assertRejects(userBlocks({ type: 'tool_result' }), 'invalid_request', 'messages[0].content[0].tool_use_id');
    assertRejects(userBlocks({ type: 'tool_result', tool_use_id: 't', content: 5 }), 'invalid_request', 'messages[0].content[0].content');
    assertRejects(userBlocks({ type: 'tool_result', tool_use_id: 't', content: [{ type: 'document' }] }), 'unsupported_feature', 'messages[0].content[0].content[0].type');
    assertRejects(userBlocks({ type: 'tool_result', tool_use_id: 't', is_error: 'yes' }), 'invalid_request', 'messages[0].content[0].is_error');
    assertRejects(userBlocks({ type: 'document', source: {} }), 'unsupported_feature', 'messages[0].content[0].type', /document/);
    assertRejects(userBlocks({ type: 'search_result' }), 'unsupported_feature', 'messages[0].content[0].type');
    assertRejects(userBlocks({ type: 'hologram' }), 'invalid_request', 'messages[0].content[0].type');
    assertRejects(assistantBlocks({ type: 'tool_use', id: 't', name: 'f', input: 'x' }), 'invalid_request', 'messages[1].content[0].input', /object/);
    assertRejects(assistantBlocks({ type: 'tool_use', id: 't', name: 'f', input: [1] }), 'invalid_request', 'messages[1].content[0].input');
    assertRejects(assistantBlocks({ type: 'tool_use', name: 'f', input: {} }), 'invalid_request', 'messages[1].content[0].id');
    assertRejects(assistantBlocks({ type: 'thinking', thinking: 'x' }), 'invalid_request', 'messages[1].content[0].signature');
    assertRejects(assistantBlocks({ type: 'redacted_thinking' }), 'invalid_request', 'messages[1].content[0].data');
    assertRejects(assistantBlocks({ type: 'tool_result', tool_use_id: 't' }), 'invalid_request', 'messages[1].content[0].type');
    assertRejects(assistantBlocks({ type: 'server_tool_use', id: 's', name: 'web_search', input: {} }), 'unsupported_feature', 'messages[1].content[0].type');
    assertRejects({ ...base, messages: [{ role: 'system', content: [{ type: 'image' }] }] }, 'invalid_request', 'messages[0].content[0].type');
  });

  test('tools and tool_choice', () => {
    const tool = { name: 'f', input_schema: { type: 'object' } };
    assertRejects({ ...base, tools: {} }, 'invalid_request', 'tools');
    assertRejects({ ...base, tools: [{ ...tool, name: 'has space' }] }, 'invalid_request', 'tools[0].name');
    assertRejects({ ...base, tools: [{ name: 'f' }] }, 'invalid_request', 'tools[0].input_schema', /required/);
    assertRejects({ ...base, tools: [{ name: 'f', input_schema: { type: 'array' } }] }, 'invalid_request', 'tools[0].input_schema.type');
    assertRejects({ ...base, tools: [tool, { ...tool, description: 3 }] }, 'invalid_request', 'tools[1].description');
    assertRejects({ ...base, tools: [{ type: 'web_search_20250305', name: 'web_search' }] }, 'unsupported_feature', 'tools[0].type', /web_search_20250305/);
    assertRejects({ ...base, tools: [{ type: 'bash_20250124', name: 'bash' }] }, 'unsupported_feature', 'tools[0].type');
    assertRejects({ ...base, tools: [tool], tool_choice: { type: 'sometimes' } }, 'invalid_request', 'tool_choice.type');
    assertRejects({ ...base, tools: [tool], tool_choice: { type: 'tool' } }, 'invalid_request', 'tool_choice.name');
    assertRejects({ ...base, tools: [tool], tool_choice: { type: 'tool', name: 'g' } }, 'invalid_request', 'tool_choice.name', /no tool named "g"/);
    assertRejects({ ...base, tools: [tool], tool_choice: { type: 'auto', disable_parallel_tool_use: 'yes' } }, 'invalid_request', 'tool_choice.disable_parallel_tool_use');
  });

  test('output_config', () => {
    assertRejects({ ...base, output_config: { effort: 'extreme' } }, 'invalid_request', 'output_config.effort');
    assertRejects({ ...base, output_config: { format: { type: 'json_schema' } } }, 'invalid_request', 'output_config.format.schema');
  });
});
