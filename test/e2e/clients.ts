import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { generateText, jsonSchema, streamText, tool } from 'ai';
import { createOpenAI } from '@ai-sdk/openai';

/** A 1×1 PNG, base64: small enough to inline, real enough for every provider's image parsing. */
export const PNG_BASE64 =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

export const WEATHER_TOOL_SCHEMA = {
  type: 'object',
  properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['c', 'f'] } },
  required: ['city'],
  additionalProperties: false,
} as const;

export interface ToolCallResult {
  name: string;
  arguments: unknown;
}

export interface ClientErrorResult {
  status: number | undefined;
  message: string;
}

/** What a conformance test asks of a client SDK; each method makes one real call through the gateway. */
export interface ClientDriver {
  name: string;
  text(model: string): Promise<{ text: string; finish: string }>;
  stream(model: string): Promise<{ text: string; usage?: { input: number; output: number } }>;
  tools(model: string, stream: boolean): Promise<ToolCallResult[]>;
  /** Sends a conversation that ends in a tool result; returns the answer text. */
  toolResult(model: string): Promise<string>;
  image(model: string): Promise<string>;
  jsonSchema(model: string): Promise<unknown>;
  usage(model: string): Promise<{ input: number; output: number }>;
  error(model: string): Promise<ClientErrorResult>;
}

const question = 'What is the weather in Paris?';

export function openaiDriver(baseUrl: string): ClientDriver {
  const client = new OpenAI({ baseURL: `${baseUrl}/v1`, apiKey: 'test', maxRetries: 0 });
  const tools = [{ type: 'function' as const, function: { name: 'get_weather', description: 'Weather', parameters: WEATHER_TOOL_SCHEMA } }];
  return {
    name: 'openai SDK',
    async text(model) {
      const reply = await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'Say hello' }] });
      return { text: reply.choices[0]!.message.content ?? '', finish: reply.choices[0]!.finish_reason };
    },
    async stream(model) {
      const stream = await client.chat.completions.create({
        model,
        stream: true,
        stream_options: { include_usage: true },
        messages: [{ role: 'user', content: 'Say hello' }],
      });
      let text = '';
      let usage: { input: number; output: number } | undefined;
      for await (const chunk of stream) {
        text += chunk.choices[0]?.delta.content ?? '';
        if (chunk.usage) usage = { input: chunk.usage.prompt_tokens, output: chunk.usage.completion_tokens };
      }
      return { text, ...(usage && { usage }) };
    },
    async tools(model, stream) {
      const params = { model, tools, tool_choice: 'auto' as const, messages: [{ role: 'user' as const, content: question }] };
      if (!stream) {
        const reply = await client.chat.completions.create(params);
        return (reply.choices[0]!.message.tool_calls ?? []).map((call) => {
          if (call.type !== 'function') throw new Error('expected a function call');
          return { name: call.function.name, arguments: JSON.parse(call.function.arguments) };
        });
      }
      const runner = client.chat.completions.stream({ ...params, stream: true });
      const final = await runner.finalChatCompletion();
      return (final.choices[0]!.message.tool_calls ?? []).map((call) => {
        if (call.type !== 'function') throw new Error('expected a function call');
        return { name: call.function.name, arguments: JSON.parse(call.function.arguments) };
      });
    },
    async toolResult(model) {
      const reply = await client.chat.completions.create({
        model,
        tools,
        messages: [
          { role: 'user', content: question },
          { role: 'assistant', content: null, tool_calls: [{ id: 'call_abc', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
          { role: 'tool', tool_call_id: 'call_abc', content: 'sunny and 21 degrees' },
        ],
      });
      return reply.choices[0]!.message.content ?? '';
    },
    async image(model) {
      const reply = await client.chat.completions.create({
        model,
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'Describe this image' },
              { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG_BASE64}` } },
            ],
          },
        ],
      });
      return reply.choices[0]!.message.content ?? '';
    },
    async jsonSchema(model) {
      const reply = await client.chat.completions.create({
        model,
        messages: [{ role: 'user', content: 'Answer as JSON' }],
        response_format: {
          type: 'json_schema',
          json_schema: { name: 'answer', strict: true, schema: { type: 'object', properties: { answer: { type: 'number' } }, required: ['answer'], additionalProperties: false } },
        },
      });
      return JSON.parse(reply.choices[0]!.message.content ?? 'null');
    },
    async usage(model) {
      const reply = await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'Count me' }] });
      return { input: reply.usage!.prompt_tokens, output: reply.usage!.completion_tokens };
    },
    async error(model) {
      try {
        await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'fail please' }] });
        return { status: 200, message: 'no error' };
      } catch (error) {
        if (error instanceof OpenAI.APIError) return { status: error.status, message: error.message };
        throw error;
      }
    },
  };
}

export function anthropicDriver(baseUrl: string): ClientDriver {
  const client = new Anthropic({ baseURL: baseUrl, apiKey: 'test', maxRetries: 0 });
  const tools = [{ name: 'get_weather', description: 'Weather', input_schema: WEATHER_TOOL_SCHEMA as unknown as Anthropic.Tool.InputSchema }];
  const textOf = (message: Anthropic.Message): string =>
    message.content.map((block) => (block.type === 'text' ? block.text : '')).join('');
  return {
    name: 'anthropic SDK',
    async text(model) {
      const reply = await client.messages.create({ model, max_tokens: 256, messages: [{ role: 'user', content: 'Say hello' }] });
      return { text: textOf(reply), finish: reply.stop_reason ?? '' };
    },
    async stream(model) {
      const stream = client.messages.stream({ model, max_tokens: 256, messages: [{ role: 'user', content: 'Say hello' }] });
      let text = '';
      stream.on('text', (delta) => (text += delta));
      const final = await stream.finalMessage();
      return { text, usage: { input: final.usage.input_tokens + (final.usage.cache_read_input_tokens ?? 0), output: final.usage.output_tokens } };
    },
    async tools(model, stream) {
      const params = { model, max_tokens: 256, tools, messages: [{ role: 'user' as const, content: question }] };
      const message = stream ? await client.messages.stream(params).finalMessage() : await client.messages.create(params);
      return message.content.flatMap((block) => (block.type === 'tool_use' ? [{ name: block.name, arguments: block.input }] : []));
    },
    async toolResult(model) {
      const reply = await client.messages.create({
        model,
        max_tokens: 256,
        tools,
        messages: [
          { role: 'user', content: question },
          { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_abc', name: 'get_weather', input: { city: 'Paris' } }] },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_abc', content: 'sunny and 21 degrees' }] },
        ],
      });
      return textOf(reply);
    },
    async image(model) {
      const reply = await client.messages.create({
        model,
        max_tokens: 256,
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'Describe this image' },
              { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG_BASE64 } },
            ],
          },
        ],
      });
      return textOf(reply);
    },
    async jsonSchema(model) {
      // Structured outputs: `output_config.format` is the Messages API's json_schema.
      const reply = await client.messages.create({
        model,
        max_tokens: 256,
        messages: [{ role: 'user', content: 'Answer as JSON' }],
        output_config: {
          format: { type: 'json_schema', schema: { type: 'object', properties: { answer: { type: 'number' } }, required: ['answer'], additionalProperties: false } },
        },
      });
      return JSON.parse(textOf(reply));
    },
    async usage(model) {
      const reply = await client.messages.create({ model, max_tokens: 256, messages: [{ role: 'user', content: 'Count me' }] });
      return { input: reply.usage.input_tokens + (reply.usage.cache_read_input_tokens ?? 0), output: reply.usage.output_tokens };
    },
    async error(model) {
      try {
        await client.messages.create({ model, max_tokens: 256, messages: [{ role: 'user', content: 'fail please' }] });
        return { status: 200, message: 'no error' };
      } catch (error) {
        if (error instanceof Anthropic.APIError) return { status: error.status, message: error.message };
        throw error;
      }
    },
  };
}

export function vercelAiDriver(baseUrl: string): ClientDriver {
  const provider = createOpenAI({ baseURL: `${baseUrl}/v1`, apiKey: 'test' });
  const weather = tool({ description: 'Weather', inputSchema: jsonSchema<{ city: string; unit?: 'c' | 'f' }>(WEATHER_TOOL_SCHEMA as never) });
  return {
    name: 'Vercel ai SDK',
    async text(model) {
      const result = await generateText({ model: provider.chat(model), prompt: 'Say hello', maxRetries: 0 });
      return { text: result.text, finish: result.finishReason };
    },
    async stream(model) {
      const result = streamText({ model: provider.chat(model), prompt: 'Say hello', maxRetries: 0 });
      let text = '';
      for await (const delta of result.textStream) text += delta;
      const usage = await result.usage;
      return { text, usage: { input: usage.inputTokens ?? -1, output: usage.outputTokens ?? -1 } };
    },
    async tools(model, stream) {
      const options = { model: provider.chat(model), prompt: question, tools: { get_weather: weather }, maxRetries: 0 };
      const calls = stream ? await streamText(options).toolCalls : (await generateText(options)).toolCalls;
      return calls.map((call) => ({ name: call.toolName, arguments: call.input }));
    },
    async toolResult(model) {
      const result = await generateText({
        model: provider.chat(model),
        tools: { get_weather: weather },
        maxRetries: 0,
        messages: [
          { role: 'user', content: question },
          { role: 'assistant', content: [{ type: 'tool-call', toolCallId: 'call_abc', toolName: 'get_weather', input: { city: 'Paris' } }] },
          { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'call_abc', toolName: 'get_weather', output: { type: 'text', value: 'sunny and 21 degrees' } }] },
        ],
      });
      return result.text;
    },
    async image(model) {
      const result = await generateText({
        model: provider.chat(model),
        maxRetries: 0,
        messages: [{ role: 'user', content: [{ type: 'text', text: 'Describe this image' }, { type: 'image', image: Buffer.from(PNG_BASE64, 'base64'), mediaType: 'image/png' }] }],
      });
      return result.text;
    },
    async jsonSchema(model) {
      const { generateObject } = await import('ai');
      const result = await generateObject({
        model: provider.chat(model),
        maxRetries: 0,
        prompt: 'Answer as JSON',
        schema: jsonSchema<{ answer: number }>({ type: 'object', properties: { answer: { type: 'number' } }, required: ['answer'], additionalProperties: false }),
      });
      return result.object;
    },
    async usage(model) {
      const result = await generateText({ model: provider.chat(model), prompt: 'Count me', maxRetries: 0 });
      return { input: result.usage.inputTokens ?? -1, output: result.usage.outputTokens ?? -1 };
    },
    async error(model) {
      try {
        await generateText({ model: provider.chat(model), prompt: 'fail please', maxRetries: 0 });
        return { status: 200, message: 'no error' };
      } catch (error) {
        const failure = error as { statusCode?: number; message: string };
        return { status: failure.statusCode, message: failure.message };
      }
    },
  };
}
