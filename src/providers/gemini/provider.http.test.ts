import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { ChatRequest, ChatResponse, EmbeddingsRequest, Message, ToolDefinition } from '../../ir/chat.js';
import type { StreamEvent } from '../../ir/stream.js';
import { GatewayError } from '../../errors/gateway-error.js';
import { readBodyText, sendUpstream } from '../../upstream/http.js';
import type { Provider, ProviderConfig } from '../types.js';
import { fakeEmbedding } from '../../../test/fakes/server.js';
import { startFakeGemini } from '../../../test/fakes/gemini.js';
import type { FakeUpstream } from '../../../test/fakes/types.js';
import { geminiProviderType } from './index.js';
import { decodeBody } from '../../../test/helpers/upstream-body.js';

const MODEL = 'gemini-2.5-flash';
let fake: FakeUpstream;
let provider: Provider;

const makeProvider = (overrides: Partial<ProviderConfig> = {}): Provider =>
  geminiProviderType.create({ name: 'gemini', type: 'gemini', baseUrl: fake.url, apiKey: 'test-key', headers: {}, timeoutMs: 5000, ...overrides });

const options = (signal: AbortSignal = AbortSignal.timeout(5000)) => ({ signal, headersTimeoutMs: 5000, bodyTimeoutMs: 5000, provider: 'gemini' });
const chat = (messages: Message[], extra: Partial<ChatRequest> = {}): ChatRequest => ({ model: 'client-model', messages, stream: false, ...extra });
const user = (text: string): Message => ({ role: 'user', content: [{ type: 'text', text }] });

async function complete(request: ChatRequest, model = MODEL, using = provider): Promise<ChatResponse> {
  const response = await sendUpstream(await using.buildChatRequest(request, model), options());
  const text = await readBodyText(response.body);
  if (response.status >= 400) throw using.parseError(response.status, response.headers, text);
  return using.parseChatResponse(JSON.parse(text), model);
}

async function stream(request: ChatRequest, model = MODEL): Promise<StreamEvent[]> {
  const response = await sendUpstream(await provider.buildChatRequest({ ...request, stream: true }, model), options());
  if (response.status >= 400) throw provider.parseError(response.status, response.headers, await readBodyText(response.body));
  assert.equal(response.headers['content-type'], 'text/event-stream');
  // A cut connection: the decoder reports what it saw as truncated.
  return (await decodeBody(response.body, provider.createStreamDecoder(model), true)).events;
}

const textOf = (events: StreamEvent[]): string => events.map((event) => (event.type === 'text' ? event.text : '')).join('');
const lastRequest = () => fake.requests.at(-1)!;

const weatherTool: ToolDefinition = {
  name: 'get_weather',
  description: 'Weather for a city',
  parameters: {
    $schema: 'http://json-schema.org/draft-07/schema#',
    type: 'object',
    properties: { city: { type: 'string' }, unit: { type: ['string', 'null'], enum: ['c', 'f', null] } },
    required: ['city'],
    additionalProperties: false,
  },
};

before(async () => {
  fake = await startFakeGemini();
  provider = makeProvider();
});
after(() => fake.close());
beforeEach(() => {
  fake.script = {};
});

describe('Gemini provider against the fake over HTTP', () => {
  test('text: URL, auth header, body and parsed answer', async () => {
    fake.script = { text: 'Hello there, general.', usage: { input: 11, output: 7, cached: 2 } };
    const response = await complete(chat([{ role: 'system', content: [{ type: 'text', text: 'Be nice.' }] }, user('Hi')], { maxTokens: 50 }));
    assert.equal(lastRequest().url, `/v1beta/models/${MODEL}:generateContent`);
    assert.equal(lastRequest().headers['x-goog-api-key'], 'test-key');
    assert.equal(lastRequest().headers['content-type'], 'application/json');
    assert.deepEqual(lastRequest().json, {
      contents: [{ role: 'user', parts: [{ text: 'Hi' }] }],
      systemInstruction: { parts: [{ text: 'Be nice.' }] },
      generationConfig: { maxOutputTokens: 50 },
    });
    assert.deepEqual(response.choices, [{ index: 0, content: [{ type: 'text', text: 'Hello there, general.' }], finishReason: 'stop' }]);
    assert.deepEqual(response.usage, { inputTokens: 11, outputTokens: 7, cachedInputTokens: 2 });
    assert.equal(response.model, MODEL);
  });

  test('stream: SSE URL, deltas in order, finish and usage last', async () => {
    fake.script = { text: 'Streaming works fine.', chunkChars: 5, usage: { input: 11, output: 7 } };
    const events = await stream(chat([user('Hi')]));
    assert.equal(lastRequest().url, `/v1beta/models/${MODEL}:streamGenerateContent?alt=sse`);
    assert.deepEqual(events[0], { type: 'start', id: 'fake-response-' + fake.requests.length, model: MODEL });
    assert.deepEqual(
      events.filter((event) => event.type === 'text').map((event) => (event as { text: string }).text),
      ['Strea', 'ming ', 'works', ' fine', '.'],
    );
    assert.deepEqual(events.slice(-2), [
      { type: 'finish', choice: 0, reason: 'stop' },
      { type: 'usage', usage: { inputTokens: 11, outputTokens: 7 } },
    ]);
  });

  test('reasoning both ways: thought parts in, reasoning out, reasoning tokens counted', async () => {
    fake.script = { reasoning: 'Think first.', text: 'Done.', usage: { input: 5, output: 10 } };
    const response = await complete(chat([user('q')], { reasoning: { effort: 'low' } }));
    assert.deepEqual(lastRequest().json.generationConfig, { thinkingConfig: { includeThoughts: true, thinkingBudget: 1024 } });
    assert.deepEqual(response.choices[0]!.content, [
      { type: 'reasoning', text: 'Think first.' },
      { type: 'text', text: 'Done.' },
    ]);
    assert.deepEqual(response.usage, { inputTokens: 5, outputTokens: 10, reasoningTokens: 5 });
    const events = await stream(chat([user('q')]));
    assert.equal(events.filter((event) => event.type === 'reasoning').map((event) => (event as { text: string }).text).join(''), 'Think first.');
    assert.equal(textOf(events), 'Done.');
  });

  test('tools: schemas rewritten so Gemini accepts them, calls parsed with ids, streamed whole', async () => {
    fake.script = { toolCalls: [{ id: 'ignored', name: 'get_weather', arguments: '{"city":"Paris","unit":"c"}' }], usage: { input: 11, output: 7 } };
    const request = chat([user('Weather in Paris?')], { tools: [weatherTool], toolChoice: { type: 'tool', name: 'get_weather' } });
    const response = await complete(request);
    assert.deepEqual(lastRequest().json.tools, [
      {
        functionDeclarations: [
          {
            name: 'get_weather',
            description: 'Weather for a city',
            parameters: {
              type: 'object',
              properties: { city: { type: 'string' }, unit: { type: 'string', nullable: true, enum: ['c', 'f'] } },
              required: ['city'],
            },
          },
        ],
      },
    ]);
    assert.deepEqual(lastRequest().json.toolConfig, { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['get_weather'] } });
    const call = response.choices[0]!.content[0]!;
    assert.equal(call.type, 'tool_call');
    assert.equal(response.choices[0]!.finishReason, 'tool_calls');
    assert.deepEqual(call.type === 'tool_call' && [call.name, JSON.parse(call.arguments)], ['get_weather', { city: 'Paris', unit: 'c' }]);

    const events = await stream(request);
    const start = events.find((event) => event.type === 'tool_call_start');
    assert.deepEqual(start, { type: 'tool_call_start', choice: 0, index: 0, id: call.type === 'tool_call' ? call.id : '', name: 'get_weather' });
    assert.deepEqual(
      events.filter((event) => event.type === 'tool_call_delta'),
      [{ type: 'tool_call_delta', choice: 0, index: 0, arguments: '{"city":"Paris","unit":"c"}' }],
    );
    assert.deepEqual(events.at(-2), { type: 'finish', choice: 0, reason: 'tool_calls' });
  });

  test('tool results: a multi-turn conversation is accepted, results named after their calls', async () => {
    fake.script = { toolCalls: [{ id: 'x', name: 'get_weather', arguments: '{"city":"Paris"}' }] };
    const first = await complete(chat([user('Weather?')], { tools: [weatherTool] }));
    fake.script = { text: 'It is sunny.' };
    const calls = first.choices[0]!.content.filter((part) => part.type === 'tool_call');
    const second = await complete(
      chat(
        [
          user('Weather?'),
          { role: 'assistant', content: first.choices[0]!.content },
          { role: 'tool', content: calls.map((part) => ({ type: 'tool_result' as const, toolCallId: part.id, content: [{ type: 'text' as const, text: 'sunny and 21 degrees' }] })) },
        ],
        { tools: [weatherTool] },
      ),
    );
    assert.deepEqual(lastRequest().json.contents[2], {
      role: 'user',
      parts: [{ functionResponse: { id: calls[0]!.id, name: 'get_weather', response: { output: 'sunny and 21 degrees' } } }],
    });
    assert.deepEqual(second.choices[0]!.content, [{ type: 'text', text: 'It is sunny.' }]);
  });

  test('Gemini 3: the thought signature survives the round trip and is accepted back', async () => {
    fake.script = { reasoning: 'Plan.', toolCalls: [{ id: 'x', name: 'get_weather', arguments: '{"city":"Oslo"}' }] };
    const model = 'gemini-3-pro-preview';
    const first = await complete(chat([user('Weather?')], { tools: [weatherTool] }), model);
    const signature = first.choices[0]!.content.find((part) => part.type === 'reasoning' && part.signature)!;
    assert.equal(signature.type === 'reasoning' && signature.signature, `gemini:${Buffer.from('fake-signature:get_weather').toString('base64')}`);
    const call = first.choices[0]!.content.find((part) => part.type === 'tool_call')!;
    fake.script = { text: 'Cold.' };
    await complete(
      chat(
        [
          user('Weather?'),
          { role: 'assistant', content: first.choices[0]!.content },
          { role: 'tool', content: [{ type: 'tool_result', toolCallId: call.type === 'tool_call' ? call.id : '', content: [{ type: 'text', text: '-3' }] }] },
        ],
        { tools: [weatherTool] },
      ),
      model,
    );
    const replayed = lastRequest().json.contents[1].parts.find((part: { functionCall?: unknown }) => part.functionCall);
    assert.equal(replayed.thoughtSignature, Buffer.from('fake-signature:get_weather').toString('base64'));
  });

  test('images reach Gemini as inline data', async () => {
    const png = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
    await complete(chat([{ role: 'user', content: [{ type: 'text', text: 'What is this?' }, { type: 'image', url: `data:image/png;base64,${png}` }] }]));
    assert.deepEqual(lastRequest().json.contents[0].parts[1], { inlineData: { mimeType: 'image/png', data: png } });
  });

  test('JSON schema: responseSchema rewritten and accepted', async () => {
    fake.script = { text: '{"answer":42}' };
    const response = await complete(
      chat([user('Answer?')], {
        responseFormat: {
          type: 'json_schema',
          name: 'answer',
          schema: { $defs: { N: { type: 'integer' } }, type: 'object', properties: { answer: { $ref: '#/$defs/N' } }, required: ['answer'], additionalProperties: false },
        },
      }),
    );
    assert.deepEqual(lastRequest().json.generationConfig, {
      responseMimeType: 'application/json',
      responseSchema: { type: 'object', properties: { answer: { type: 'integer' } }, required: ['answer'] },
    });
    assert.deepEqual(response.choices[0]!.content, [{ type: 'text', text: '{"answer":42}' }]);
  });

  test('errors keep Google\'s message and map status, retryability and retry-after', async () => {
    fake.script = { error: { status: 429, message: 'Resource has been exhausted (e.g. check quota).', headers: { 'retry-after': '7' } } };
    await assert.rejects(complete(chat([user('q')])), (error: unknown) => {
      assert.ok(error instanceof GatewayError);
      assert.deepEqual([error.code, error.status, error.retryable, error.retryAfterS, error.message], [
        'upstream_rate_limited',
        429,
        true,
        7,
        'gemini: Resource has been exhausted (e.g. check quota).',
      ]);
      return true;
    });
    fake.script = { error: { status: 400, message: 'the fake refused this request' } };
    await assert.rejects(stream(chat([user('q')])), (error: unknown) => error instanceof GatewayError && error.status === 400 && /the fake refused/.test(error.message));
  });

  test('mid-stream failures: an error event, or a cut connection reported as truncated', async () => {
    fake.script = { text: 'abcdefghijkl', chunkChars: 2, failAfterChunks: 2 };
    const events = await stream(chat([user('q')]));
    assert.equal(textOf(events), 'abcd');
    const last = events.at(-1)!;
    assert.ok(last.type === 'error' && last.error.code === 'upstream_error' && last.error.retryable);
    fake.script = { text: 'abcdefghijkl', chunkChars: 2, failAfterChunks: 1, failMode: 'disconnect' };
    const cut = await stream(chat([user('q')]));
    assert.equal(textOf(cut), 'ab');
    assert.equal(cut.at(-1)!.type, 'error');
  });

  test('authentication: no key and a bad key are auth failures', async () => {
    const saved = process.env.GOOGLE_API_KEY;
    delete process.env.GOOGLE_API_KEY;
    try {
      await assert.rejects(complete(chat([user('q')]), MODEL, makeProvider({ apiKey: undefined })), (error: unknown) => error instanceof GatewayError && error.code === 'upstream_auth_failed');
      await assert.rejects(complete(chat([user('q')]), MODEL, makeProvider({ apiKey: 'invalid' })), (error: unknown) => error instanceof GatewayError && error.code === 'upstream_auth_failed' && /API key not valid/.test(error.message));
      process.env.GOOGLE_API_KEY = 'from-google-env';
      await complete(chat([user('q')]), MODEL, makeProvider({ apiKey: undefined }));
      assert.equal(lastRequest().headers['x-goog-api-key'], 'from-google-env');
    } finally {
      if (saved === undefined) delete process.env.GOOGLE_API_KEY;
      else process.env.GOOGLE_API_KEY = saved;
    }
  });

  test('base_url may carry the API version; extra headers are sent', async () => {
    const versioned = makeProvider({ baseUrl: `${fake.url}/v1beta`, headers: { 'x-extra': 'yes' } });
    await complete(chat([user('q')]), MODEL, versioned);
    assert.equal(lastRequest().url, `/v1beta/models/${MODEL}:generateContent`);
    assert.equal(lastRequest().headers['x-extra'], 'yes');
  });

  test('embeddings: batchEmbedContents, vectors in order, no usage (Gemini reports none; the gateway estimates it)', async () => {
    const request: EmbeddingsRequest = { model: 'client', input: ['first text', 'second text'], dimensions: 4 };
    const upstream = await provider.buildEmbeddingsRequest!(request, 'gemini-embedding-001');
    const response = await sendUpstream(upstream, options());
    const text = await readBodyText(response.body);
    assert.equal(response.status, 200, text);
    assert.equal(lastRequest().url, '/v1beta/models/gemini-embedding-001:batchEmbedContents');
    assert.deepEqual(lastRequest().json, {
      requests: [
        { model: 'models/gemini-embedding-001', content: { parts: [{ text: 'first text' }] }, outputDimensionality: 4 },
        { model: 'models/gemini-embedding-001', content: { parts: [{ text: 'second text' }] }, outputDimensionality: 4 },
      ],
    });
    const parse = provider.parseEmbeddingsResponse as (body: unknown, model: string, request?: EmbeddingsRequest) => ReturnType<NonNullable<Provider['parseEmbeddingsResponse']>>;
    const parsed = parse(JSON.parse(text), 'gemini-embedding-001', request);
    assert.deepEqual(parsed, {
      model: 'gemini-embedding-001',
      data: [
        { index: 0, embedding: fakeEmbedding('first text', 4) },
        { index: 1, embedding: fakeEmbedding('second text', 4) },
      ],
    });
  });

  test('a hanging upstream is abandoned when the signal fires, and the fake sees the abort', async () => {
    fake.script = { hang: true };
    const controller = new AbortController();
    const pending = sendUpstream(await provider.buildChatRequest(chat([user('q')]), MODEL), options(controller.signal));
    setTimeout(() => controller.abort(), 50);
    await assert.rejects(pending, (error: unknown) => error instanceof GatewayError);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(fake.aborted.at(-1), lastRequest());
  });
});

describe('the fake validates like the Gemini API', () => {
  async function post(path: string, body: unknown, headers: Record<string, string> = { 'x-goog-api-key': 'k' }) {
    const response = await fetch(`${fake.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    return { status: response.status, body: (await response.json()) as { error?: { code: number; message: string; status: string } } };
  }
  const generate = `/v1beta/models/${MODEL}:generateContent`;
  const hello = { contents: [{ role: 'user', parts: [{ text: 'hi' }] }] };

  test('raw JSON Schema keywords are refused with INVALID_ARGUMENT', async () => {
    for (const keyword of ['$ref', '$defs', 'additionalProperties', '$schema']) {
      const parameters = { type: 'object', properties: { a: { type: 'string' } }, [keyword]: keyword === 'additionalProperties' ? false : '#/x' };
      const result = await post(generate, { ...hello, tools: [{ functionDeclarations: [{ name: 'f', parameters }] }] });
      assert.equal(result.status, 400, keyword);
      assert.equal(result.body.error?.status, 'INVALID_ARGUMENT');
      assert.match(result.body.error!.message, new RegExp(`Unknown name "\\${keyword}" at 'tools\\[0\\].function_declarations\\[0\\].parameters'`));
    }
  });

  test('wrong roles, unnamed function responses, empty parts and unknown part fields are refused', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ contents: [{ role: 'assistant', parts: [{ text: 'x' }] }] }, /valid role: user, model/],
      [{ contents: [{ role: 'user', parts: [{ functionResponse: { response: {} } }] }] }, /function_response.name: Name cannot be empty/],
      [{ contents: [{ role: 'user', parts: [] }] }, /parts must not be empty/],
      [{ contents: [] }, /contents is not specified/],
      [{ contents: [{ role: 'user', parts: [{ type: 'text', text: 'x' }] }] }, /Unknown name "type"/],
      [{ contents: [{ role: 'model', parts: [{ functionCall: { name: 'f' }, thoughtSignature: 'gemini:abc' }] }] }, /Base64 decoding failed/],
      [{ ...hello, generationConfig: { responseSchema: { type: 'string' } } }, /response_mime_type/],
      [{ ...hello, generationConfig: { max_tokens: 3 } }, /Unknown name "max_tokens"/],
    ];
    for (const [body, message] of cases) {
      const result = await post(generate, body);
      assert.equal(result.status, 400, JSON.stringify(body));
      assert.match(result.body.error!.message, message);
    }
  });

  test('auth: no key → 403 PERMISSION_DENIED; ?key= works; unknown paths → 404', async () => {
    const missing = await post(generate, hello, {});
    assert.deepEqual([missing.status, missing.body.error?.status], [403, 'PERMISSION_DENIED']);
    assert.equal((await post(`${generate}?key=k`, hello, {})).status, 200);
    assert.equal((await post('/v1/chat/completions', hello)).status, 404);
  });

  test('stream framing: `data: …\\r\\n\\r\\n` with alt=sse, a streamed JSON array without it', async () => {
    fake.script = { text: 'abcd', chunkChars: 2, usage: { input: 3, output: 2 } };
    const request = { method: 'POST', headers: { 'content-type': 'application/json', 'x-goog-api-key': 'k' }, body: JSON.stringify(hello) };
    const sse = await fetch(`${fake.url}/v1beta/models/${MODEL}:streamGenerateContent?alt=sse`, request);
    assert.equal(sse.headers.get('content-type'), 'text/event-stream');
    const frames = (await sse.text()).split('\r\n\r\n');
    assert.equal(frames.pop(), '');
    assert.deepEqual(
      frames.map((frame) => JSON.parse(frame.replace(/^data: /, '')).candidates[0]),
      [
        { content: { parts: [{ text: 'ab' }], role: 'model' }, index: 0 },
        { content: { parts: [{ text: 'cd' }], role: 'model' }, index: 0 },
        { content: { parts: [{ text: '' }], role: 'model' }, finishReason: 'STOP', index: 0 },
      ],
    );
    const array = await fetch(`${fake.url}/v1beta/models/${MODEL}:streamGenerateContent`, request);
    assert.equal(array.headers.get('content-type'), 'application/json; charset=UTF-8');
    const items = (await array.json()) as Array<{ usageMetadata: unknown }>;
    assert.equal(items.length, 3);
    assert.deepEqual(items[2]!.usageMetadata, { promptTokenCount: 3, candidatesTokenCount: 2, totalTokenCount: 5 });
  });

  test('embedding requests must name the model of the URL', async () => {
    const result = await post('/v1beta/models/text-embedding-004:batchEmbedContents', { requests: [{ model: 'text-embedding-004', content: { parts: [{ text: 'x' }] } }] });
    assert.equal(result.status, 400);
    assert.match(result.body.error!.message, /models\/text-embedding-004/);
  });
});
