import type { ChatChoice, ChatResponse } from '../../ir/chat.js';
import { encodeFinishReason, encodeUsage, type WireFinishReason, type WireUsage } from './encode-usage.js';

export interface WireToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export interface WireChatCompletion {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: Array<{
    index: number;
    message: {
      role: 'assistant';
      content: string | null;
      reasoning_content?: string;
      tool_calls?: WireToolCall[];
      refusal: null;
    };
    finish_reason: WireFinishReason;
    logprobs: null;
  }>;
  usage?: WireUsage;
}

/** Encodes an IR answer as an OpenAI `chat.completion` body. */
export function encodeChatResponse(response: ChatResponse): WireChatCompletion {
  const body: WireChatCompletion = {
    id: response.id,
    object: 'chat.completion',
    created: response.created,
    model: response.model,
    choices: response.choices.map(encodeChoice),
  };
  if (response.usage) body.usage = encodeUsage(response.usage);
  return body;
}

function encodeChoice(choice: ChatChoice): WireChatCompletion['choices'][number] {
  let text: string | null = null;
  let reasoning: string | undefined;
  const toolCalls: WireToolCall[] = [];
  for (const part of choice.content) {
    if (part.type === 'text') text = (text ?? '') + part.text;
    else if (part.type === 'reasoning') reasoning = (reasoning ?? '') + part.text;
    else toolCalls.push({ id: part.id, type: 'function', function: { name: part.name, arguments: part.arguments } });
  }
  // OpenAI answers "" for an empty reply and null only when the reply is tool calls.
  const message: WireChatCompletion['choices'][number]['message'] = {
    role: 'assistant',
    content: text ?? (toolCalls.length > 0 ? null : ''),
    ...(reasoning !== undefined ? { reasoning_content: reasoning } : {}),
    ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
    refusal: null,
  };
  return { index: choice.index, message, finish_reason: encodeFinishReason(choice.finishReason), logprobs: null };
}
