import type { AssistantPart, ChatChoice, ChatResponse } from '../../ir/chat.js';
import { GatewayError } from '../../errors/gateway-error.js';
import type { OpenAIChatCompletion, OpenAIChoice, OpenAIMessage } from './api-types.js';
import { mapFinishReason } from './map-finish-reason.js';
import { mapUsage } from './map-usage.js';
import { errorFromBody } from './parse-error.js';

/**
 * A non-streaming `chat.completion` body → IR. Lenient: missing optional fields are fine, but a
 * body without `choices` is not an answer (an `error` object in it is reported as such).
 */
export function parseChatCompletion(body: unknown, upstreamModel: string, provider: string): ChatResponse {
  const completion = (body ?? {}) as OpenAIChatCompletion;
  if (completion.error) throw errorFromBody(provider, 502, {}, completion as Record<string, unknown>);
  if (!Array.isArray(completion.choices)) {
    throw new GatewayError('upstream_invalid_response', `${provider}: response has no choices`, { provider });
  }
  const response: ChatResponse = {
    id: typeof completion.id === 'string' ? completion.id : '',
    model: completion.model || upstreamModel,
    created: typeof completion.created === 'number' ? completion.created : Math.floor(Date.now() / 1000),
    choices: completion.choices.map(parseChoice),
  };
  if (completion.usage) response.usage = mapUsage(completion.usage);
  return response;
}

function parseChoice(choice: OpenAIChoice, position: number): ChatChoice {
  return {
    index: typeof choice.index === 'number' ? choice.index : position,
    content: parseMessage(choice.message ?? {}),
    finishReason: mapFinishReason(choice.finish_reason),
  };
}

function parseMessage(message: OpenAIMessage): AssistantPart[] {
  const parts: AssistantPart[] = [];
  const reasoning = message.reasoning_content ?? message.reasoning;
  if (typeof reasoning === 'string' && reasoning !== '') parts.push({ type: 'reasoning', text: reasoning });
  const text = messageText(message.content) || message.refusal;
  if (text) parts.push({ type: 'text', text });
  for (const [position, call] of (message.tool_calls ?? []).entries()) {
    parts.push({
      type: 'tool_call',
      id: call.id || `call_${position}`,
      name: call.function?.name ?? '',
      arguments: call.function?.arguments ?? '',
    });
  }
  return parts;
}

/** Content is a string for OpenAI; a few compatible servers answer with text parts. */
function messageText(content: OpenAIMessage['content']): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((part) => (typeof part?.text === 'string' ? part.text : '')).join('');
}
