import type http from 'node:http';
import type { FakeScript, FakeUpstream, RecordedRequest } from './types.js';
import { fakeEmbedding, pieces, sleep, startFakeServer, wordEmbedding } from './server.js';

/**
 * A fake OpenAI API speaking the real wire format: POST /v1/chat/completions (JSON or SSE
 * `chat.completion.chunk`s, usage chunk only with `stream_options.include_usage`, `data: [DONE]`)
 * and POST /v1/embeddings, Bearer auth, and OpenAI's validation errors and error body shape.
 * The rendering is shared with the Azure fake through `answerOpenAIRequest`.
 */
export async function startFakeOpenAI(script: FakeScript = {}): Promise<FakeUpstream> {
  const fake = await startFakeServer((request, response, current, state) => {
    const path = request.url.split('?')[0];
    const endpoint = path === '/v1/chat/completions' ? 'chat' : path === '/v1/embeddings' ? 'embeddings' : undefined;
    if (request.method !== 'POST' || endpoint === undefined) {
      return sendError(response, 404, { message: `Invalid URL (${request.method} ${path})`, type: 'invalid_request_error' });
    }
    const authorization = request.headers.authorization;
    if (typeof authorization !== 'string' || !/^Bearer \S+$/.test(authorization)) {
      return sendError(response, 401, {
        message:
          "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY). You can obtain an API key from https://platform.openai.com/account/api-keys.",
        type: 'invalid_request_error',
      });
    }
    return answerOpenAIRequest(endpoint, request, response, current, state, { name: 'openai' });
  });
  fake.url += '/v1';
  fake.script = script;
  return fake;
}

export interface OpenAIWireOptions {
  /** Shown in the default text ("Hello from <name>"). */
  name: string;
  /** Model to report; defaults to the request body's `model`. */
  model?: string;
  /** Azure: an opening chunk of prompt filter results and `content_filter_results` on choices. */
  azure?: boolean;
}

export interface WireErrorFields {
  message: string;
  type?: string | null;
  param?: string | null;
  code?: string | null;
}

/** Writes an error answer in OpenAI's `{"error":{message,type,param,code}}` shape. */
export function sendError(response: http.ServerResponse, status: number, error: WireErrorFields, headers: Record<string, string> = {}): void {
  const body = { error: { message: error.message, type: error.type ?? null, param: error.param ?? null, code: error.code ?? null } };
  response.writeHead(status, { 'content-type': 'application/json', 'x-request-id': 'req_fake', ...headers });
  response.end(JSON.stringify(body));
}

/** Validates and answers one authenticated chat or embeddings request as the OpenAI API does. */
export async function answerOpenAIRequest(
  endpoint: 'chat' | 'embeddings',
  request: RecordedRequest,
  response: http.ServerResponse,
  script: FakeScript,
  state: { closed: boolean },
  options: OpenAIWireOptions,
): Promise<void> {
  if (request.json === undefined || typeof request.json !== 'object' || request.json === null) {
    return sendError(response, 400, {
      message: 'We could not parse the JSON body of your request. (HINT: This likely means you aren\'t using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)',
      type: 'invalid_request_error',
    });
  }
  const invalid = endpoint === 'chat' ? validateChatBody(request.json) : validateEmbeddingsBody(request.json);
  if (invalid) return sendError(response, 400, { type: 'invalid_request_error', ...invalid });
  if (script.hang) return; // never answer; the server records the abort
  if (script.error) return sendScriptError(response, script.error);
  if (endpoint === 'embeddings') return sendEmbeddings(response, request.json, script, options);
  if (request.json.stream === true) return streamChat(response, request.json, script, state, options);
  return sendChat(response, request.json, script, options);
}

const ERROR_CODES_AS_TYPES = new Set(['context_length_exceeded', 'insufficient_quota', 'rate_limit_exceeded', 'invalid_api_key', 'content_filter', 'invalid_prompt']);

function sendScriptError(response: http.ServerResponse, error: NonNullable<FakeScript['error']>): void {
  // OpenAI puts specific conditions in `code` and the broad class in `type`.
  const code = error.type !== undefined && ERROR_CODES_AS_TYPES.has(error.type) ? error.type : null;
  const type = code === null && error.type !== undefined ? error.type : defaultErrorType(error.status);
  sendError(response, error.status, { message: error.message, type, code }, error.headers);
}

function defaultErrorType(status: number): string {
  if (status === 429) return 'requests';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}

const ROLES = ['system', 'assistant', 'user', 'function', 'tool', 'developer'];
const PART_TYPES = ['text', 'image_url', 'input_audio', 'refusal', 'audio', 'file'];
type Invalid = Omit<WireErrorFields, 'type'> | undefined;

/** The checks OpenAI makes on a chat body that translator bugs would trip, with its messages. */
export function validateChatBody(body: any): Invalid {
  if (typeof body.model !== 'string' || body.model === '') return { message: 'you must provide a model parameter' };
  if (body.messages === undefined) return missing('messages');
  if (!Array.isArray(body.messages)) return { message: `Invalid type for 'messages': expected an array, but got ${typeof body.messages} instead.`, param: 'messages', code: 'invalid_type' };
  if (body.messages.length === 0) return { message: "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.", param: 'messages', code: 'empty_array' };
  if (body.stream_options != null && body.stream !== true) return { message: "The 'stream_options' parameter is only allowed when 'stream' is enabled.", param: 'stream_options', code: 'invalid_value' };
  for (const field of ['tool_choice', 'parallel_tool_calls']) {
    if (body[field] !== undefined && !Array.isArray(body.tools)) return { message: `Invalid value for '${field}': '${field}' is only allowed when 'tools' are specified.`, param: field };
  }
  for (const [index, tool] of (Array.isArray(body.tools) ? body.tools : []).entries()) {
    if (tool?.type !== 'function') return invalidValue(`tools[${index}].type`, tool?.type, ['function']);
    if (typeof tool.function?.name !== 'string') return missing(`tools[${index}].function.name`);
  }
  return validateMessages(body.messages);
}

function validateMessages(messages: any[]): Invalid {
  let awaiting: string[] = []; // tool_call_ids of the last assistant turn not yet answered
  let awaitingFrom = -1;
  for (const [index, message] of messages.entries()) {
    if (!ROLES.includes(message?.role)) return invalidValue(`messages[${index}].role`, message?.role, ROLES);
    if (message.role !== 'tool' && awaiting.length > 0) return unansweredCalls(awaitingFrom, awaiting);
    if (message.role === 'tool') {
      if (typeof message.tool_call_id !== 'string') return { message: "Missing parameter 'tool_call_id': messages with role 'tool' must have a 'tool_call_id'.", param: `messages.[${index}].tool_call_id` };
      if (!awaiting.includes(message.tool_call_id)) return { message: "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.", param: `messages.[${index}].role` };
      awaiting = awaiting.filter((id) => id !== message.tool_call_id);
    }
    const hasCalls = message.role === 'assistant' && Array.isArray(message.tool_calls) && message.tool_calls.length > 0;
    if (message.content === undefined && !hasCalls) return missing(`messages[${index}].content`);
    if (message.content === null && !(message.role === 'assistant')) return { message: `Invalid value for 'content': expected a string, got null.`, param: `messages.[${index}].content` };
    const partError = Array.isArray(message.content) ? validateParts(message.content, index) : undefined;
    if (partError) return partError;
    if (hasCalls) {
      awaiting = message.tool_calls.map((call: any) => call?.id);
      awaitingFrom = index;
    }
  }
  return awaiting.length > 0 ? unansweredCalls(awaitingFrom, awaiting) : undefined;
}

function validateParts(parts: any[], messageIndex: number): Invalid {
  for (const [index, part] of parts.entries()) {
    const path = `messages[${messageIndex}].content[${index}]`;
    if (!PART_TYPES.includes(part?.type)) return invalidValue(`${path}.type`, part?.type, PART_TYPES);
    if (part.type === 'text' && typeof part.text !== 'string') return missing(`${path}.text`);
    if (part.type === 'image_url' && typeof part.image_url?.url !== 'string') return missing(`${path}.image_url.url`);
  }
  return undefined;
}

function unansweredCalls(index: number, ids: string[]): Invalid {
  return {
    message: `An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: ${ids.join(', ')}`,
    param: `messages.[${index}].role`,
  };
}

function validateEmbeddingsBody(body: any): Invalid {
  if (typeof body.model !== 'string' || body.model === '') return { message: 'you must provide a model parameter' };
  if (body.input === undefined) return missing('input');
  const inputs: unknown[] = Array.isArray(body.input) ? body.input : [body.input];
  if (inputs.length === 0 || inputs.some((input) => input === '' || (typeof input !== 'string' && !Array.isArray(input) && typeof input !== 'number'))) {
    return { message: "'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.", param: null };
  }
  if (body.encoding_format !== undefined && !['float', 'base64'].includes(body.encoding_format)) return invalidValue('encoding_format', body.encoding_format, ['float', 'base64']);
  return undefined;
}

const missing = (param: string): Invalid => ({ message: `Missing required parameter: '${param}'.`, param, code: 'missing_required_parameter' });

function invalidValue(param: string, value: unknown, allowed: string[]): Invalid {
  const list = allowed.map((option) => `'${option}'`);
  const last = list.pop();
  return { message: `Invalid value: '${String(value)}'. Supported values are: ${list.join(', ')}, and ${last}.`, param, code: 'invalid_value' };
}

interface Rendered {
  id: string;
  model: string;
  created: number;
  text: string;
  reasoning: string;
  toolCalls: NonNullable<FakeScript['toolCalls']>;
  finishReason: string;
  usage: Record<string, unknown>;
  choices: number;
}

let counter = 0;

function render(body: any, script: FakeScript, options: OpenAIWireOptions): Rendered {
  const toolCalls = script.toolCalls ?? [];
  const text = script.text ?? (toolCalls.length > 0 ? '' : `Hello from ${options.name}`);
  const reasoning = script.reasoning ?? '';
  const size = script.chunkChars ?? 4;
  const output = script.usage?.output ?? pieces(reasoning + text, size).length + toolCalls.length;
  const input = script.usage?.input ?? 10;
  const reason = script.finishReason ?? (toolCalls.length > 0 ? 'tool_calls' : 'stop');
  return {
    id: `chatcmpl-fake${++counter}`,
    model: options.model ?? body.model,
    created: Math.floor(Date.now() / 1000),
    text,
    reasoning,
    toolCalls,
    finishReason: reason === 'error' ? 'stop' : reason,
    choices: typeof body.n === 'number' ? body.n : 1,
    usage: {
      prompt_tokens: input,
      completion_tokens: output,
      total_tokens: input + output,
      prompt_tokens_details: { cached_tokens: script.usage?.cached ?? 0, audio_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
    },
  };
}

const AZURE_FILTERS = {
  hate: { filtered: false, severity: 'safe' },
  self_harm: { filtered: false, severity: 'safe' },
  sexual: { filtered: false, severity: 'safe' },
  violence: { filtered: false, severity: 'safe' },
};

function sendChat(response: http.ServerResponse, body: any, script: FakeScript, options: OpenAIWireOptions): void {
  const answer = render(body, script, options);
  const message: Record<string, unknown> = { role: 'assistant', content: answer.text === '' && answer.toolCalls.length > 0 ? null : answer.text };
  if (answer.reasoning) message.reasoning_content = answer.reasoning;
  if (answer.toolCalls.length > 0) {
    message.tool_calls = answer.toolCalls.map((call) => ({ id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } }));
  }
  message.refusal = null;
  message.annotations = [];
  const choices = Array.from({ length: answer.choices }, (_, index) => ({
    index,
    message,
    logprobs: null,
    finish_reason: answer.finishReason,
    ...(options.azure ? { content_filter_results: AZURE_FILTERS } : {}),
  }));
  const completion = {
    id: answer.id,
    object: 'chat.completion',
    created: answer.created,
    model: answer.model,
    choices,
    ...(!script.omitUsage && { usage: answer.usage }),
    service_tier: 'default',
    system_fingerprint: 'fp_fake',
    ...(options.azure ? { prompt_filter_results: [{ prompt_index: 0, content_filter_results: AZURE_FILTERS }] } : {}),
  };
  response.writeHead(200, { 'content-type': 'application/json', 'x-request-id': 'req_fake' });
  response.end(JSON.stringify(completion));
}

async function streamChat(response: http.ServerResponse, body: any, script: FakeScript, state: { closed: boolean }, options: OpenAIWireOptions): Promise<void> {
  const answer = render(body, script, options);
  const includeUsage = body.stream_options?.include_usage === true && !script.omitUsage;
  const size = script.chunkChars ?? 4;
  response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-request-id': 'req_fake' });
  const write = (data: unknown): void => {
    response.write(`data: ${JSON.stringify(data)}\n\n`);
  };
  const chunk = (index: number, delta: Record<string, unknown>, finishReason: string | null = null): unknown => ({
    id: answer.id,
    object: 'chat.completion.chunk',
    created: answer.created,
    model: answer.model,
    system_fingerprint: 'fp_fake',
    choices: [{ index, delta, logprobs: null, finish_reason: finishReason, ...(options.azure ? { content_filter_results: {} } : {}) }],
    ...(includeUsage ? { usage: null } : {}),
  });
  // Each step is one content piece, written for every choice.
  const steps: Array<(index: number) => Record<string, unknown>> = [];
  const opensWithToolCall = answer.text === '' && answer.reasoning === '' && answer.toolCalls.length > 0;
  if (!opensWithToolCall) steps.push(() => ({ role: 'assistant', content: '', refusal: null }));
  for (const piece of pieces(answer.reasoning, size)) steps.push(() => ({ reasoning_content: piece }));
  for (const piece of pieces(answer.text, size)) steps.push(() => ({ content: piece }));
  for (const [callIndex, call] of answer.toolCalls.entries()) {
    const open = { index: callIndex, id: call.id, type: 'function', function: { name: call.name, arguments: '' } };
    steps.push(() => (opensWithToolCall && callIndex === 0 ? { role: 'assistant', content: null, tool_calls: [open], refusal: null } : { tool_calls: [open] }));
    for (const piece of pieces(call.arguments, size)) steps.push(() => ({ tool_calls: [{ index: callIndex, function: { arguments: piece } }] }));
  }
  if (script.firstChunkDelayMs) {
    response.flushHeaders();
    await sleep(script.firstChunkDelayMs);
    if (state.closed) return;
  }
  if (options.azure) write({ choices: [], created: 0, id: '', model: '', object: '', prompt_filter_results: [{ prompt_index: 0, content_filter_results: AZURE_FILTERS }] });
  let sent = 0;
  for (const step of steps) {
    if (state.closed) return;
    if (script.failAfterChunks !== undefined && sent >= script.failAfterChunks) return failStream(response, script);
    for (let index = 0; index < answer.choices; index++) write(chunk(index, step(index)));
    sent++;
    if (script.chunkDelayMs) await sleep(script.chunkDelayMs);
  }
  if (state.closed) return;
  for (let index = 0; index < answer.choices; index++) write(chunk(index, {}, answer.finishReason));
  if (includeUsage) write({ id: answer.id, object: 'chat.completion.chunk', created: answer.created, model: answer.model, system_fingerprint: 'fp_fake', choices: [], usage: answer.usage });
  response.end('data: [DONE]\n\n');
}

function failStream(response: http.ServerResponse, script: FakeScript): void {
  if (script.failMode === 'disconnect') {
    // Cut only after what was written reached the socket, as a real mid-stream failure would.
    response.write('', () => response.socket?.destroy());
    return;
  }
  const error = { message: 'The server had an error while processing your request. Sorry about that!', type: 'server_error', param: null, code: null };
  response.end(`data: ${JSON.stringify({ error })}\n\n`);
}

function sendEmbeddings(response: http.ServerResponse, body: any, script: FakeScript, options: OpenAIWireOptions): void {
  const inputs: string[] = (Array.isArray(body.input) ? body.input : [body.input]).map(String);
  const dimensions = typeof body.dimensions === 'number' ? body.dimensions : (script.embeddingDimensions ?? 8);
  const tokens = inputs.reduce((sum, input) => sum + input.split(/\s+/).filter(Boolean).length, 0);
  const data = inputs.map((input, index) => {
    const vector = script.embeddingKind === 'words' ? wordEmbedding(input, typeof body.dimensions === 'number' ? body.dimensions : 256) : fakeEmbedding(input, dimensions);
    return { object: 'embedding', index, embedding: body.encoding_format === 'base64' ? float32Base64(vector) : vector };
  });
  response.writeHead(200, { 'content-type': 'application/json', 'x-request-id': 'req_fake' });
  response.end(JSON.stringify({ object: 'list', data, model: options.model ?? body.model, usage: { prompt_tokens: tokens, total_tokens: tokens } }));
}

function float32Base64(vector: number[]): string {
  const bytes = Buffer.alloc(vector.length * 4);
  vector.forEach((value, index) => bytes.writeFloatLE(value, index * 4));
  return bytes.toString('base64');
}
