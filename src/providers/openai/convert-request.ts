import type { ChatRequest, ResponseFormat, ToolChoice } from '../../ir/chat.js';
import type { OpenAIFlavor } from './flavor.js';
import { convertMessages } from './convert-messages.js';

/**
 * IR request → OpenAI Chat Completions body for `upstreamModel`. Streams always ask for usage
 * (where the server allows the option) so the gateway can meter every stream.
 */
export function convertChatRequest(request: ChatRequest, upstreamModel: string, flavor: OpenAIFlavor): Record<string, unknown> {
  const body: Record<string, unknown> = { model: upstreamModel, messages: convertMessages(request.messages) };
  if (request.stream) {
    body.stream = true;
    if (flavor.streamOptions) body.stream_options = { include_usage: true };
  }
  if (request.maxTokens !== undefined) body[flavor.maxTokensField] = request.maxTokens;
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.topP !== undefined) body.top_p = request.topP;
  if (request.stop !== undefined && request.stop.length > 0) body.stop = request.stop;
  if (request.seed !== undefined) body.seed = request.seed;
  if (request.n !== undefined) body.n = request.n;
  if (request.user !== undefined) body.user = request.user;
  if (request.frequencyPenalty !== undefined) body.frequency_penalty = request.frequencyPenalty;
  if (request.presencePenalty !== undefined) body.presence_penalty = request.presencePenalty;
  // Only an explicit effort is passed on: non-reasoning models reject the field, and a
  // thinking budget (Anthropic clients send one routinely) has no faithful OpenAI equivalent.
  if (request.reasoning?.effort !== undefined) body.reasoning_effort = request.reasoning.effort;
  if (request.tools !== undefined && request.tools.length > 0) {
    body.tools = request.tools.map((tool) => ({
      type: 'function',
      function: {
        name: tool.name,
        ...(tool.description !== undefined ? { description: tool.description } : {}),
        parameters: tool.parameters,
        ...(tool.strict !== undefined ? { strict: tool.strict } : {}),
      },
    }));
    // OpenAI refuses both without tools, so they travel only with them.
    if (request.toolChoice !== undefined) body.tool_choice = convertToolChoice(request.toolChoice);
    if (request.parallelToolCalls !== undefined) body.parallel_tool_calls = request.parallelToolCalls;
  }
  if (request.responseFormat !== undefined) body.response_format = convertResponseFormat(request.responseFormat);
  return adaptFields(body, flavor);
}

function convertToolChoice(choice: ToolChoice): unknown {
  return choice.type === 'tool' ? { type: 'function', function: { name: choice.name } } : choice.type;
}

function convertResponseFormat(format: ResponseFormat): unknown {
  if (format.type !== 'json_schema') return { type: format.type };
  return {
    type: 'json_schema',
    json_schema: {
      name: format.name,
      ...(format.description !== undefined ? { description: format.description } : {}),
      schema: format.schema,
      ...(format.strict !== undefined ? { strict: format.strict } : {}),
    },
  };
}

function adaptFields(body: Record<string, unknown>, flavor: OpenAIFlavor): Record<string, unknown> {
  for (const field of flavor.omitFields ?? []) delete body[field];
  for (const [from, to] of Object.entries(flavor.renameFields ?? {})) {
    if (!(from in body)) continue;
    body[to] = body[from];
    delete body[from];
  }
  return body;
}
