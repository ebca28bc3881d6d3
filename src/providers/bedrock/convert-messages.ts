import { parseToolArguments } from '../../ir/tool-arguments.js';
import type { CacheControl, ContentPart, ImagePart, Message, ToolResultPart } from '../../ir/chat.js';
import { GatewayError } from '../../errors/gateway-error.js';
import type {
  BedrockCachePoint,
  BedrockContentBlock,
  BedrockImageBlock,
  BedrockImageFormat,
  BedrockMessage,
  BedrockSystemBlock,
  BedrockToolResultContent,
} from './api-types.js';

export interface ConvertedMessages {
  system: BedrockSystemBlock[];
  messages: BedrockMessage[];
  /** Tool names used by toolUse blocks in the history: Bedrock then insists on a toolConfig. */
  historyToolNames: Set<string>;
  /** The history contains toolUse or toolResult blocks. */
  historyHasToolBlocks: boolean;
}

const CACHE_POINT: BedrockCachePoint = { cachePoint: { type: 'default' } };

/**
 * Converts IR messages to Converse `system` + `messages`. System messages are gathered wherever
 * they stand; tool results become user turns; consecutive turns of one role are merged, since
 * Converse requires strictly alternating roles. Blank text is dropped (Converse rejects it), and
 * so is reasoning without a signature (it cannot be verified by the model).
 */
export function convertMessages(messages: Message[]): ConvertedMessages {
  const out: ConvertedMessages = { system: [], messages: [], historyToolNames: new Set(), historyHasToolBlocks: false };
  messages.forEach((message, i) => {
    if (message.role === 'system') {
      message.content.forEach((part, j) => {
        if (part.type !== 'text') throw unsupported(`Bedrock system prompts take text only, not ${part.type}`, `messages[${i}].content[${j}]`);
        if (part.text.trim() === '') return;
        out.system.push({ text: part.text });
        if (part.cacheControl) out.system.push(CACHE_POINT);
      });
      return;
    }
    const role = message.role === 'assistant' ? 'assistant' : 'user';
    const blocks: BedrockContentBlock[] = [];
    message.content.forEach((part, j) => {
      const block = convertPart(part, role, `messages[${i}].content[${j}]`, out);
      if (block === undefined) return;
      blocks.push(block);
      if (cacheControlOf(part)) blocks.push(CACHE_POINT);
    });
    if (blocks.length === 0) return;
    const last = out.messages[out.messages.length - 1];
    if (last?.role === role) last.content.push(...blocks);
    else out.messages.push({ role, content: blocks });
  });
  return out;
}

function convertPart(part: ContentPart, role: 'user' | 'assistant', param: string, out: ConvertedMessages): BedrockContentBlock | undefined {
  switch (part.type) {
    case 'text':
      return part.text.trim() === '' ? undefined : { text: part.text };
    case 'image':
      return convertImage(part, param);
    case 'tool_call':
      if (role !== 'assistant') throw invalid('tool calls belong in assistant messages', param);
      out.historyHasToolBlocks = true;
      out.historyToolNames.add(part.name);
      return { toolUse: { toolUseId: part.id, name: part.name, input: parseToolArguments(part.arguments) } };
    case 'tool_result':
      if (role !== 'user') throw invalid('tool results belong in tool or user messages', param);
      out.historyHasToolBlocks = true;
      return convertToolResult(part, param);
    case 'reasoning':
      if (role !== 'assistant') return undefined;
      if (part.redacted !== undefined) return { reasoningContent: { redactedContent: part.redacted } };
      if (part.signature === undefined) return undefined;
      return { reasoningContent: { reasoningText: { text: part.text, signature: part.signature } } };
  }
}

function convertToolResult(part: ToolResultPart, param: string): BedrockContentBlock {
  const content: BedrockToolResultContent[] = [];
  part.content.forEach((item, k) => {
    if (item.type === 'image') content.push(convertImage(item, `${param}.content[${k}]`));
    else if (item.text !== '') content.push({ text: item.text });
  });
  // Converse requires at least one content block; an empty tool output still has to be reported.
  if (content.length === 0) content.push({ text: '(empty)' });
  const toolResult: { toolUseId: string; content: BedrockToolResultContent[]; status?: 'error' } = { toolUseId: part.toolCallId, content };
  if (part.isError) toolResult.status = 'error';
  return { toolResult };
}

const FORMATS: Record<string, BedrockImageFormat> = {
  'image/png': 'png',
  'image/jpeg': 'jpeg',
  'image/jpg': 'jpeg',
  'image/gif': 'gif',
  'image/webp': 'webp',
};

/** Converse takes image bytes only: data: URLs and inline base64 work, http(s) URLs do not. */
export function convertImage(part: ImagePart, param: string): BedrockImageBlock {
  let mediaType = part.mediaType;
  let data = part.data;
  if (data === undefined && part.url !== undefined) {
    const match = /^data:([^;,]+);base64,(.*)$/s.exec(part.url);
    if (!match) {
      throw unsupported('Bedrock accepts images only as inline bytes (a base64 data: URL), not http(s) URLs', param);
    }
    mediaType = match[1];
    data = match[2];
  }
  if (data === undefined) throw invalid('image has neither data nor url', param);
  const format = FORMATS[(mediaType ?? '').toLowerCase()];
  if (!format) throw unsupported(`Bedrock accepts png, jpeg, gif and webp images, not ${mediaType ?? 'an unknown type'}`, param);
  return { image: { format, source: { bytes: data } } };
}

function cacheControlOf(part: ContentPart): CacheControl | undefined {
  return part.type === 'reasoning' ? undefined : part.cacheControl;
}

const unsupported = (message: string, param: string) => new GatewayError('unsupported_feature', message, { param });
const invalid = (message: string, param: string) => new GatewayError('invalid_request', message, { param });
