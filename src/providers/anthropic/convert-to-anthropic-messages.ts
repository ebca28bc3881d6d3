import type { CacheControl, ContentPart, ImagePart, Message } from '../../ir/chat.js';
import { GatewayError } from '../../errors/gateway-error.js';
import type {
  AnthropicCacheControl,
  AnthropicImageBlock,
  AnthropicMessageParam,
  AnthropicRequestBlock,
  AnthropicTextBlock,
} from './anthropic-api-types.js';
import { parseToolArguments } from '../../ir/tool-arguments.js';

type Path = string;

function cacheControl(value: CacheControl | undefined): { cache_control?: AnthropicCacheControl } {
  if (!value) return {};
  return { cache_control: value.ttl === undefined ? { type: 'ephemeral' } : { type: 'ephemeral', ttl: value.ttl } };
}

const DATA_URL = /^data:([^;,]+);base64,(.*)$/s;

function toImageBlock(part: ImagePart, path: Path): AnthropicImageBlock {
  const extra = cacheControl(part.cacheControl);
  if (part.data !== undefined) {
    if (!part.mediaType) throw new GatewayError('invalid_request', `${path}: inline image data needs a media type`, { param: path });
    return { type: 'image', source: { type: 'base64', media_type: part.mediaType, data: part.data }, ...extra };
  }
  const url = part.url ?? '';
  const inline = DATA_URL.exec(url);
  if (inline) return { type: 'image', source: { type: 'base64', media_type: inline[1]!, data: inline[2]! }, ...extra };
  if (/^https?:\/\//i.test(url)) return { type: 'image', source: { type: 'url', url }, ...extra };
  throw new GatewayError('unsupported_feature', `${path}: only base64 data: URLs and http(s) image URLs are supported`, { param: path });
}

function toTextOrImage(part: ContentPart, path: Path): AnthropicTextBlock | AnthropicImageBlock | undefined {
  if (part.type === 'text') return part.text === '' ? undefined : { type: 'text', text: part.text, ...cacheControl(part.cacheControl) };
  if (part.type === 'image') return toImageBlock(part, path);
  return undefined;
}

/** One IR part as an Anthropic block; parts Anthropic cannot take back are dropped (undefined). */
function toBlock(part: ContentPart, path: Path): AnthropicRequestBlock | undefined {
  switch (part.type) {
    case 'text':
    case 'image':
      return toTextOrImage(part, path);
    case 'tool_call':
      return { type: 'tool_use', id: part.id, name: part.name, input: parseToolArguments(part.arguments), ...cacheControl(part.cacheControl) };
    case 'tool_result': {
      const content = part.content.flatMap((inner, index) => toTextOrImage(inner, `${path}.content[${index}]`) ?? []);
      const block: AnthropicRequestBlock = { type: 'tool_result', tool_use_id: part.toolCallId };
      if (content.length > 0) block.content = content;
      if (part.isError !== undefined) block.is_error = part.isError;
      return { ...block, ...cacheControl(part.cacheControl) };
    }
    case 'reasoning':
      // Anthropic verifies thinking by its signature: unsigned reasoning from another provider cannot go back.
      if (part.redacted !== undefined) return { type: 'redacted_thinking', data: part.redacted };
      if (part.signature) return { type: 'thinking', thinking: part.text, signature: part.signature };
      return undefined;
  }
}

/** Tool results must open a user turn: keep them first, everything else after, order otherwise kept. */
function toolResultsFirst(blocks: AnthropicRequestBlock[]): AnthropicRequestBlock[] {
  const results = blocks.filter((block) => block.type === 'tool_result');
  if (results.length === 0 || results.length === blocks.length) return blocks;
  return [...results, ...blocks.filter((block) => block.type !== 'tool_result')];
}

/**
 * IR conversation → Anthropic `system` + `messages`: every system message is gathered into
 * `system`, tool messages become user turns of tool_result blocks, empty text is dropped, and
 * consecutive turns of the same role are merged so roles alternate.
 */
export function convertToAnthropicMessages(messages: Message[]): {
  system?: AnthropicTextBlock[];
  messages: AnthropicMessageParam[];
} {
  const system: AnthropicTextBlock[] = [];
  const turns: AnthropicMessageParam[] = [];
  messages.forEach((message, messageIndex) => {
    const path = (partIndex: number): Path => `messages[${messageIndex}].content[${partIndex}]`;
    if (message.role === 'system') {
      message.content.forEach((part) => {
        if (part.type === 'text' && part.text !== '') system.push({ type: 'text', text: part.text, ...cacheControl(part.cacheControl) });
      });
      return;
    }
    const role = message.role === 'assistant' ? 'assistant' : 'user';
    const content = message.content.flatMap((part, partIndex) => toBlock(part, path(partIndex)) ?? []);
    if (content.length === 0) return;
    const previous = turns.at(-1);
    if (previous?.role === role) previous.content.push(...content);
    else turns.push({ role, content });
  });
  for (const turn of turns) if (turn.role === 'user') turn.content = toolResultsFirst(turn.content);
  return system.length > 0 ? { system, messages: turns } : { messages: turns };
}
