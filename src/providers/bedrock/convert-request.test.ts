import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ChatRequest, Message } from '../../ir/chat.js';
import { GatewayError } from '../../errors/gateway-error.js';
import { convertRequest } from './convert-request.js';
import { JSON_RESPONSE_TOOL } from './convert-tools.js';

const MODEL = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';
const request = (messages: Message[], extra: Partial<ChatRequest> = {}): ChatRequest => ({ model: 'smart', messages, stream: false, ...extra });
const user = (text: string): Message => ({ role: 'user', content: [{ type: 'text', text }] });

test('system messages are gathered, roles merged to alternate, params mapped', () => {
  const body = convertRequest(
    request(
      [
        { role: 'system', content: [{ type: 'text', text: 'Be brief.' }] },
        user('Hi'),
        user('Again'),
        { role: 'system', content: [{ type: 'text', text: 'Late rule.', cacheControl: { type: 'ephemeral' } }] },
        { role: 'assistant', content: [{ type: 'text', text: 'Hello' }, { type: 'text', text: '' }] },
        user('Bye'),
      ],
      { maxTokens: 100, temperature: 0.2, topP: 0.9, topK: 40, stop: ['END'], seed: 7, user: 'u1', frequencyPenalty: 1 },
    ),
    MODEL,
  );
  assert.deepEqual(body, {
    messages: [
      { role: 'user', content: [{ text: 'Hi' }, { text: 'Again' }] },
      { role: 'assistant', content: [{ text: 'Hello' }] },
      { role: 'user', content: [{ text: 'Bye' }] },
    ],
    system: [{ text: 'Be brief.' }, { text: 'Late rule.' }, { cachePoint: { type: 'default' } }],
    inferenceConfig: { maxTokens: 100, temperature: 0.2, topP: 0.9, stopSequences: ['END'] },
    additionalModelRequestFields: { top_k: 40 },
  });
});

test('tool calls, tool results (merged with the next user turn) and tools', () => {
  const body = convertRequest(
    request(
      [
        user('Weather in Paris?'),
        {
          role: 'assistant',
          content: [
            { type: 'reasoning', text: 'Need the tool.', signature: 'sig-1' },
            { type: 'reasoning', text: 'unsigned thoughts are dropped' },
            { type: 'text', text: 'Checking.' },
            { type: 'tool_call', id: 'tooluse_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
            { type: 'tool_call', id: 'tooluse_2', name: 'get_time', arguments: '' },
          ],
        },
        { role: 'tool', content: [{ type: 'tool_result', toolCallId: 'tooluse_1', content: [{ type: 'text', text: '18C' }] }] },
        { role: 'tool', content: [{ type: 'tool_result', toolCallId: 'tooluse_2', content: [], isError: true }] },
        user('Thanks'),
      ],
      {
        tools: [
          { name: 'get_weather', description: 'Weather by city', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
          { name: 'get_time', parameters: { type: 'object' }, cacheControl: { type: 'ephemeral' } },
        ],
        toolChoice: { type: 'required' },
      },
    ),
    MODEL,
  );
  assert.deepEqual(body, {
    messages: [
      { role: 'user', content: [{ text: 'Weather in Paris?' }] },
      {
        role: 'assistant',
        content: [
          { reasoningContent: { reasoningText: { text: 'Need the tool.', signature: 'sig-1' } } },
          { text: 'Checking.' },
          { toolUse: { toolUseId: 'tooluse_1', name: 'get_weather', input: { city: 'Paris' } } },
          { toolUse: { toolUseId: 'tooluse_2', name: 'get_time', input: {} } },
        ],
      },
      {
        role: 'user',
        content: [
          { toolResult: { toolUseId: 'tooluse_1', content: [{ text: '18C' }] } },
          { toolResult: { toolUseId: 'tooluse_2', content: [{ text: '(empty)' }], status: 'error' } },
          { text: 'Thanks' },
        ],
      },
    ],
    toolConfig: {
      tools: [
        { toolSpec: { name: 'get_weather', description: 'Weather by city', inputSchema: { json: { type: 'object', properties: { city: { type: 'string' } } } } } },
        { toolSpec: { name: 'get_time', inputSchema: { json: { type: 'object' } } } },
        { cachePoint: { type: 'default' } },
      ],
      toolChoice: { any: {} },
    },
  });
});

test('tool choice: auto is left out, a named tool is forced', () => {
  const tools = [{ name: 'f', parameters: { type: 'object' } }];
  assert.equal(convertRequest(request([user('x')], { tools, toolChoice: { type: 'auto' } }), MODEL).toolConfig?.toolChoice, undefined);
  assert.deepEqual(convertRequest(request([user('x')], { tools, toolChoice: { type: 'tool', name: 'f' } }), MODEL).toolConfig?.toolChoice, { tool: { name: 'f' } });
});

test('tool choice none drops the tools, unless the history needs a toolConfig', () => {
  const tools = [{ name: 'f', parameters: { type: 'object' } }];
  assert.equal(convertRequest(request([user('x')], { tools, toolChoice: { type: 'none' } }), MODEL).toolConfig, undefined);
  const history: Message[] = [
    user('x'),
    { role: 'assistant', content: [{ type: 'tool_call', id: 't1', name: 'f', arguments: '{}' }] },
    { role: 'tool', content: [{ type: 'tool_result', toolCallId: 't1', content: [{ type: 'text', text: 'ok' }] }] },
  ];
  assert.deepEqual(convertRequest(request(history, { tools, toolChoice: { type: 'none' } }), MODEL).toolConfig, {
    tools: [{ toolSpec: { name: 'f', inputSchema: { json: { type: 'object' } } } }],
  });
  // No tools sent at all but a tool history: placeholders named after the tools used.
  assert.deepEqual(convertRequest(request(history), MODEL).toolConfig, {
    tools: [{ toolSpec: { name: 'f', description: 'A tool used earlier in this conversation.', inputSchema: { json: { type: 'object' } } } }],
  });
});

test('json_schema response format becomes a forced tool', () => {
  const schema = { type: 'object', properties: { answer: { type: 'number' } }, required: ['answer'] };
  const body = convertRequest(request([user('6*7?')], { responseFormat: { type: 'json_schema', name: 'result', schema } }), MODEL);
  assert.deepEqual(body.toolConfig, {
    tools: [
      {
        toolSpec: {
          name: JSON_RESPONSE_TOOL,
          description: 'Respond with your complete answer as JSON (result). Call this tool exactly once.',
          inputSchema: { json: schema },
        },
      },
    ],
    toolChoice: { tool: { name: JSON_RESPONSE_TOOL } },
  });
  const withTools = convertRequest(
    request([user('x')], { responseFormat: { type: 'json_object' }, tools: [{ name: 'f', parameters: { type: 'object' } }] }),
    MODEL,
  );
  assert.deepEqual(withTools.toolConfig?.toolChoice, { any: {} });
  assert.deepEqual(withTools.toolConfig?.tools.map((tool) => ('toolSpec' in tool ? tool.toolSpec.name : 'cachePoint')), ['f', JSON_RESPONSE_TOOL]);
  assert.throws(
    () => convertRequest(request([user('x')], { responseFormat: { type: 'json_schema', name: 'list', schema: { type: 'array' } } }), MODEL),
    (error: unknown) => error instanceof GatewayError && error.code === 'unsupported_feature' && error.param === 'response_format',
  );
  assert.throws(
    () => convertRequest(request([user('x')], { tools: [{ name: JSON_RESPONSE_TOOL, parameters: { type: 'object' } }] }), MODEL),
    (error: unknown) => error instanceof GatewayError && error.param === 'tools',
  );
});

test('images: inline base64 and data: URLs become bytes; http URLs are refused naming the field', () => {
  const body = convertRequest(
    request([
      {
        role: 'user',
        content: [
          { type: 'image', data: 'iVBORw0KGgo=', mediaType: 'image/png', cacheControl: { type: 'ephemeral' } },
          { type: 'image', url: 'data:image/jpeg;base64,/9j/4AAQ' },
          { type: 'text', text: 'What is this?' },
        ],
      },
    ]),
    MODEL,
  );
  assert.deepEqual(body.messages[0]!.content, [
    { image: { format: 'png', source: { bytes: 'iVBORw0KGgo=' } } },
    { cachePoint: { type: 'default' } },
    { image: { format: 'jpeg', source: { bytes: '/9j/4AAQ' } } },
    { text: 'What is this?' },
  ]);
  assert.throws(
    () => convertRequest(request([user('a'), { role: 'user', content: [{ type: 'image', url: 'https://example.com/cat.png' }] }]), MODEL),
    (error: unknown) => error instanceof GatewayError && error.code === 'unsupported_feature' && error.param === 'messages[1].content[0]' && /inline bytes/.test(error.message),
  );
  assert.throws(
    () => convertRequest(request([{ role: 'user', content: [{ type: 'image', data: 'AAAA', mediaType: 'image/bmp' }] }]), MODEL),
    (error: unknown) => error instanceof GatewayError && error.code === 'unsupported_feature' && /image\/bmp/.test(error.message),
  );
});

test('refuses n > 1; keeps broken tool-call arguments from history as _raw_arguments', () => {
  assert.throws(() => convertRequest(request([user('x')], { n: 2 }), MODEL), (error: unknown) => error instanceof GatewayError && error.param === 'n');
  const body = convertRequest(request([user('x'), { role: 'assistant', content: [{ type: 'tool_call', id: 't', name: 'f', arguments: '{oops' }] }]), MODEL);
  assert.deepEqual(body.messages[1]!.content[0], { toolUse: { toolUseId: 't', name: 'f', input: { _raw_arguments: '{oops' } } });
});

test('reasoning budget becomes Anthropic thinking config only for Anthropic models', () => {
  assert.deepEqual(convertRequest(request([user('x')], { reasoning: { budgetTokens: 3000 } }), MODEL).additionalModelRequestFields, {
    thinking: { type: 'enabled', budget_tokens: 3000 },
  });
  assert.deepEqual(convertRequest(request([user('x')], { reasoning: { effort: 'low' } }), MODEL).additionalModelRequestFields, {
    thinking: { type: 'enabled', budget_tokens: 2048 },
  });
  assert.equal(convertRequest(request([user('x')], { reasoning: { effort: 'high' } }), 'amazon.nova-pro-v1:0').additionalModelRequestFields, undefined);
});

test('redacted reasoning goes back as redactedContent', () => {
  const body = convertRequest(request([user('x'), { role: 'assistant', content: [{ type: 'reasoning', text: '', redacted: 'b64blob' }, { type: 'text', text: 'ok' }] }, user('y')]), MODEL);
  assert.deepEqual(body.messages[1], { role: 'assistant', content: [{ reasoningContent: { redactedContent: 'b64blob' } }, { text: 'ok' }] });
});
