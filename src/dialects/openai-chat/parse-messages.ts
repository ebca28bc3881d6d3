import type { ContentPart, ImagePart, Message, TextPart } from '../../ir/chat.js';
import { GatewayError } from '../../errors/gateway-error.js';
import type { WireMessage } from './request-schema.js';

type WireUserContent = Extract<WireMessage, { role: 'user' }>['content'];
type WireTextContent = Extract<WireMessage, { role: 'tool' }>['content'];

/** Converts validated OpenAI messages to IR messages; refuses kinds the gateway does not translate. */
export function parseMessages(messages: readonly WireMessage[]): Message[] {
  return messages.map((message, index) => parseMessage(message, `messages[${index}]`));
}

function parseMessage(message: WireMessage, path: string): Message {
  switch (message.role) {
    case 'system':
    case 'developer':
      return withName({ role: 'system', content: textParts(message.content) }, message.name);
    case 'user':
      return withName({ role: 'user', content: userParts(message.content, `${path}.content`) }, message.name);
    case 'assistant': {
      if (message.function_call !== undefined && message.function_call !== null) {
        throw unsupported(`${path}.function_call`, 'the legacy "function_call" field is not supported; use "tool_calls"');
      }
      if (message.content == null && !message.tool_calls?.length) {
        throw new GatewayError('invalid_request', `${path}.content: is required unless tool_calls are given`, { param: `${path}.content` });
      }
      const content: ContentPart[] = [];
      if (message.reasoning_content) content.push({ type: 'reasoning', text: message.reasoning_content });
      content.push(...assistantText(message.content, message.refusal));
      for (const call of message.tool_calls ?? []) {
        content.push({ type: 'tool_call', id: call.id, name: call.function.name, arguments: call.function.arguments });
      }
      return withName({ role: 'assistant', content }, message.name);
    }
    case 'tool':
      return {
        role: 'tool',
        content: [{ type: 'tool_result', toolCallId: message.tool_call_id, content: textParts(message.content) }],
      };
    case 'function':
      throw unsupported(`${path}.role`, 'the legacy "function" role is not supported; use "tool" messages');
  }
}

function withName(message: Message, name: string | undefined): Message {
  return name === undefined ? message : { ...message, name };
}

function textParts(content: WireTextContent): TextPart[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  return content.map((part) => ({ type: 'text', text: part.text }));
}

function userParts(content: WireUserContent, path: string): Array<TextPart | ImagePart> {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  return content.map((part, index): TextPart | ImagePart => {
    if (part.type === 'text') return { type: 'text', text: part.text };
    if (part.type === 'image_url') {
      const image: ImagePart = { type: 'image', url: part.image_url.url };
      if (part.image_url.detail) image.detail = part.image_url.detail;
      return image;
    }
    throw unsupported(`${path}[${index}].type`, `"${part.type}" content parts are not supported`);
  });
}

type WireAssistant = Extract<WireMessage, { role: 'assistant' }>;

/** Assistant text; a refusal the model gave earlier is replayed as text, which is what it said. */
function assistantText(content: WireAssistant['content'], refusal: string | null | undefined): TextPart[] {
  const parts: TextPart[] = [];
  if (typeof content === 'string') {
    if (content !== '') parts.push({ type: 'text', text: content });
  } else if (Array.isArray(content)) {
    for (const part of content) parts.push({ type: 'text', text: part.type === 'text' ? part.text : part.refusal });
  }
  if (parts.length === 0 && refusal) parts.push({ type: 'text', text: refusal });
  return parts;
}

function unsupported(param: string, what: string): GatewayError {
  return new GatewayError('unsupported_feature', `${param}: ${what}`, { param });
}
