import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ChatRequest, Message } from '../../ir/chat.js';
import { GatewayError } from '../../errors/gateway-error.js';
import { toGenerateContentRequest } from './build-request.js';
import { toThinkingConfig } from './generation-config.js';

const request = (messages: Message[], extra: Partial<ChatRequest> = {}): ChatRequest => ({ model: 'm', messages, stream: false, ...extra });
const user = (text: string): Message => ({ role: 'user', content: [{ type: 'text', text }] });

describe('contents and systemInstruction', () => {
  test('system messages from anywhere gather into systemInstruction; roles map to user/model', () => {
    const body = toGenerateContentRequest(
      request([
        { role: 'system', content: [{ type: 'text', text: 'Be brief.' }] },
        user('Hi'),
        { role: 'assistant', content: [{ type: 'text', text: 'Hello!' }] },
        { role: 'system', content: [{ type: 'text', text: 'Answer in French.' }] },
        user('How are you?'),
      ]),
      'gemini-2.5-flash',
    );
    assert.deepEqual(body, {
      contents: [
        { role: 'user', parts: [{ text: 'Hi' }] },
        { role: 'model', parts: [{ text: 'Hello!' }] },
        { role: 'user', parts: [{ text: 'How are you?' }] },
      ],
      systemInstruction: { parts: [{ text: 'Be brief.' }, { text: 'Answer in French.' }] },
    });
  });

  test('consecutive turns of one role merge, empty texts and empty turns vanish', () => {
    const body = toGenerateContentRequest(
      request([user('a'), { role: 'user', content: [{ type: 'text', text: '' }] }, user('b'), { role: 'assistant', content: [{ type: 'text', text: '' }] }, user('c')]),
      'gemini-2.5-flash',
    );
    assert.deepEqual(body.contents, [{ role: 'user', parts: [{ text: 'a' }, { text: 'b' }, { text: 'c' }] }]);
  });

  test('a system-only conversation becomes the user turn', () => {
    const body = toGenerateContentRequest(request([{ role: 'system', content: [{ type: 'text', text: 'Say hi' }] }]), 'gemini-2.5-flash');
    assert.deepEqual(body, { contents: [{ role: 'user', parts: [{ text: 'Say hi' }] }] });
  });

  test('Gemma takes no systemInstruction: the system text opens the first user turn', () => {
    const body = toGenerateContentRequest(request([{ role: 'system', content: [{ type: 'text', text: 'Be brief.' }] }, user('Hi')]), 'gemma-3-27b-it');
    assert.deepEqual(body, { contents: [{ role: 'user', parts: [{ text: 'Be brief.' }, { text: 'Hi' }] }] });
  });

  test('images: base64 and data: URLs inline, http(s) URLs by reference with a guessed type', () => {
    const body = toGenerateContentRequest(
      request([
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Compare' },
            { type: 'image', data: 'iVBORw0KGgo=', mediaType: 'image/png' },
            { type: 'image', url: 'data:image/webp;base64,UklGRg==' },
            { type: 'image', url: 'data:text/plain,hello%20world' },
            { type: 'image', url: 'https://example.com/cat.PNG?size=large' },
            { type: 'image', url: 'https://example.com/photo' },
            { type: 'image', url: 'https://generativelanguage.googleapis.com/v1beta/files/abc', mediaType: 'image/heic' },
          ],
        },
      ]),
      'gemini-2.5-flash',
    );
    assert.deepEqual(body.contents[0]!.parts, [
      { text: 'Compare' },
      { inlineData: { mimeType: 'image/png', data: 'iVBORw0KGgo=' } },
      { inlineData: { mimeType: 'image/webp', data: 'UklGRg==' } },
      { inlineData: { mimeType: 'text/plain', data: Buffer.from('hello world').toString('base64') } },
      { fileData: { mimeType: 'image/png', fileUri: 'https://example.com/cat.PNG?size=large' } },
      { fileData: { mimeType: 'image/jpeg', fileUri: 'https://example.com/photo' } },
      { fileData: { mimeType: 'image/heic', fileUri: 'https://generativelanguage.googleapis.com/v1beta/files/abc' } },
    ]);
  });

  test('an image without data or URL, or a broken data: URL, is refused naming the part', () => {
    assert.throws(
      () => toGenerateContentRequest(request([{ role: 'user', content: [{ type: 'image' }] }]), 'gemini-2.5-flash'),
      (error: unknown) => error instanceof GatewayError && error.code === 'invalid_request' && error.param === 'messages[0].content[0]',
    );
    assert.throws(
      () => toGenerateContentRequest(request([{ role: 'user', content: [user('x').content[0]!, { type: 'image', url: 'data:image/png' }] }]), 'gemini-2.5-flash'),
      (error: unknown) => error instanceof GatewayError && error.param === 'messages[0].content[1]',
    );
  });
});

describe('tool conversation', () => {
  const conversation: Message[] = [
    user('Weather in Paris and Rome?'),
    {
      role: 'assistant',
      content: [
        { type: 'text', text: 'Checking.' },
        { type: 'tool_call', id: 'call_a', name: 'get_weather', arguments: '{"city":"Paris"}' },
        { type: 'tool_call', id: 'call_b', name: 'get_weather', arguments: '{"city":"Rome"}' },
      ],
    },
    {
      role: 'tool',
      content: [
        { type: 'tool_result', toolCallId: 'call_a', content: [{ type: 'text', text: 'sunny' }] },
        { type: 'tool_result', toolCallId: 'call_b', content: [{ type: 'text', text: 'no such city' }], isError: true },
      ],
    },
    user('Thanks'),
  ];

  test('calls become functionCall parts, results functionResponse parts named after the call', () => {
    const body = toGenerateContentRequest(request(conversation), 'gemini-2.5-flash');
    assert.deepEqual(body.contents, [
      { role: 'user', parts: [{ text: 'Weather in Paris and Rome?' }] },
      {
        role: 'model',
        parts: [
          { text: 'Checking.' },
          { functionCall: { id: 'call_a', name: 'get_weather', args: { city: 'Paris' } } },
          { functionCall: { id: 'call_b', name: 'get_weather', args: { city: 'Rome' } } },
        ],
      },
      {
        role: 'user',
        parts: [
          { functionResponse: { id: 'call_a', name: 'get_weather', response: { output: 'sunny' } } },
          { functionResponse: { id: 'call_b', name: 'get_weather', response: { error: 'no such city' } } },
          { text: 'Thanks' },
        ],
      },
    ]);
  });

  test('Gemini 3: the first unsigned call of a turn gets the placeholder signature', () => {
    const body = toGenerateContentRequest(request(conversation), 'gemini-3-pro-preview');
    assert.deepEqual(body.contents[1]!.parts, [
      { text: 'Checking.' },
      { functionCall: { id: 'call_a', name: 'get_weather', args: { city: 'Paris' } }, thoughtSignature: 'skip_thought_signature_validator' },
      { functionCall: { id: 'call_b', name: 'get_weather', args: { city: 'Rome' } } },
    ]);
  });

  test("Gemini's own signatures go back on the call they came with; foreign ones are dropped", () => {
    const body = toGenerateContentRequest(
      request([
        user('q'),
        {
          role: 'assistant',
          content: [
            { type: 'reasoning', text: 'Let me think.', signature: 'anthropic-signature' },
            { type: 'reasoning', text: '', signature: 'gemini:c2lnMQ==' },
            { type: 'tool_call', id: 'call_a', name: 'f', arguments: '{}' },
          ],
        },
        { role: 'tool', content: [{ type: 'tool_result', toolCallId: 'call_a', content: [{ type: 'text', text: 'ok' }] }] },
        { role: 'assistant', content: [{ type: 'reasoning', text: 'Done thinking.', signature: 'gemini:c2lnMg==' }, { type: 'text', text: 'Answer' }] },
        user('more'),
      ]),
      'gemini-3-flash-preview',
    );
    assert.deepEqual(body.contents[1]!.parts, [
      { text: 'Let me think.', thought: true },
      { functionCall: { id: 'call_a', name: 'f', args: {} }, thoughtSignature: 'c2lnMQ==' },
    ]);
    assert.deepEqual(body.contents[3]!.parts, [{ text: 'Done thinking.', thought: true, thoughtSignature: 'c2lnMg==' }, { text: 'Answer' }]);
  });

  test('arguments that are not a JSON object are wrapped, never dropped', () => {
    const body = toGenerateContentRequest(
      request([
        user('q'),
        {
          role: 'assistant',
          content: [
            { type: 'tool_call', id: 'a', name: 'f', arguments: '' },
            { type: 'tool_call', id: 'b', name: 'f', arguments: '[1,2]' },
            { type: 'tool_call', id: 'c', name: 'f', arguments: '{"cut": "of' },
          ],
        },
      ]),
      'gemini-2.5-flash',
    );
    assert.deepEqual(
      body.contents[1]!.parts!.map((part) => part.functionCall?.args),
      [{}, { _raw_arguments: '[1,2]' }, { _raw_arguments: '{"cut": "of' }],
    );
  });

  test('tool results with images send the images as inline parts after the response', () => {
    const body = toGenerateContentRequest(
      request([
        user('q'),
        { role: 'assistant', content: [{ type: 'tool_call', id: 'shot', name: 'screenshot', arguments: '{}' }] },
        {
          role: 'tool',
          content: [
            {
              type: 'tool_result',
              toolCallId: 'shot',
              content: [
                { type: 'text', text: 'Here it is' },
                { type: 'image', data: 'AAAA', mediaType: 'image/png' },
              ],
            },
          ],
        },
      ]),
      'gemini-2.5-flash',
    );
    assert.deepEqual(body.contents[2]!.parts, [
      { functionResponse: { id: 'shot', name: 'screenshot', response: { output: 'Here it is' } } },
      { inlineData: { mimeType: 'image/png', data: 'AAAA' } },
    ]);
  });

  test('a tool result answering an unknown call is refused (the legacy message name is a fallback)', () => {
    const orphan: Message = { role: 'tool', content: [{ type: 'tool_result', toolCallId: 'nope', content: [{ type: 'text', text: 'x' }] }] };
    assert.throws(
      () => toGenerateContentRequest(request([user('q'), orphan]), 'gemini-2.5-flash'),
      (error: unknown) => error instanceof GatewayError && error.code === 'invalid_request' && error.param === 'messages[1].content[0].tool_call_id',
    );
    const named = toGenerateContentRequest(request([user('q'), { ...orphan, name: 'lookup' }]), 'gemini-2.5-flash');
    assert.deepEqual(named.contents[0]!.parts![1], { functionResponse: { id: 'nope', name: 'lookup', response: { output: 'x' } } });
  });
});

describe('tools, tool choice and generation config', () => {
  const weather = {
    name: 'get_weather',
    description: 'Weather for a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false },
  };
  const now = { name: 'now', parameters: { type: 'object', properties: {} } };

  test('declarations with rewritten schemas; tool_choice variants', () => {
    const cases: Array<[ChatRequest['toolChoice'], unknown]> = [
      [{ type: 'auto' }, { functionCallingConfig: { mode: 'AUTO' } }],
      [{ type: 'none' }, { functionCallingConfig: { mode: 'NONE' } }],
      [{ type: 'required' }, { functionCallingConfig: { mode: 'ANY' } }],
      [{ type: 'tool', name: 'now' }, { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['now'] } }],
    ];
    for (const [toolChoice, toolConfig] of cases) {
      const body = toGenerateContentRequest(request([user('q')], { tools: [weather, now], toolChoice }), 'gemini-2.5-flash');
      assert.deepEqual(body.tools, [
        {
          functionDeclarations: [
            { name: 'get_weather', description: 'Weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
            { name: 'now' },
          ],
        },
      ]);
      assert.deepEqual(body.toolConfig, toolConfig);
    }
    assert.equal(toGenerateContentRequest(request([user('q')], { toolChoice: { type: 'none' } }), 'gemini-2.5-flash').toolConfig, undefined);
  });

  test('every sampling field maps to generationConfig', () => {
    const body = toGenerateContentRequest(
      request([user('q')], {
        maxTokens: 100,
        temperature: 0.5,
        topP: 0.9,
        topK: 40,
        stop: ['END'],
        seed: 7,
        n: 2,
        presencePenalty: 0.1,
        frequencyPenalty: 0.2,
        user: 'u1',
        metadata: { a: 'b' },
      }),
      'gemini-2.5-flash',
    );
    assert.deepEqual(body.generationConfig, {
      maxOutputTokens: 100,
      temperature: 0.5,
      topP: 0.9,
      topK: 40,
      stopSequences: ['END'],
      seed: 7,
      candidateCount: 2,
      presencePenalty: 0.1,
      frequencyPenalty: 0.2,
    });
    assert.equal(toGenerateContentRequest(request([user('q')], { n: 1, stop: [] }), 'gemini-2.5-flash').generationConfig, undefined);
  });

  test('response formats: JSON mode, JSON schema rewritten, free-form schema as plain JSON mode', () => {
    const json = toGenerateContentRequest(request([user('q')], { responseFormat: { type: 'json_object' } }), 'gemini-2.5-flash');
    assert.deepEqual(json.generationConfig, { responseMimeType: 'application/json' });
    const schema = toGenerateContentRequest(
      request([user('q')], {
        responseFormat: {
          type: 'json_schema',
          name: 'answer',
          strict: true,
          schema: { type: 'object', properties: { answer: { type: 'integer' } }, required: ['answer'], additionalProperties: false },
        },
      }),
      'gemini-2.5-flash',
    );
    assert.deepEqual(schema.generationConfig, {
      responseMimeType: 'application/json',
      responseSchema: { type: 'object', properties: { answer: { type: 'integer' } }, required: ['answer'] },
    });
    const loose = toGenerateContentRequest(
      request([user('q')], { responseFormat: { type: 'json_schema', name: 'any', schema: { type: 'object', additionalProperties: true } } }),
      'gemini-2.5-flash',
    );
    assert.deepEqual(loose.generationConfig, { responseMimeType: 'application/json' });
    const text = toGenerateContentRequest(request([user('q')], { responseFormat: { type: 'text' } }), 'gemini-2.5-flash');
    assert.equal(text.generationConfig, undefined);
  });

  test('reasoning: budgets on 2.x, levels on 3, explicit budgets everywhere', () => {
    assert.deepEqual(toThinkingConfig({ effort: 'low' }, 'gemini-2.5-flash'), { includeThoughts: true, thinkingBudget: 1024 });
    assert.deepEqual(toThinkingConfig({ effort: 'high' }, 'models/gemini-2.5-pro'), { includeThoughts: true, thinkingBudget: 24576 });
    assert.deepEqual(toThinkingConfig({ effort: 'medium' }, 'gemini-3-flash-preview'), { includeThoughts: true, thinkingLevel: 'medium' });
    assert.deepEqual(toThinkingConfig({ effort: 'minimal' }, 'gemini-3-pro-preview'), { includeThoughts: true, thinkingLevel: 'low' });
    assert.deepEqual(toThinkingConfig({ effort: 'minimal' }, 'gemini-flash-latest'), { includeThoughts: true, thinkingLevel: 'minimal' });
    assert.deepEqual(toThinkingConfig({ budgetTokens: 2048, effort: 'high' }, 'gemini-3-pro-preview'), { includeThoughts: true, thinkingBudget: 2048 });
    assert.deepEqual(toThinkingConfig({ budgetTokens: 0 }, 'gemini-2.5-flash'), { includeThoughts: false, thinkingBudget: 0 });
    assert.equal(toThinkingConfig(undefined, 'gemini-2.5-flash'), undefined);
    const body = toGenerateContentRequest(request([user('q')], { maxTokens: 5, reasoning: { effort: 'low' } }), 'gemini-2.5-flash');
    assert.deepEqual(body.generationConfig, { maxOutputTokens: 5, thinkingConfig: { includeThoughts: true, thinkingBudget: 1024 } });
  });
});
