import type { ChatRequest, Message } from '../../ir/chat.js';
import { parseMessageContent, parseSystem } from './parse-content.js';
import { parseToolChoice, parseTools } from './parse-tools.js';
import {
  countTokensRequestSchema,
  messageSchema,
  messagesRequestSchema,
  type CountTokensRequestBody,
} from './request-schema.js';
import { parseOrThrow, unsupportedField } from './validate.js';

const EFFORT_TO_IR = { low: 'low', medium: 'medium', high: 'high', xhigh: 'high', max: 'high' } as const;

function parseConversation(body: CountTokensRequestBody): Message[] {
  const messages: Message[] = [];
  if (body.system !== undefined) {
    const system = parseSystem(body.system);
    if (system.length > 0) messages.push({ role: 'system', content: system });
  }
  body.messages.forEach((value, index) => {
    const message = parseOrThrow(messageSchema, value, ['messages', index]);
    messages.push(...parseMessageContent(message.role, message.content, ['messages', index]));
  });
  return messages;
}

/** Fields POST /v1/messages and count_tokens share: conversation, tools, thinking, output format. */
function parseCommon(body: CountTokensRequestBody): Omit<ChatRequest, 'stream'> {
  if (body.mcp_servers !== undefined) throw unsupportedField(['mcp_servers'], 'MCP connector servers are not supported by this gateway');
  const request: Omit<ChatRequest, 'stream'> = { model: body.model, messages: parseConversation(body) };
  if (body.tools !== undefined) request.tools = parseTools(body.tools);
  if (body.tool_choice !== undefined) Object.assign(request, parseToolChoice(body.tool_choice, request.tools));
  const effort = body.output_config?.effort ? EFFORT_TO_IR[body.output_config.effort] : undefined;
  if (body.thinking?.type === 'enabled') {
    request.reasoning = { budgetTokens: body.thinking.budget_tokens };
    if (effort) request.reasoning.effort = effort;
  } else if (body.thinking?.type === 'adaptive' || (effort && body.thinking?.type !== 'disabled')) {
    // Adaptive thinking lets the model choose its budget: the closest IR notion is an effort level.
    request.reasoning = { effort: effort ?? 'medium' };
  }
  const format = body.output_config?.format;
  if (format) request.responseFormat = { type: 'json_schema', name: 'response', schema: format.schema };
  return request;
}

/**
 * Validates a POST /v1/messages body and converts it to the IR. Throws GatewayError
 * `invalid_request` (or `unsupported_feature`) naming the field.
 */
export function parseMessagesRequest(input: unknown): ChatRequest {
  const body = parseOrThrow(messagesRequestSchema, input);
  const request: ChatRequest = { ...parseCommon(body), stream: body.stream === true, maxTokens: body.max_tokens };
  if (body.stop_sequences !== undefined) request.stop = body.stop_sequences;
  if (body.temperature !== undefined) request.temperature = body.temperature;
  if (body.top_p !== undefined) request.topP = body.top_p;
  if (body.top_k !== undefined) request.topK = body.top_k;
  if (typeof body.metadata?.user_id === 'string') request.user = body.metadata.user_id;
  return request;
}

/** Validates a POST /v1/messages/count_tokens body (no `max_tokens`) and converts it to the IR. */
export function parseCountTokensRequest(input: unknown): ChatRequest {
  const body = parseOrThrow(countTokensRequestSchema, input);
  return { ...parseCommon(body), stream: false };
}
