import type { ChatRequest, JsonSchema, Message, ToolDefinition } from '../../ir/chat.js';

/** What the mock answers: plain text, or one tool call. Fully determined by the request. */
export type MockAnswer =
  | { kind: 'text'; text: string; truncated: boolean }
  | { kind: 'tool'; name: string; arguments: string };

const LOREM = (
  'lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore et dolore ' +
  'magna aliqua ut enim ad minim veniam quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat'
).split(' ');

/**
 * `echo` repeats the last user message's text; `lorem` writes lorem ipsum words (as many as
 * max_tokens allows, 50 by default). A request whose tool_choice requires a tool gets a call to
 * it with arguments built from its schema's required properties.
 */
export function mockAnswer(request: ChatRequest, upstreamModel: string): MockAnswer {
  const tool = forcedTool(request);
  if (tool) return { kind: 'tool', name: tool.name, arguments: JSON.stringify(exampleFor(tool.parameters)) };
  const limit = request.maxTokens;
  if (upstreamModel === 'lorem') {
    const wanted = Math.min(limit ?? 50, 50);
    const words = Array.from({ length: wanted }, (_, i) => LOREM[i % LOREM.length]);
    return { kind: 'text', text: words.join(' '), truncated: limit !== undefined && limit < 50 };
  }
  const text = lastUserText(request.messages);
  if (limit === undefined) return { kind: 'text', text, truncated: false };
  const words = text.split(/(?<=\s)/);
  return { kind: 'text', text: words.slice(0, limit).join(''), truncated: words.length > limit };
}

function forcedTool(request: ChatRequest): ToolDefinition | undefined {
  const tools = request.tools ?? [];
  const choice = request.toolChoice;
  if (!choice || tools.length === 0) return undefined;
  if (choice.type === 'required') return tools[0];
  if (choice.type === 'tool') return tools.find((tool) => tool.name === choice.name);
  return undefined;
}

function lastUserText(messages: Message[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i]!;
    if (message.role !== 'user' && message.role !== 'tool') continue;
    const texts: string[] = [];
    for (const part of message.content) {
      if (part.type === 'text') texts.push(part.text);
      if (part.type === 'tool_result') texts.push(...part.content.flatMap((inner) => (inner.type === 'text' ? [inner.text] : [])));
    }
    return texts.join('\n');
  }
  return '';
}

/** A value that satisfies the common shape of a JSON schema: required properties filled by type. */
export function exampleFor(schema: JsonSchema | undefined): unknown {
  if (!schema) return {};
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'string':
      return 'example';
    case 'integer':
    case 'number':
      return 1;
    case 'boolean':
      return true;
    case 'array':
      return [];
    case 'null':
      return null;
    default: {
      const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
      const required = Array.isArray(schema.required) ? (schema.required as string[]) : [];
      const out: Record<string, unknown> = {};
      for (const name of required) out[name] = exampleFor(properties[name]);
      return out;
    }
  }
}
