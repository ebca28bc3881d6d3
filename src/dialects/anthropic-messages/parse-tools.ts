import { z } from 'zod';
import type { ToolChoice, ToolDefinition } from '../../ir/chat.js';
import type { MessagesRequestBody } from './request-schema.js';
import { cacheControlSchema } from './request-schema.js';
import { invalidField, parseOrThrow, unsupportedField } from './validate.js';

const toolKindSchema = z.looseObject({ type: z.string().nullish() });

const customToolSchema = z.object({
  type: z.union([z.literal('custom'), z.null()]).optional(),
  name: z.string().regex(/^[a-zA-Z0-9_-]{1,128}$/, 'must be 1-128 letters, digits, "_" or "-"'),
  description: z.string().optional(),
  input_schema: z.looseObject({ type: z.literal('object', { error: 'must be "object"' }) }),
  cache_control: cacheControlSchema.nullish(),
  strict: z.boolean().optional(),
});

/** Client tools to IR; server tools (web_search_*, bash_*, computer_* ...) are refused by name. */
export function parseTools(tools: unknown[]): ToolDefinition[] {
  return tools.map((value, index) => {
    const path = ['tools', index];
    const kind = parseOrThrow(toolKindSchema, value, path).type;
    if (kind !== undefined && kind !== null && kind !== 'custom') {
      throw unsupportedField([...path, 'type'], `server tool "${kind}" is not supported by this gateway`);
    }
    const tool = parseOrThrow(customToolSchema, value, path);
    const definition: ToolDefinition = { name: tool.name, parameters: tool.input_schema };
    if (tool.description !== undefined) definition.description = tool.description;
    if (tool.strict !== undefined) definition.strict = tool.strict;
    if (tool.cache_control) {
      definition.cacheControl = tool.cache_control.ttl === undefined ? { type: 'ephemeral' } : { type: 'ephemeral', ttl: tool.cache_control.ttl };
    }
    return definition;
  });
}

/** `tool_choice` to IR; a named tool must be among `tools`. */
export function parseToolChoice(
  choice: NonNullable<MessagesRequestBody['tool_choice']>,
  tools: ToolDefinition[] | undefined,
): { toolChoice: ToolChoice; parallelToolCalls?: boolean } {
  const parallel = 'disable_parallel_tool_use' in choice && choice.disable_parallel_tool_use === true ? { parallelToolCalls: false } : {};
  switch (choice.type) {
    case 'auto':
      return { toolChoice: { type: 'auto' }, ...parallel };
    case 'any':
      return { toolChoice: { type: 'required' }, ...parallel };
    case 'none':
      return { toolChoice: { type: 'none' } };
    case 'tool':
      if (!tools?.some((tool) => tool.name === choice.name)) {
        throw invalidField(['tool_choice', 'name'], `no tool named "${choice.name}" in tools`);
      }
      return { toolChoice: { type: 'tool', name: choice.name }, ...parallel };
  }
}
