import type { ChatRequest } from '../ir/chat.js';
import type { StreamEvent } from '../ir/stream.js';
import { tokenCounter } from './token-counter.js';

/** Every text the model would read: messages, tool calls and results, tool definitions. */
export function inputTextOf(request: ChatRequest): string {
  const texts: string[] = [];
  for (const message of request.messages) {
    for (const part of message.content) {
      if (part.type === 'text') texts.push(part.text);
      else if (part.type === 'tool_call') texts.push(part.name, part.arguments);
      else if (part.type === 'reasoning') texts.push(part.text);
      else if (part.type === 'tool_result') {
        for (const inner of part.content) if (inner.type === 'text') texts.push(inner.text);
      }
    }
  }
  for (const tool of request.tools ?? []) texts.push(tool.name, tool.description ?? '', JSON.stringify(tool.parameters));
  return texts.join('\n');
}

/** Estimated input tokens: the texts' tokens plus a few framing tokens per message (every chat format has them). */
export async function estimateInputTokens(request: ChatRequest): Promise<number> {
  return (await tokenCounter.count(inputTextOf(request))) + request.messages.length * 3;
}

/** The generated text a stream event carries (answer, reasoning, tool call names and arguments). */
export function generatedText(event: StreamEvent): string | undefined {
  switch (event.type) {
    case 'text':
    case 'reasoning':
      return event.text;
    case 'tool_call_start':
      return event.name;
    case 'tool_call_delta':
      return event.arguments;
    default:
      return undefined;
  }
}
