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

/** Keys whose values the model does not read as text: roles, ids, media payloads and links. */
const SKIPPED_BODY_KEYS = new Set(['role', 'type', 'id', 'tool_call_id', 'tool_use_id', 'url', 'data', 'file_data', 'media_type', 'detail', 'cache_control']);
/** Keys whose object value counts as its JSON text: tool schemas and Anthropic tool_use input. */
const JSON_BODY_KEYS = new Set(['parameters', 'input_schema', 'input']);

/**
 * About the length of what `inputTextOf` joins (plus one), read from the client's JSON body (either dialect) without
 * validating it into the IR: the strings under `messages`, `system` and `tools`. Roles, ids and
 * media (base64 images, files) are left out; schemas and tool inputs count as their JSON text.
 * Iterative, so a deeply nested body cannot overflow the stack. For the limits' rough reservation,
 * which is settled to the real count afterwards.
 */
export function roughInputCharsOfBody(body: Readonly<Record<string, unknown>>): number {
  let chars = 0;
  const pending: unknown[] = [body.messages, body.system, body.tools];
  while (pending.length > 0) {
    const value = pending.pop();
    if (typeof value === 'string') chars += value.length + 1;
    else if (Array.isArray(value)) {
      for (const item of value) pending.push(item);
    } else if (value !== null && typeof value === 'object') {
      for (const [key, inner] of Object.entries(value)) {
        if (SKIPPED_BODY_KEYS.has(key)) continue;
        if (JSON_BODY_KEYS.has(key) && inner !== null && typeof inner === 'object') chars += JSON.stringify(inner).length + 1;
        else pending.push(inner);
      }
    }
  }
  return chars;
}

/** The output bound a client body asks for (`max_completion_tokens`, else `max_tokens`), if any. */
export function maxOutputTokensOfBody(body: Readonly<Record<string, unknown>>): number | undefined {
  const bound = body.max_completion_tokens ?? body.max_tokens;
  return typeof bound === 'number' && Number.isFinite(bound) && bound > 0 ? bound : undefined;
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
