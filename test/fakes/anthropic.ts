/**
 * A fake Anthropic Messages API: POST /v1/messages (JSON or SSE) and /v1/messages/count_tokens.
 * It checks requests the way api.anthropic.com does (x-api-key, anthropic-version, max_tokens,
 * unknown fields, role alternation, tool_use/tool_result pairing, thinking limits) and answers
 * with Anthropic's exact bodies, error shapes and event sequence, so translator bugs surface.
 */
import type http from 'node:http';
import { pieces, sleep, startFakeServer } from './server.js';
import type { FakeScript, FakeUpstream, RecordedRequest } from './types.js';

type Json = Record<string, any>;

const ERROR_TYPE_BY_STATUS: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  402: 'billing_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  504: 'timeout_error',
  529: 'overloaded_error',
};

const STOP_REASONS = { stop: 'end_turn', length: 'max_tokens', tool_calls: 'tool_use', content_filter: 'refusal', error: 'end_turn' } as const;

const MESSAGES_FIELDS = new Set([
  'model', 'messages', 'max_tokens', 'system', 'tools', 'tool_choice', 'stop_sequences', 'temperature', 'top_p', 'top_k',
  'metadata', 'thinking', 'stream', 'service_tier', 'container', 'context_management', 'mcp_servers', 'output_config', 'inference_geo',
]);
const COUNT_TOKENS_FIELDS = new Set(['model', 'messages', 'system', 'tools', 'tool_choice', 'thinking', 'context_management', 'mcp_servers', 'output_config']);
const BLOCK_FIELDS: Record<string, Set<string>> = {
  text: new Set(['type', 'text', 'cache_control', 'citations']),
  image: new Set(['type', 'source', 'cache_control']),
  tool_use: new Set(['type', 'id', 'name', 'input', 'cache_control']),
  tool_result: new Set(['type', 'tool_use_id', 'content', 'is_error', 'cache_control']),
  thinking: new Set(['type', 'thinking', 'signature']),
  redacted_thinking: new Set(['type', 'data']),
  document: new Set(['type', 'source', 'title', 'context', 'citations', 'cache_control']),
};
const IMAGE_MEDIA_TYPES = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);
const TOOL_NAME = /^[a-zA-Z0-9_-]{1,128}$/;

let messageCounter = 0;

function sendError(response: http.ServerResponse, status: number, message: string, type?: string, headers: Record<string, string> = {}): void {
  const body = { type: 'error', error: { type: type ?? ERROR_TYPE_BY_STATUS[status] ?? 'api_error', message }, request_id: 'req_fake_error' };
  response.writeHead(status, { 'content-type': 'application/json', 'request-id': 'req_fake_error', ...headers });
  response.end(JSON.stringify(body));
}

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const extra = (value: Json, allowed: Set<string>): string | undefined => Object.keys(value).find((key) => !allowed.has(key));

/** Checks one content block; returns Anthropic's error message or undefined. */
function checkBlock(block: unknown, path: string, role: string): string | undefined {
  if (!isObject(block) || typeof block.type !== 'string') return `${path}.type: Field required`;
  const allowed = BLOCK_FIELDS[block.type];
  if (!allowed) return `${path}.type: Input tag '${block.type}' found using 'type' does not match any of the expected tags`;
  const unknown = extra(block, allowed);
  if (unknown) return `${path}.${block.type}.${unknown}: Extra inputs are not permitted`;
  switch (block.type) {
    case 'text':
      if (typeof block.text !== 'string') return `${path}.text.text: Field required`;
      if (block.text === '') return `${path}.text: text content blocks must be non-empty`;
      return undefined;
    case 'image': {
      const source = block.source;
      if (!isObject(source)) return `${path}.image.source: Field required`;
      if (source.type === 'base64') {
        if (!IMAGE_MEDIA_TYPES.has(source.media_type)) return `${path}.image.source.base64.media_type: Input should be 'image/jpeg', 'image/png', 'image/gif' or 'image/webp'`;
        if (typeof source.data !== 'string' || source.data === '') return `${path}.image.source.base64.data: Field required`;
        return undefined;
      }
      if (source.type === 'url') return typeof source.url === 'string' ? undefined : `${path}.image.source.url.url: Field required`;
      return `${path}.image.source: Input tag '${String(source.type)}' found using 'type' does not match any of the expected tags`;
    }
    case 'tool_use':
      if (role !== 'assistant') return `${path}: tool_use blocks may only appear in assistant messages`;
      if (typeof block.id !== 'string' || typeof block.name !== 'string') return `${path}.tool_use.id: Field required`;
      if (!isObject(block.input)) return `${path}.tool_use.input: Input should be a valid dictionary`;
      return undefined;
    case 'tool_result':
      if (role !== 'user') return `${path}: tool_result blocks may only appear in user messages`;
      if (typeof block.tool_use_id !== 'string') return `${path}.tool_result.tool_use_id: Field required`;
      if (Array.isArray(block.content)) {
        for (const [index, inner] of block.content.entries()) {
          if (!isObject(inner) || !['text', 'image', 'document', 'search_result'].includes(inner.type)) {
            return `${path}.tool_result.content.${index}: Input tag '${String(inner?.type)}' found using 'type' does not match any of the expected tags`;
          }
          const problem = checkBlock(inner, `${path}.tool_result.content.${index}`, 'user');
          if (problem) return problem;
        }
      } else if (block.content !== undefined && typeof block.content !== 'string') {
        return `${path}.tool_result.content: Input should be a valid string or list`;
      }
      return undefined;
    case 'thinking':
      if (role !== 'assistant') return `${path}: thinking blocks may only appear in assistant messages`;
      if (typeof block.signature !== 'string' || typeof block.thinking !== 'string') return `${path}.thinking.signature: Field required`;
      return undefined;
    default:
      return undefined;
  }
}

function checkMessages(messages: unknown): string | undefined {
  if (!Array.isArray(messages)) return 'messages: Field required';
  if (messages.length === 0) return 'messages: at least one message is required';
  let previousToolUses = new Set<string>();
  for (const [index, message] of messages.entries()) {
    const path = `messages.${index}`;
    if (!isObject(message)) return `${path}: Input should be a valid dictionary`;
    if (message.role !== 'user' && message.role !== 'assistant') return `${path}.role: Input should be 'user' or 'assistant'`;
    if (index === 0 && message.role !== 'user') return 'messages: first message must use the "user" role';
    if (index > 0 && messages[index - 1].role === message.role) {
      return `messages: roles must alternate between "user" and "assistant", but found multiple "${message.role}" roles in a row`;
    }
    const blocks: unknown[] = typeof message.content === 'string' ? [{ type: 'text', text: message.content }] : message.content;
    if (!Array.isArray(blocks)) return `${path}.content: Input should be a valid list`;
    const isFinalAssistant = index === messages.length - 1 && message.role === 'assistant';
    if (blocks.length === 0 && !isFinalAssistant) return `${path}: all messages must have non-empty content except for the optional final assistant message`;
    for (const [blockIndex, block] of blocks.entries()) {
      const problem = checkBlock(block, `${path}.content.${blockIndex}`, message.role);
      if (problem) return problem;
    }
    const typed = blocks as Json[];
    const results = typed.filter((block) => block.type === 'tool_result').map((block) => block.tool_use_id as string);
    const firstOther = typed.findIndex((block) => block.type !== 'tool_result');
    if (results.length > 0 && firstOther !== -1 && typed.slice(firstOther).some((block) => block.type === 'tool_result')) {
      return `${path}: tool_result blocks must come before any other content in a user message`;
    }
    const stray = results.find((id) => !previousToolUses.has(id));
    if (stray) {
      return `${path}.content.0: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${stray}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`;
    }
    if (message.role === 'user') {
      const missing = [...previousToolUses].filter((id) => !results.includes(id));
      if (missing.length > 0) {
        return `messages.${index - 1}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${missing.join(', ')}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`;
      }
    }
    previousToolUses = new Set(message.role === 'assistant' ? typed.filter((block) => block.type === 'tool_use').map((block) => block.id as string) : []);
  }
  return undefined;
}

function checkTools(body: Json): string | undefined {
  if (body.tools !== undefined) {
    if (!Array.isArray(body.tools)) return 'tools: Input should be a valid list';
    const names = new Set<string>();
    for (const [index, tool] of body.tools.entries()) {
      if (!isObject(tool)) return `tools.${index}: Input should be a valid dictionary`;
      if (tool.type !== undefined && tool.type !== 'custom') continue; // server tools carry no schema
      if (typeof tool.name !== 'string' || !TOOL_NAME.test(tool.name)) return `tools.${index}.custom.name: String should match pattern '^[a-zA-Z0-9_-]{1,128}$'`;
      if (!isObject(tool.input_schema) || tool.input_schema.type !== 'object') return `tools.${index}.custom.input_schema.type: Input should be 'object'`;
      const unknown = extra(tool, new Set(['name', 'description', 'input_schema', 'cache_control', 'type', 'strict']));
      if (unknown) return `tools.${index}.custom.${unknown}: Extra inputs are not permitted`;
      if (names.has(tool.name)) return 'tools: Tool names must be unique.';
      names.add(tool.name);
    }
  }
  const choice = body.tool_choice;
  if (choice === undefined) return undefined;
  if (!isObject(choice) || !['auto', 'any', 'tool', 'none'].includes(choice.type)) return "tool_choice: Input tag found using 'type' does not match any of the expected tags";
  if (choice.type === 'tool' && !body.tools?.some((tool: Json) => tool.name === choice.name)) return `tool_choice.tool.name: tool "${String(choice.name)}" not found in tools`;
  if (body.thinking?.type === 'enabled' && (choice.type === 'any' || choice.type === 'tool')) return 'Thinking may not be enabled when tool_choice forces tool use.';
  return undefined;
}

/** Validates a request body like the real API; returns the error message for a 400 or undefined. */
function checkRequest(body: unknown, countTokens: boolean): string | undefined {
  if (!isObject(body)) return 'body: Input should be a valid dictionary';
  const unknown = extra(body, countTokens ? COUNT_TOKENS_FIELDS : MESSAGES_FIELDS);
  if (unknown) return `${unknown}: Extra inputs are not permitted`;
  if (typeof body.model !== 'string' || body.model === '') return 'model: Field required';
  if (!countTokens) {
    if (body.max_tokens === undefined) return 'max_tokens: Field required';
    if (!Number.isInteger(body.max_tokens) || body.max_tokens < 1) return 'max_tokens: Input should be greater than or equal to 1';
    if (body.temperature !== undefined && !(typeof body.temperature === 'number' && body.temperature >= 0 && body.temperature <= 1)) {
      return 'temperature: Input should be less than or equal to 1';
    }
    if (body.stop_sequences !== undefined && !(Array.isArray(body.stop_sequences) && body.stop_sequences.every((s: unknown) => typeof s === 'string'))) {
      return 'stop_sequences: Input should be a valid list';
    }
    if (body.metadata !== undefined && !(isObject(body.metadata) && (body.metadata.user_id === undefined || typeof body.metadata.user_id === 'string'))) {
      return 'metadata.user_id: Input should be a valid string';
    }
  }
  if (body.system !== undefined && typeof body.system !== 'string') {
    if (!Array.isArray(body.system)) return 'system: Input should be a valid list';
    for (const [index, block] of body.system.entries()) {
      if (!isObject(block) || block.type !== 'text') return `system.${index}.type: Input should be 'text'`;
      const problem = checkBlock(block, `system.${index}`, 'system');
      if (problem) return problem;
    }
  }
  const thinking = body.thinking;
  if (thinking?.type === 'enabled') {
    if (!Number.isInteger(thinking.budget_tokens) || thinking.budget_tokens < 1024) return 'thinking.enabled.budget_tokens: Input should be greater than or equal to 1024';
    if (!countTokens && body.max_tokens <= thinking.budget_tokens) return '`max_tokens` must be greater than `thinking.budget_tokens`';
  }
  return checkMessages(body.messages) ?? checkTools(body);
}

interface Rendered {
  usage: { input_tokens: number; cache_creation_input_tokens: number; cache_read_input_tokens: number; output_tokens: number };
  stopReason: string;
  text: string | undefined;
}

function render(script: FakeScript): Rendered {
  const input = script.usage?.input ?? 10;
  const cached = script.usage?.cached ?? 0;
  const reason = script.finishReason ?? (script.toolCalls?.length ? 'tool_calls' : 'stop');
  return {
    usage: { input_tokens: input - cached, cache_creation_input_tokens: 0, cache_read_input_tokens: cached, output_tokens: script.usage?.output ?? 5 },
    stopReason: STOP_REASONS[reason],
    text: script.text ?? (script.toolCalls?.length ? undefined : 'Hello from fake-anthropic'),
  };
}

function parseInput(argumentsText: string): Json {
  try {
    const parsed: unknown = JSON.parse(argumentsText);
    return isObject(parsed) ? parsed : {};
  } catch {
    return {};
  }
}

const SIGNATURE = 'EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds';

function sendMessage(response: http.ServerResponse, body: Json, script: FakeScript): void {
  const { usage, stopReason, text } = render(script);
  const content: Json[] = [];
  if (script.reasoning) content.push({ type: 'thinking', thinking: script.reasoning, signature: SIGNATURE });
  if (text !== undefined) content.push({ type: 'text', text });
  for (const call of script.toolCalls ?? []) content.push({ type: 'tool_use', id: call.id, name: call.name, input: parseInput(call.arguments) });
  const message = {
    id: `msg_fake${++messageCounter}`,
    type: 'message',
    role: 'assistant',
    model: body.model,
    content,
    stop_reason: stopReason,
    stop_sequence: null,
    usage: { ...usage, service_tier: 'standard' },
  };
  response.writeHead(200, { 'content-type': 'application/json', 'request-id': `req_fake${messageCounter}` });
  response.end(JSON.stringify(message));
}

const event = (type: string, payload: Json): string => `event: ${type}\ndata: ${JSON.stringify({ type, ...payload })}\n\n`;

async function sendStream(response: http.ServerResponse, body: Json, script: FakeScript, state: { closed: boolean }): Promise<void> {
  const { usage, stopReason, text } = render(script);
  const size = script.chunkChars ?? 4;
  response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'request-id': `req_fake${++messageCounter}` });
  const message = { id: `msg_fake${messageCounter}`, type: 'message', role: 'assistant', model: body.model, content: [], stop_reason: null, stop_sequence: null };
  response.write(event('message_start', { message: { ...message, usage: { ...usage, output_tokens: 1, service_tier: 'standard' } } }));
  response.write(event('ping', {}));
  let sent = 0;
  /** Writes one content delta; false once the stream was cut or failed on purpose. */
  const piece = async (frame: string): Promise<boolean> => {
    if (script.failAfterChunks !== undefined && sent >= script.failAfterChunks) {
      if (script.failMode === 'disconnect') response.destroy();
      else response.end(event('error', { error: { type: 'overloaded_error', message: 'Overloaded' } }));
      return false;
    }
    if (script.chunkDelayMs) await sleep(script.chunkDelayMs);
    if (state.closed) return false;
    response.write(frame);
    sent++;
    return true;
  };
  let index = 0;
  const delta = (payload: Json): string => event('content_block_delta', { index, delta: payload });
  if (script.reasoning) {
    response.write(event('content_block_start', { index, content_block: { type: 'thinking', thinking: '', signature: '' } }));
    for (const part of pieces(script.reasoning, size)) if (!(await piece(delta({ type: 'thinking_delta', thinking: part })))) return;
    response.write(delta({ type: 'signature_delta', signature: SIGNATURE }));
    response.write(event('content_block_stop', { index: index++ }));
  }
  if (text !== undefined) {
    response.write(event('content_block_start', { index, content_block: { type: 'text', text: '' } }));
    for (const part of pieces(text, size)) if (!(await piece(delta({ type: 'text_delta', text: part })))) return;
    response.write(event('content_block_stop', { index: index++ }));
  }
  for (const call of script.toolCalls ?? []) {
    response.write(event('content_block_start', { index, content_block: { type: 'tool_use', id: call.id, name: call.name, input: {} } }));
    response.write(delta({ type: 'input_json_delta', partial_json: '' }));
    for (const part of pieces(call.arguments, size)) if (!(await piece(delta({ type: 'input_json_delta', partial_json: part })))) return;
    response.write(event('content_block_stop', { index: index++ }));
  }
  response.write(event('message_delta', { delta: { stop_reason: stopReason, stop_sequence: null }, usage }));
  response.end(event('message_stop', {}));
}

async function handle(request: RecordedRequest, response: http.ServerResponse, script: FakeScript, state: { closed: boolean }): Promise<void> {
  const path = request.url.split('?')[0];
  const countTokens = path === '/v1/messages/count_tokens';
  if (request.method !== 'POST' || (path !== '/v1/messages' && !countTokens)) return sendError(response, 404, 'Not Found');
  if (!request.headers['x-api-key']) return sendError(response, 401, 'x-api-key header is required');
  if (!request.headers['anthropic-version']) return sendError(response, 400, 'anthropic-version: header is required');
  if (request.json === undefined) return sendError(response, 400, 'There was an error parsing the body: invalid JSON');
  const problem = checkRequest(request.json, countTokens);
  if (problem) return sendError(response, 400, problem);
  if (script.hang) return;
  if (script.error) return sendError(response, script.error.status, script.error.message, script.error.type, script.error.headers);
  const body = request.json as Json;
  if (countTokens) {
    const estimate = Math.ceil(JSON.stringify([body.system ?? '', body.messages, body.tools ?? []]).length / 4);
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ input_tokens: script.usage?.input ?? estimate }));
    return;
  }
  if (body.stream === true) return sendStream(response, body, script, state);
  return sendMessage(response, body, script);
}

/** Starts the fake; `url` is the API root (what an anthropic provider's base_url takes). */
export async function startFakeAnthropic(script: FakeScript = {}): Promise<FakeUpstream> {
  const fake = await startFakeServer(handle);
  fake.script = script;
  return fake;
}
