import type { ChatRequest, ResponseFormat, ToolChoice, ToolDefinition } from '../../ir/chat.js';
import { GatewayError } from '../../errors/gateway-error.js';
import { chatRequestSchema, type WireChatRequest } from './request-schema.js';
import { parseMessages } from './parse-messages.js';
import { issueToGatewayError } from './zod-issues.js';

/**
 * Validates a JSON-parsed Chat Completions body and converts it to the IR.
 * Throws GatewayError `invalid_request` (or `unsupported_feature`) naming the field at fault.
 */
export function parseChatRequest(body: unknown): ChatRequest {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new GatewayError('invalid_request', 'request body must be a JSON object');
  }
  const parsed = chatRequestSchema.safeParse(body, { reportInput: true });
  if (!parsed.success) throw issueToGatewayError(parsed.error.issues);
  return toIr(parsed.data);
}

function toIr(wire: WireChatRequest): ChatRequest {
  const request: ChatRequest = { model: wire.model, messages: parseMessages(wire.messages), stream: wire.stream === true };
  if (request.stream && wire.stream_options?.include_usage === true) request.streamUsage = true;
  const maxTokens = wire.max_completion_tokens ?? wire.max_tokens;
  if (maxTokens != null) request.maxTokens = maxTokens;
  if (wire.temperature != null) request.temperature = wire.temperature;
  if (wire.top_p != null) request.topP = wire.top_p;
  if (wire.n != null) request.n = wire.n;
  if (wire.stop != null) request.stop = typeof wire.stop === 'string' ? [wire.stop] : wire.stop;
  if (wire.seed != null) request.seed = wire.seed;
  if (wire.user !== undefined) request.user = wire.user;
  if (wire.metadata != null) request.metadata = wire.metadata;
  if (wire.frequency_penalty != null) request.frequencyPenalty = wire.frequency_penalty;
  if (wire.presence_penalty != null) request.presencePenalty = wire.presence_penalty;
  // `none` means "no reasoning", which is what leaving the field out asks of every provider;
  // `xhigh` (newest OpenAI models; passed through verbatim to them) is the IR's highest effort.
  const effort = wire.reasoning_effort === 'xhigh' ? 'high' : wire.reasoning_effort;
  if (effort != null && effort !== 'none') request.reasoning = { effort };
  if (wire.tools !== undefined) request.tools = wire.tools.map(toToolDefinition);
  if (wire.tool_choice !== undefined) request.toolChoice = toToolChoice(wire.tool_choice);
  if (wire.parallel_tool_calls !== undefined) request.parallelToolCalls = wire.parallel_tool_calls;
  if (wire.response_format !== undefined) request.responseFormat = toResponseFormat(wire.response_format);
  if (request.toolChoice?.type === 'tool') checkToolChoiceNamesATool(request.toolChoice.name, request.tools);
  return request;
}

function toToolDefinition(tool: NonNullable<WireChatRequest['tools']>[number]): ToolDefinition {
  const definition: ToolDefinition = {
    name: tool.function.name,
    // OpenAI lets `parameters` be omitted: a function that takes no arguments.
    parameters: tool.function.parameters ?? { type: 'object', properties: {} },
  };
  if (tool.function.description !== undefined) definition.description = tool.function.description;
  if (tool.function.strict != null) definition.strict = tool.function.strict;
  return definition;
}

function toToolChoice(choice: NonNullable<WireChatRequest['tool_choice']>): ToolChoice {
  if (typeof choice === 'string') return { type: choice };
  return { type: 'tool', name: choice.function.name };
}

function toResponseFormat(format: NonNullable<WireChatRequest['response_format']>): ResponseFormat {
  if (format.type !== 'json_schema') return { type: format.type };
  const { name, schema, strict, description } = format.json_schema;
  const out: ResponseFormat = { type: 'json_schema', name, schema: schema ?? {} };
  if (strict != null) out.strict = strict;
  if (description !== undefined) out.description = description;
  return out;
}

function checkToolChoiceNamesATool(name: string, tools: ToolDefinition[] | undefined): void {
  if (tools?.some((tool) => tool.name === name)) return;
  const param = 'tool_choice.function.name';
  throw new GatewayError('invalid_request', `${param}: no tool named "${name}" in tools`, { param });
}
