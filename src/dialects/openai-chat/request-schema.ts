import { z } from 'zod';

/**
 * Zod schemas for the OpenAI Chat Completions request body, as strict as OpenAI itself on the
 * fields we translate. Unknown fields pass validation and are dropped (they still reach an
 * OpenAI-type upstream through pass-through). Kinds we recognise but do not support
 * (legacy `function` role, audio/file parts) validate here and are refused by the converter,
 * so the client gets `unsupported_feature` rather than a shape error.
 */

const CONTENT_ERROR = 'expected string or array of content parts';

const textPart = z.object({ type: z.literal('text'), text: z.string() });
const imagePart = z.object({
  type: z.literal('image_url'),
  image_url: z.object({ url: z.string().min(1), detail: z.enum(['auto', 'low', 'high']).optional() }),
});
const unsupportedPart = z.object({ type: z.enum(['input_audio', 'file']) });
const refusalPart = z.object({ type: z.literal('refusal'), refusal: z.string() });

const textContent = z.union([z.string(), z.array(textPart).min(1)], { error: 'expected string or array of text parts' });
const userContent = z.union([z.string(), z.array(z.discriminatedUnion('type', [textPart, imagePart, unsupportedPart])).min(1)], {
  error: CONTENT_ERROR,
});
const assistantContent = z.union([z.string(), z.array(z.discriminatedUnion('type', [textPart, refusalPart])), z.null()], {
  error: 'expected string, array of content parts or null',
});

const toolCall = z.object({
  id: z.string().min(1),
  type: z.literal('function'),
  function: z.object({ name: z.string().min(1), arguments: z.string() }),
});

const name = z.string().optional();

/** One message of `messages`, by role; `developer` is OpenAI's newer name for `system`. */
export const messageSchema = z.discriminatedUnion('role', [
  z.object({ role: z.enum(['system', 'developer']), content: textContent, name }),
  z.object({ role: z.literal('user'), content: userContent, name }),
  z.object({
    role: z.literal('assistant'),
    content: assistantContent.optional(),
    tool_calls: z.array(toolCall).optional(),
    refusal: z.string().nullable().optional(),
    reasoning_content: z.string().nullable().optional(),
    function_call: z.unknown().optional(),
    name,
  }),
  z.object({ role: z.literal('tool'), content: textContent, tool_call_id: z.string().min(1) }),
  z.object({ role: z.literal('function') }),
]);

const toolSchema = z.object({
  type: z.literal('function'),
  function: z.object({
    name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, 'expected 1-64 letters, digits, underscores or dashes'),
    description: z.string().optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
    strict: z.boolean().nullable().optional(),
  }),
});

const toolChoiceSchema = z.union(
  [
    z.enum(['auto', 'none', 'required']),
    z.object({ type: z.literal('function'), function: z.object({ name: z.string().min(1) }) }),
  ],
  { error: 'expected "auto", "none", "required" or {"type":"function","function":{"name":...}}' },
);

const responseFormatSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text') }),
  z.object({ type: z.literal('json_object') }),
  z.object({
    type: z.literal('json_schema'),
    json_schema: z.object({
      name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, 'expected 1-64 letters, digits, underscores or dashes'),
      description: z.string().optional(),
      schema: z.record(z.string(), z.unknown()).optional(),
      strict: z.boolean().nullable().optional(),
    }),
  }),
]);

const positiveInt = z.number().int().min(1);

/** The request body. Nullable optionals accept the `null` OpenAI's SDKs send for "not set". */
export const chatRequestSchema = z.object({
  model: z.string().min(1),
  messages: z.array(messageSchema).min(1),
  stream: z.boolean().nullable().optional(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).nullable().optional(),
  max_tokens: positiveInt.nullable().optional(),
  max_completion_tokens: positiveInt.nullable().optional(),
  temperature: z.number().min(0).max(2).nullable().optional(),
  top_p: z.number().min(0).max(1).nullable().optional(),
  n: z.number().int().min(1).max(128).nullable().optional(),
  stop: z.union([z.string(), z.array(z.string()).max(4)], { error: 'expected string or array of up to 4 strings' }).nullable().optional(),
  seed: z.number().int().nullable().optional(),
  user: z.string().optional(),
  metadata: z.record(z.string(), z.string().max(512)).nullable().optional(),
  frequency_penalty: z.number().min(-2).max(2).nullable().optional(),
  presence_penalty: z.number().min(-2).max(2).nullable().optional(),
  reasoning_effort: z.enum(['none', 'minimal', 'low', 'medium', 'high', 'xhigh']).nullable().optional(),
  tools: z.array(toolSchema).optional(),
  tool_choice: toolChoiceSchema.optional(),
  parallel_tool_calls: z.boolean().optional(),
  response_format: responseFormatSchema.optional(),
});

export type WireChatRequest = z.infer<typeof chatRequestSchema>;
export type WireMessage = z.infer<typeof messageSchema>;
