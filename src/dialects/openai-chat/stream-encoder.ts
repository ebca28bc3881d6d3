import type { Usage } from '../../ir/chat.js';
import type { StreamEvent } from '../../ir/stream.js';
import type { GatewayError } from '../../errors/gateway-error.js';
import type { StreamEncoder, StreamEncoderOptions } from '../types.js';
import { encodeSse } from '../../protocol/sse.js';
import { encodeError } from './encode-error.js';
import { encodeFinishReason, encodeUsage } from './encode-usage.js';

type Delta = Record<string, unknown>;
const DONE = 'data: [DONE]\n\n';

/**
 * Encodes IR stream events as `chat.completion.chunk` SSE events the way OpenAI sends them: a
 * first chunk per choice carrying the role, then content/tool-call deltas, a finish chunk, an
 * optional usage chunk with `choices: []`, and `data: [DONE]`.
 */
export function createOpenAIStreamEncoder(options: StreamEncoderOptions): StreamEncoder {
  let model = options.model;
  let usage: Usage | undefined;
  let closed = false;
  const startedChoices = new Set<number>();

  const chunk = (choices: unknown[], usageField?: unknown): string => {
    const body: Record<string, unknown> = { id: options.id, object: 'chat.completion.chunk', created: options.created, model, choices };
    // With include_usage OpenAI sends `usage: null` on every chunk but the last.
    if (options.includeUsage) body.usage = usageField ?? null;
    return encodeSse(JSON.stringify(body));
  };
  const deltaChunk = (choice: number, delta: Delta, finishReason: string | null = null): string =>
    chunk([{ index: choice, delta, logprobs: null, finish_reason: finishReason }]);
  /** The role chunk for a choice's first event, unless that event carries the role itself. */
  const opening = (choice: number): string => {
    if (startedChoices.has(choice)) return '';
    startedChoices.add(choice);
    return deltaChunk(choice, { role: 'assistant', content: '', refusal: null });
  };

  const encodeEvent = (event: StreamEvent): string => {
    switch (event.type) {
      case 'start':
        if (event.model) model = event.model;
        return '';
      case 'text':
        return event.text === '' ? '' : opening(event.choice) + deltaChunk(event.choice, { content: event.text });
      case 'reasoning':
        return event.text === '' ? '' : opening(event.choice) + deltaChunk(event.choice, { reasoning_content: event.text });
      case 'tool_call_start': {
        const call = { index: event.index, id: event.id, type: 'function', function: { name: event.name, arguments: '' } };
        if (startedChoices.has(event.choice)) return deltaChunk(event.choice, { tool_calls: [call] });
        startedChoices.add(event.choice);
        return deltaChunk(event.choice, { role: 'assistant', content: null, tool_calls: [call], refusal: null });
      }
      case 'tool_call_delta':
        if (event.arguments === '') return '';
        return deltaChunk(event.choice, { tool_calls: [{ index: event.index, function: { arguments: event.arguments } }] });
      case 'finish':
        return opening(event.choice) + deltaChunk(event.choice, {}, encodeFinishReason(event.reason));
      case 'usage':
        usage = event.usage;
        return '';
      case 'error':
        return fail(event.error);
    }
  };

  const fail = (error: GatewayError): string => {
    if (closed) return '';
    closed = true;
    return encodeSse(JSON.stringify(encodeError(error)));
  };

  return {
    encode: (event) => (closed ? '' : encodeEvent(event)),
    end() {
      if (closed) return '';
      closed = true;
      const usageChunk = options.includeUsage && usage ? chunk([], encodeUsage(usage)) : '';
      return usageChunk + DONE;
    },
    error: fail,
  };
}
