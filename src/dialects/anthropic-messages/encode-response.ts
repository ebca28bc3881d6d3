import type { AssistantPart, ChatResponse } from '../../ir/chat.js';
import { parseToolArguments } from '../../ir/tool-arguments.js';
import { toAnthropicUsage, toStopReason, type AnthropicStopReason, type AnthropicUsage } from './wire-mapping.js';

export type AnthropicContentBlock =
  | { type: 'text'; text: string }
  | { type: 'thinking'; thinking: string; signature: string }
  | { type: 'redacted_thinking'; data: string }
  | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> };

export interface AnthropicMessage {
  id: string;
  type: 'message';
  role: 'assistant';
  model: string;
  content: AnthropicContentBlock[];
  stop_reason: AnthropicStopReason;
  stop_sequence: string | null;
  usage: AnthropicUsage;
}

function toBlock(part: AssistantPart): AnthropicContentBlock | undefined {
  switch (part.type) {
    case 'text':
      return part.text === '' ? undefined : { type: 'text', text: part.text };
    case 'tool_call':
      return { type: 'tool_use', id: part.id, name: part.name, input: parseToolArguments(part.arguments) };
    case 'reasoning':
      if (part.redacted !== undefined) return { type: 'redacted_thinking', data: part.redacted };
      return { type: 'thinking', thinking: part.text, signature: part.signature ?? '' };
  }
}

/** The IR answer (first choice) as an Anthropic `message` object. */
export function encodeMessage(response: ChatResponse): AnthropicMessage {
  const choice = response.choices[0];
  const content: AnthropicContentBlock[] = [];
  for (const part of choice?.content ?? []) {
    const block = toBlock(part);
    if (block) content.push(block);
  }
  return {
    id: response.id,
    type: 'message',
    role: 'assistant',
    model: response.model,
    content,
    stop_reason: toStopReason(choice?.finishReason, choice?.stopSequence),
    stop_sequence: choice?.stopSequence ?? null,
    usage: toAnthropicUsage(response.usage),
  };
}
