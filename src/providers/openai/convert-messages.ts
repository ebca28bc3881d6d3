import type { ContentPart, ImagePart, Message, TextPart, ToolResultPart } from '../../ir/chat.js';

export type OpenAIContentPart =
  | { type: 'text'; text: string }
  | { type: 'image_url'; image_url: { url: string; detail?: 'auto' | 'low' | 'high' } };

export type OpenAIRequestMessage =
  | { role: 'system'; content: string; name?: string }
  | { role: 'user'; content: string | OpenAIContentPart[]; name?: string }
  | {
      role: 'assistant';
      content: string | null;
      tool_calls?: Array<{ id: string; type: 'function'; function: { name: string; arguments: string } }>;
      name?: string;
    }
  | { role: 'tool'; tool_call_id: string; content: string };

/**
 * IR messages → OpenAI messages. Each tool result becomes its own `tool` message; images a tool
 * returned (OpenAI tool messages carry text only) follow in one user message after the run of
 * tool messages, so every tool message still directly follows its assistant turn.
 */
export function convertMessages(messages: readonly Message[]): OpenAIRequestMessage[] {
  const out: OpenAIRequestMessage[] = [];
  let toolImages: ImagePart[] = [];
  const flushToolImages = (): void => {
    if (toolImages.length === 0) return;
    out.push({ role: 'user', content: toolImages.map(imageUrlPart) });
    toolImages = [];
  };
  for (const message of messages) {
    const results = message.content.filter((part): part is ToolResultPart => part.type === 'tool_result');
    if (results.length > 0) {
      for (const result of results) {
        out.push({ role: 'tool', tool_call_id: result.toolCallId, content: joinText(result.content, '\n') });
        toolImages.push(...result.content.filter((part): part is ImagePart => part.type === 'image'));
      }
      if (results.length === message.content.length) continue;
    }
    flushToolImages();
    const converted = convertMessage(message, message.content.filter((part) => part.type !== 'tool_result'));
    if (converted) out.push(converted);
  }
  flushToolImages();
  return out;
}

function convertMessage(message: Message, parts: ContentPart[]): OpenAIRequestMessage | undefined {
  const named = (value: OpenAIRequestMessage): OpenAIRequestMessage =>
    message.name === undefined || value.role === 'tool' ? value : { ...value, name: message.name };
  switch (message.role) {
    case 'system':
      return named({ role: 'system', content: joinText(parts, '\n\n') });
    case 'user':
    case 'tool':
      return parts.length === 0 ? undefined : named({ role: 'user', content: userContent(parts) });
    case 'assistant': {
      const texts = parts.filter((part): part is TextPart => part.type === 'text');
      // Reasoning is not sent back: OpenAI has no input field for it and DeepSeek rejects it.
      const calls = parts.flatMap((part) =>
        part.type === 'tool_call' ? [{ id: part.id, type: 'function' as const, function: { name: part.name, arguments: part.arguments } }] : [],
      );
      const assistant: OpenAIRequestMessage = { role: 'assistant', content: texts.length > 0 ? joinText(texts) : null };
      if (calls.length > 0) assistant.tool_calls = calls;
      else if (assistant.content === null) assistant.content = '';
      return named(assistant);
    }
  }
}

/** A single text part stays a plain string (every compatible server takes that); otherwise parts. */
function userContent(parts: ContentPart[]): string | OpenAIContentPart[] {
  if (parts.length === 1 && parts[0]?.type === 'text') return parts[0].text;
  return parts.flatMap((part): OpenAIContentPart[] => {
    if (part.type === 'text') return [{ type: 'text', text: part.text }];
    if (part.type === 'image') return [imageUrlPart(part)];
    return [];
  });
}

function imageUrlPart(image: ImagePart): OpenAIContentPart {
  const url = image.url ?? `data:${image.mediaType ?? 'image/png'};base64,${image.data ?? ''}`;
  return { type: 'image_url', image_url: image.detail ? { url, detail: image.detail } : { url } };
}

function joinText(parts: readonly ContentPart[], separator = ''): string {
  return parts
    .filter((part): part is TextPart => part.type === 'text')
    .map((part) => part.text)
    .join(separator);
}
