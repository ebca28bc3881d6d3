import { z } from 'zod';

/**
 * Zod schemas for the Anthropic Messages request. Content blocks and tools are first checked
 * only for their `type` here; ./parse-content.ts and ./parse-tools.ts validate each kind, so an
 * unsupported kind is reported as such rather than as a failed union.
 */

/** `cache_control` on a block or tool: only ephemeral caching exists. */
export const cacheControlSchema = z.object({
  type: z.literal('ephemeral'),
  ttl: z.enum(['5m', '1h']).optional(),
});

/** A block before its kind is known: an object with a string `type`. */
export const anyBlockSchema = z.looseObject({ type: z.string() });

const contentSchema = z.union([z.string(), z.array(z.unknown())], {
  error: 'must be a string or an array of content blocks',
});

/** One entry of `messages`; its content blocks are validated by kind afterwards. */
export const messageSchema = z.object({
  role: z.enum(['user', 'assistant', 'system']),
  content: contentSchema,
});

/** A text block (citations are accepted and not carried). */
export const textBlockSchema = z.object({
  type: z.literal('text'),
  text: z.string(),
  cache_control: cacheControlSchema.nullish(),
  citations: z.array(z.unknown()).nullish(),
});

const toolChoiceSchema = z.discriminatedUnion(
  'type',
  [
    z.object({ type: z.literal('auto'), disable_parallel_tool_use: z.boolean().optional() }),
    z.object({ type: z.literal('any'), disable_parallel_tool_use: z.boolean().optional() }),
    z.object({ type: z.literal('tool'), name: z.string().min(1), disable_parallel_tool_use: z.boolean().optional() }),
    z.object({ type: z.literal('none') }),
  ],
  { error: 'type must be one of "auto", "any", "tool", "none"' },
);

const thinkingSchema = z.discriminatedUnion(
  'type',
  [
    z.object({ type: z.literal('enabled'), budget_tokens: z.number().int().min(1024), display: z.string().nullish() }),
    z.object({ type: z.literal('disabled') }),
    z.object({ type: z.literal('adaptive'), display: z.string().nullish() }),
  ],
  { error: 'type must be one of "enabled", "disabled", "adaptive"' },
);

const outputConfigSchema = z.object({
  effort: z.enum(['low', 'medium', 'high', 'xhigh', 'max']).nullish(),
  format: z
    .object({ type: z.literal('json_schema'), schema: z.record(z.string(), z.unknown()) })
    .nullish(),
});

/** Fields shared by POST /v1/messages and /v1/messages/count_tokens. Unknown fields are ignored. */
const baseShape = {
  model: z.string().min(1),
  messages: z.array(z.unknown()).min(1),
  system: z.union([z.string(), z.array(z.unknown())], { error: 'must be a string or an array of text blocks' }).optional(),
  tools: z.array(z.unknown()).optional(),
  tool_choice: toolChoiceSchema.optional(),
  thinking: thinkingSchema.optional(),
  output_config: outputConfigSchema.optional(),
  mcp_servers: z.array(z.unknown()).optional(),
};

/** POST /v1/messages/count_tokens: the shared fields, no max_tokens. */
export const countTokensRequestSchema = z.object(baseShape);

/** POST /v1/messages: the shared fields plus generation settings; max_tokens is required. */
export const messagesRequestSchema = z.object({
  ...baseShape,
  max_tokens: z.number().int().min(1),
  stop_sequences: z.array(z.string()).optional(),
  temperature: z.number().min(0).max(1).optional(),
  top_p: z.number().min(0).max(1).optional(),
  top_k: z.number().int().min(0).optional(),
  metadata: z.looseObject({ user_id: z.string().nullish() }).optional(),
  stream: z.boolean().optional(),
});

export type MessagesRequestBody = z.output<typeof messagesRequestSchema>;
export type CountTokensRequestBody = z.output<typeof countTokensRequestSchema>;
