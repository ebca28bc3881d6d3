import type { ChatRequest } from '../../ir/chat.js';
import { GatewayError } from '../../errors/gateway-error.js';
import type { AnthropicMessagesBody, AnthropicTool, AnthropicToolChoice } from './anthropic-api-types.js';
import { convertToAnthropicMessages } from './convert-to-anthropic-messages.js';
import { JSON_RESPONSE_TOOL, jsonResponseTool } from './json-response-tool.js';

/**
 * Anthropic requires max_tokens; without one from the client we ask for 4096, the largest
 * output every Claude model accepts (older models cap at 4096), plus the thinking budget.
 */
export const DEFAULT_MAX_TOKENS = 4096;

/** Thinking budgets for an OpenAI-style reasoning effort (Anthropic's minimum is 1024). */
export const EFFORT_BUDGET_TOKENS = { minimal: 1024, low: 2048, medium: 8192, high: 16384 } as const;
const MIN_BUDGET_TOKENS = 1024;

/**
 * The thinking budget for the request. An explicit budget is passed on as given; one derived
 * from an effort is kept under the client's max_tokens (OpenAI's max includes reasoning), and
 * thinking is left off when that leaves less than Anthropic's minimum.
 */
function thinkingBudget(request: ChatRequest): number | undefined {
  const reasoning = request.reasoning;
  if (!reasoning) return undefined;
  if (reasoning.budgetTokens !== undefined) return reasoning.budgetTokens > 0 ? reasoning.budgetTokens : undefined;
  if (!reasoning.effort) return undefined;
  let budget: number = EFFORT_BUDGET_TOKENS[reasoning.effort];
  if (request.maxTokens !== undefined) budget = Math.min(budget, request.maxTokens - 1);
  return budget >= MIN_BUDGET_TOKENS ? budget : undefined;
}

function toTools(request: ChatRequest): AnthropicTool[] {
  return (request.tools ?? []).map((tool, index) => {
    if (tool.name === JSON_RESPONSE_TOOL) {
      throw new GatewayError('invalid_request', `tools[${index}].name: "${JSON_RESPONSE_TOOL}" is reserved by the gateway`, {
        param: `tools[${index}].name`,
      });
    }
    // Anthropic needs an object schema; OpenAI lets a parameterless function omit it.
    const schema = tool.parameters.type === undefined ? { type: 'object', properties: {}, ...tool.parameters } : tool.parameters;
    const out: AnthropicTool = { name: tool.name, input_schema: schema };
    if (tool.description !== undefined) out.description = tool.description;
    if (tool.cacheControl) out.cache_control = tool.cacheControl.ttl === undefined ? { type: 'ephemeral' } : { ...tool.cacheControl };
    return out;
  });
}

function toToolChoice(request: ChatRequest): AnthropicToolChoice | undefined {
  const disableParallel = request.parallelToolCalls === false ? { disable_parallel_tool_use: true } : {};
  switch (request.toolChoice?.type) {
    case 'none':
      return { type: 'none' };
    case 'required':
      return { type: 'any', ...disableParallel };
    case 'tool':
      return { type: 'tool', name: request.toolChoice.name, ...disableParallel };
    default:
      return request.toolChoice || request.parallelToolCalls === false ? { type: 'auto', ...disableParallel } : undefined;
  }
}

/**
 * Adds the JSON answer tool: alone it is forced; next to client tools the model must call one
 * of them or answer through it (`any`); with thinking on, Anthropic refuses forced tool use, so
 * the choice stays `auto`. One call at a time keeps the JSON answer whole.
 */
function withJsonTool(jsonTool: AnthropicTool, tools: AnthropicTool[], request: ChatRequest, thinking: boolean) {
  const clientTools = request.toolChoice?.type === 'none' ? [] : tools;
  let toolChoice: AnthropicToolChoice;
  if (request.toolChoice?.type === 'tool') toolChoice = { type: 'tool', name: request.toolChoice.name, disable_parallel_tool_use: true };
  else if (thinking) toolChoice = { type: 'auto', disable_parallel_tool_use: true };
  else if (clientTools.length > 0) toolChoice = { type: 'any', disable_parallel_tool_use: true };
  else toolChoice = { type: 'tool', name: JSON_RESPONSE_TOOL, disable_parallel_tool_use: true };
  return { tools: [...clientTools, jsonTool], toolChoice };
}

/**
 * IR request → Anthropic Messages body for `upstreamModel`. Sampling fields Anthropic lacks
 * (seed, penalties) and OpenAI `metadata` are not sent; `n` > 1 is refused.
 */
export function buildMessagesBody(request: ChatRequest, upstreamModel: string): AnthropicMessagesBody {
  if (request.n !== undefined && request.n > 1) {
    throw new GatewayError('unsupported_feature', 'n: Anthropic models return one choice per request', { param: 'n' });
  }
  const { system, messages } = convertToAnthropicMessages(request.messages);
  const budget = thinkingBudget(request);
  const body: AnthropicMessagesBody = {
    model: upstreamModel,
    max_tokens: request.maxTokens ?? DEFAULT_MAX_TOKENS + (budget ?? 0),
    messages,
  };
  if (system) body.system = system;
  let tools = toTools(request);
  let toolChoice = toToolChoice(request);
  const jsonTool = jsonResponseTool(request.responseFormat);
  if (jsonTool) ({ tools, toolChoice } = withJsonTool(jsonTool, tools, request, budget !== undefined));
  if (tools.length > 0) body.tools = tools;
  if (toolChoice && tools.length > 0) body.tool_choice = toolChoice;
  if (request.stop !== undefined && request.stop.length > 0) body.stop_sequences = request.stop;
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.topP !== undefined) body.top_p = request.topP;
  if (request.topK !== undefined) body.top_k = request.topK;
  if (request.user !== undefined) body.metadata = { user_id: request.user };
  if (budget !== undefined) body.thinking = { type: 'enabled', budget_tokens: budget };
  if (request.stream) body.stream = true;
  return body;
}
