import type { ChatRequest } from '../../ir/chat.js';
import type { GeminiGenerationConfig, GeminiThinkingConfig } from './api-types.js';
import { toGeminiSchema } from './json-schema.js';
import { isGemini3OrLater } from './models.js';

type Effort = NonNullable<NonNullable<ChatRequest['reasoning']>['effort']>;

/** Thinking budgets (tokens) for an effort on Gemini 2.x; 512 is the floor every 2.5 model accepts. */
const BUDGET_BY_EFFORT: Record<Effort, number> = { minimal: 512, low: 1024, medium: 8192, high: 24576 };

/**
 * The request's sampling, length, output-format and reasoning settings as Gemini's
 * generationConfig; undefined when the request sets none of them.
 */
export function toGenerationConfig(request: ChatRequest, model: string): GeminiGenerationConfig | undefined {
  const config: GeminiGenerationConfig = {};
  if (request.maxTokens !== undefined) config.maxOutputTokens = request.maxTokens;
  if (request.temperature !== undefined) config.temperature = request.temperature;
  if (request.topP !== undefined) config.topP = request.topP;
  if (request.topK !== undefined) config.topK = request.topK;
  if (request.stop !== undefined && request.stop.length > 0) config.stopSequences = request.stop;
  if (request.seed !== undefined) config.seed = request.seed;
  if (request.n !== undefined && request.n !== 1) config.candidateCount = request.n;
  if (request.presencePenalty !== undefined) config.presencePenalty = request.presencePenalty;
  if (request.frequencyPenalty !== undefined) config.frequencyPenalty = request.frequencyPenalty;

  const format = request.responseFormat;
  if (format?.type === 'json_object' || format?.type === 'json_schema') config.responseMimeType = 'application/json';
  if (format?.type === 'json_schema') {
    const schema = toGeminiSchema(format.schema);
    // A schema that constrains nothing (e.g. a free-form object) is plain JSON mode for Gemini.
    if (Object.keys(schema).some((key) => key !== 'title' && key !== 'description')) config.responseSchema = schema;
  }

  const thinking = toThinkingConfig(request.reasoning, model);
  if (thinking) config.thinkingConfig = thinking;
  return Object.keys(config).length > 0 ? config : undefined;
}

/**
 * Reasoning controls as thinkingConfig. An explicit token budget wins (every model takes
 * thinkingBudget); an effort becomes thinkingLevel on Gemini 3 and a budget before it. Thought
 * summaries are asked for whenever thinking is on, so clients see the reasoning.
 */
export function toThinkingConfig(reasoning: ChatRequest['reasoning'], model: string): GeminiThinkingConfig | undefined {
  if (!reasoning) return undefined;
  if (reasoning.budgetTokens !== undefined) {
    return { includeThoughts: reasoning.budgetTokens !== 0, thinkingBudget: reasoning.budgetTokens };
  }
  const effort = reasoning.effort;
  if (!effort) return undefined;
  if (!isGemini3OrLater(model)) return { includeThoughts: true, thinkingBudget: BUDGET_BY_EFFORT[effort] };
  // Pro models have no `minimal` level: `low` is their least thinking.
  const level = effort === 'minimal' && /pro/.test(model) ? 'low' : effort;
  return { includeThoughts: true, thinkingLevel: level };
}
