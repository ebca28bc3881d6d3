import type { ChatRequest, ToolDefinition } from '../../ir/chat.js';
import { GatewayError } from '../../errors/gateway-error.js';
import type { BedrockToolChoice, BedrockToolConfig, BedrockToolSpec } from './api-types.js';

/**
 * Converse has no JSON mode. Like other providers without one, a JSON response format becomes a
 * tool the model is forced to call, whose input schema is the requested schema; the response
 * parser and stream decoder turn that call back into plain text. The name is reserved so the
 * answer side can recognise the call without knowing the request.
 */
export const JSON_RESPONSE_TOOL = 'switchyard_json_response';

export interface ToolHistory {
  historyHasToolBlocks: boolean;
  historyToolNames: Set<string>;
}

/**
 * Builds `toolConfig` from the request's tools, tool choice and response format, or undefined when
 * no tools should be offered. `tool_choice: none` has no Converse equivalent, so the tools are left
 * out instead; but Converse rejects a history with toolUse/toolResult blocks unless a toolConfig is
 * present, so in that case the tools stay (placeholders when the client sent none) with `auto`.
 */
export function convertToolConfig(request: ChatRequest, history: ToolHistory): BedrockToolConfig | undefined {
  const jsonTool = jsonResponseTool(request);
  const declared = request.tools ?? [];
  if (declared.some((tool) => tool.name === JSON_RESPONSE_TOOL)) {
    throw new GatewayError('unsupported_feature', `the tool name "${JSON_RESPONSE_TOOL}" is reserved by the gateway`, { param: 'tools' });
  }
  const choice = request.toolChoice ?? { type: 'auto' };
  const offered = choice.type === 'none' && !history.historyHasToolBlocks ? [] : declared;

  const tools: BedrockToolConfig['tools'] = [];
  for (const tool of offered) {
    tools.push(toolSpec(tool));
    if (tool.cacheControl) tools.push({ cachePoint: { type: 'default' } });
  }
  if (tools.length === 0 && history.historyHasToolBlocks && !jsonTool) {
    for (const name of history.historyToolNames) tools.push(placeholderSpec(name));
    if (tools.length === 0) tools.push(placeholderSpec('tool'));
  }
  if (jsonTool) tools.push(jsonTool);
  if (tools.length === 0) return undefined;

  const config: BedrockToolConfig = { tools };
  const toolChoice = bedrockToolChoice(choice, offered.length > 0, jsonTool !== undefined);
  if (toolChoice) config.toolChoice = toolChoice;
  return config;
}

/** Auto is Converse's default, so it is left out: several models reject any explicit toolChoice. */
function bedrockToolChoice(choice: NonNullable<ChatRequest['toolChoice']>, hasTools: boolean, json: boolean): BedrockToolChoice | undefined {
  if (json) {
    if (choice.type === 'tool' && hasTools) return { tool: { name: choice.name } };
    // With other tools present the model may still call one of them; it must call some tool.
    return hasTools ? { any: {} } : { tool: { name: JSON_RESPONSE_TOOL } };
  }
  if (!hasTools) return undefined;
  if (choice.type === 'required') return { any: {} };
  if (choice.type === 'tool') return { tool: { name: choice.name } };
  return undefined;
}

function jsonResponseTool(request: ChatRequest): BedrockToolSpec | undefined {
  const format = request.responseFormat;
  if (!format || format.type === 'text') return undefined;
  if (format.type === 'json_object') {
    return spec(JSON_RESPONSE_TOOL, 'Respond with your complete answer as a JSON object. Call this tool exactly once.', { type: 'object' });
  }
  // A tool's input is always a JSON object, so only object schemas can be expressed this way.
  if (format.schema.type !== 'object') {
    throw new GatewayError('unsupported_feature', 'response_format: Bedrock needs a JSON schema of type "object"', { param: 'response_format' });
  }
  const purpose = format.description ?? `Respond with your complete answer as JSON (${format.name}).`;
  return spec(JSON_RESPONSE_TOOL, `${purpose} Call this tool exactly once.`, format.schema);
}

function toolSpec(tool: ToolDefinition): BedrockToolSpec {
  return spec(tool.name, tool.description, tool.parameters);
}

function placeholderSpec(name: string): BedrockToolSpec {
  return spec(name, 'A tool used earlier in this conversation.', { type: 'object' });
}

function spec(name: string, description: string | undefined, schema: Record<string, unknown>): BedrockToolSpec {
  const toolSpec: BedrockToolSpec['toolSpec'] = { name, inputSchema: { json: schema } };
  if (description) toolSpec.description = description;
  return { toolSpec };
}
