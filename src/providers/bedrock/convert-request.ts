import type { ChatRequest } from '../../ir/chat.js';
import { GatewayError } from '../../errors/gateway-error.js';
import type { BedrockConverseRequest, BedrockInferenceConfig } from './api-types.js';
import { convertMessages } from './convert-messages.js';
import { convertToolConfig } from './convert-tools.js';

/** Thinking budgets for an effort level, for Anthropic models (which take a token budget). */
const EFFORT_BUDGETS = { minimal: 1024, low: 2048, medium: 8192, high: 16384 } as const;

/**
 * Builds the Converse / ConverseStream body for an IR request. `seed`, penalties, `user` and
 * `metadata` have no Converse field and are not sent; `n > 1` cannot be honoured and is refused.
 */
export function convertRequest(request: ChatRequest, modelId: string): BedrockConverseRequest {
  if (request.n !== undefined && request.n > 1) {
    throw new GatewayError('unsupported_feature', 'Bedrock Converse returns one choice per request; n must be 1', { param: 'n' });
  }
  const converted = convertMessages(request.messages);
  const body: BedrockConverseRequest = { messages: converted.messages };
  if (converted.system.length > 0) body.system = converted.system;

  const inference: BedrockInferenceConfig = {};
  if (request.maxTokens !== undefined) inference.maxTokens = request.maxTokens;
  if (request.temperature !== undefined) inference.temperature = request.temperature;
  if (request.topP !== undefined) inference.topP = request.topP;
  if (request.stop !== undefined && request.stop.length > 0) inference.stopSequences = request.stop;
  if (Object.keys(inference).length > 0) body.inferenceConfig = inference;

  const toolConfig = convertToolConfig(request, converted);
  if (toolConfig) body.toolConfig = toolConfig;

  const additional = additionalFields(request, modelId);
  if (additional) body.additionalModelRequestFields = additional;
  return body;
}

/**
 * Model-specific fields Converse passes through untouched: `top_k` (the name Anthropic, Mistral
 * and Cohere models use) and, for Anthropic models, the extended-thinking configuration.
 */
function additionalFields(request: ChatRequest, modelId: string): Record<string, unknown> | undefined {
  const fields: Record<string, unknown> = {};
  if (request.topK !== undefined) fields.top_k = request.topK;
  const budget = request.reasoning?.budgetTokens ?? (request.reasoning?.effort ? EFFORT_BUDGETS[request.reasoning.effort] : undefined);
  if (budget !== undefined && isAnthropicModel(modelId)) fields.thinking = { type: 'enabled', budget_tokens: budget };
  return Object.keys(fields).length > 0 ? fields : undefined;
}

/** Anthropic model ids, inference profiles included (`us.anthropic.claude-...`). */
export function isAnthropicModel(modelId: string): boolean {
  return /anthropic|claude/i.test(modelId);
}
