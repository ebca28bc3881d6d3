import { z } from 'zod';
import type { CacheControl, ContentPart, ImagePart, Message, TextPart, ToolResultPart } from '../../ir/chat.js';
import { anyBlockSchema, cacheControlSchema, textBlockSchema } from './request-schema.js';
import { invalidField, parseOrThrow, unsupportedField, type FieldPath } from './validate.js';

/** Anthropic block kinds the gateway knows but cannot carry to other providers. */
const UNSUPPORTED_BLOCKS = new Set([
  'document',
  'search_result',
  'server_tool_use',
  'web_search_tool_result',
  'web_fetch_tool_result',
  'code_execution_tool_result',
  'bash_code_execution_tool_result',
  'text_editor_code_execution_tool_result',
  'tool_search_tool_result',
  'container_upload',
  'mcp_tool_use',
  'mcp_tool_result',
  'tool_reference',
]);

const imageSourceSchema = z.discriminatedUnion(
  'type',
  [
    z.object({
      type: z.literal('base64'),
      media_type: z.enum(['image/jpeg', 'image/png', 'image/gif', 'image/webp']),
      data: z.string().min(1),
    }),
    z.object({ type: z.literal('url'), url: z.url() }),
  ],
  { error: 'type must be "base64" or "url"' },
);

const imageBlockSchema = z.object({
  type: z.literal('image'),
  source: z.looseObject({ type: z.string() }),
  cache_control: cacheControlSchema.nullish(),
});

const toolUseBlockSchema = z.object({
  type: z.literal('tool_use'),
  id: z.string().min(1),
  name: z.string().min(1),
  input: z.record(z.string(), z.unknown(), { error: 'must be an object' }),
  cache_control: cacheControlSchema.nullish(),
});

const toolResultBlockSchema = z.object({
  type: z.literal('tool_result'),
  tool_use_id: z.string().min(1),
  content: z.union([z.string(), z.array(z.unknown())], { error: 'must be a string or an array of blocks' }).optional(),
  is_error: z.boolean().optional(),
  cache_control: cacheControlSchema.nullish(),
});

const thinkingBlockSchema = z.object({ type: z.literal('thinking'), thinking: z.string(), signature: z.string() });
const redactedThinkingBlockSchema = z.object({ type: z.literal('redacted_thinking'), data: z.string() });

type Block = z.output<typeof anyBlockSchema>;

function cacheControl(value: z.output<typeof cacheControlSchema> | null | undefined): { cacheControl?: CacheControl } {
  if (!value) return {};
  return { cacheControl: value.ttl === undefined ? { type: 'ephemeral' } : { type: 'ephemeral', ttl: value.ttl } };
}

function rejectBlockType(type: string, path: FieldPath, allowed: string): never {
  if (UNSUPPORTED_BLOCKS.has(type)) throw unsupportedField([...path, 'type'], `"${type}" blocks are not supported by this gateway`);
  throw invalidField([...path, 'type'], `"${type}" is not allowed here (expected ${allowed})`);
}

function parseText(block: Block, path: FieldPath): TextPart {
  const text = parseOrThrow(textBlockSchema, block, path);
  return { type: 'text', text: text.text, ...cacheControl(text.cache_control) };
}

function parseImage(block: Block, path: FieldPath): ImagePart {
  const image = parseOrThrow(imageBlockSchema, block, path);
  if (image.source.type === 'file') throw unsupportedField([...path, 'source', 'type'], '"file" image sources are not supported');
  const source = parseOrThrow(imageSourceSchema, image.source, [...path, 'source']);
  const part: ImagePart =
    source.type === 'base64' ? { type: 'image', data: source.data, mediaType: source.media_type } : { type: 'image', url: source.url };
  return { ...part, ...cacheControl(image.cache_control) };
}

/** Text and image blocks: what a user turn, a system prompt or a tool result may hold. */
function parseTextOrImage(block: Block, path: FieldPath, allowed: string): TextPart | ImagePart {
  if (block.type === 'text') return parseText(block, path);
  if (block.type === 'image') return parseImage(block, path);
  return rejectBlockType(block.type, path, allowed);
}

function parseToolResult(block: Block, path: FieldPath): ToolResultPart {
  const result = parseOrThrow(toolResultBlockSchema, block, path);
  const content =
    typeof result.content === 'string'
      ? [{ type: 'text' as const, text: result.content }]
      : blocksOf(result.content ?? [], [...path, 'content']).map((inner, index) =>
          parseTextOrImage(inner, [...path, 'content', index], 'text or image'),
        );
  const part: ToolResultPart = { type: 'tool_result', toolCallId: result.tool_use_id, content, ...cacheControl(result.cache_control) };
  if (result.is_error !== undefined) part.isError = result.is_error;
  return part;
}

function parseAssistantBlock(block: Block, path: FieldPath): ContentPart {
  switch (block.type) {
    case 'text':
      return parseText(block, path);
    case 'tool_use': {
      const call = parseOrThrow(toolUseBlockSchema, block, path);
      return { type: 'tool_call', id: call.id, name: call.name, arguments: JSON.stringify(call.input), ...cacheControl(call.cache_control) };
    }
    case 'thinking': {
      const thinking = parseOrThrow(thinkingBlockSchema, block, path);
      return { type: 'reasoning', text: thinking.thinking, signature: thinking.signature };
    }
    case 'redacted_thinking': {
      const redacted = parseOrThrow(redactedThinkingBlockSchema, block, path);
      return { type: 'reasoning', text: '', redacted: redacted.data };
    }
    default:
      return rejectBlockType(block.type, path, 'text, tool_use, thinking or redacted_thinking in an assistant message');
  }
}

/** A string is one text block; each array entry must at least be an object with a `type`. */
function blocksOf(content: string | unknown[], path: FieldPath): Block[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  return content.map((value, index) => parseOrThrow(anyBlockSchema, value, [...path, index]));
}

/**
 * Converts one Anthropic message to IR messages. A user turn's tool_result blocks become one
 * `tool` message, followed by a `user` message with the turn's other blocks (if any).
 */
export function parseMessageContent(role: 'user' | 'assistant' | 'system', content: string | unknown[], path: FieldPath): Message[] {
  const contentPath = [...path, 'content'];
  const blocks = blocksOf(content, contentPath);
  if (role === 'assistant') {
    return [{ role, content: blocks.map((block, index) => parseAssistantBlock(block, [...contentPath, index])) }];
  }
  if (role === 'system') {
    return [{ role, content: blocks.map((block, index) => parseText(block, [...contentPath, index])) }];
  }
  const results: ToolResultPart[] = [];
  const others: ContentPart[] = [];
  blocks.forEach((block, index) => {
    const blockPath = [...contentPath, index];
    if (block.type === 'tool_result') results.push(parseToolResult(block, blockPath));
    else others.push(parseTextOrImage(block, blockPath, 'text, image or tool_result in a user message'));
  });
  const messages: Message[] = [];
  if (results.length > 0) messages.push({ role: 'tool', content: results });
  if (others.length > 0 || results.length === 0) messages.push({ role: 'user', content: others });
  return messages;
}

/** The top-level `system` field (string or text blocks) as IR text parts. */
export function parseSystem(system: string | unknown[]): TextPart[] {
  if (typeof system === 'string') return [{ type: 'text', text: system }];
  return system.map((block, index) => parseText(parseOrThrow(anyBlockSchema, block, ['system', index]), ['system', index]));
}
