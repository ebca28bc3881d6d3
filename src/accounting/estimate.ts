import type { ChatRequest } from '../ir/chat.js';
import type { StreamEvent } from '../ir/stream.js';
import { tokenCounter } from './token-counter.js';

/** Visits every text the model would read: messages, tool calls and results, tool definitions. */
function visitInputTexts(request: ChatRequest, visit: (text: string) => void): void {
  for (const message of request.messages) {
    for (const part of message.content) {
      if (part.type === 'text' || part.type === 'reasoning') visit(part.text);
      else if (part.type === 'tool_call') {
        visit(part.name);
        visit(part.arguments);
      } else if (part.type === 'tool_result') {
        for (const inner of part.content) if (inner.type === 'text') visit(inner.text);
      }
    }
  }
  for (const tool of request.tools ?? []) {
    visit(tool.name);
    visit(tool.description ?? '');
    visit(JSON.stringify(tool.parameters));
  }
}

/** Every text the model would read, joined (for the tokenizer). */
export function inputTextOf(request: ChatRequest): string {
  const texts: string[] = [];
  visitInputTexts(request, (text) => texts.push(text));
  return texts.join('\n');
}

/** The length of what inputTextOf would join, without building it (the limits' rough estimate). */
export function inputCharsOf(request: ChatRequest): number {
  let chars = 0;
  visitInputTexts(request, (text) => (chars += text.length + 1));
  return chars;
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
