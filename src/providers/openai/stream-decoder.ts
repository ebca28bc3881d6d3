import type { Usage } from '../../ir/chat.js';
import type { StreamDecoder, StreamEvent } from '../../ir/stream.js';
import { GatewayError } from '../../errors/gateway-error.js';
import { createSseDecoder, type SseEvent } from '../../protocol/sse.js';
import type { OpenAIChatCompletion, OpenAIChoice, OpenAIToolCall } from './api-types.js';
import { mapFinishReason } from './map-finish-reason.js';
import { mapUsage } from './map-usage.js';
import { errorFromBody } from './parse-error.js';

interface ToolCallState {
  index: number;
  id?: string;
  name?: string;
  started: boolean;
  /** Argument text that arrived before the call's name (some servers send the name late). */
  pending: string;
}

interface ChoiceState {
  calls: Map<number, ToolCallState>;
  nextIndex: number;
}

/**
 * Decodes an OpenAI-family `chat.completion.chunk` stream into IR events: any number of choices,
 * tool calls keyed by their index (id and name arrive in the first delta only), reasoning deltas
 * (`reasoning_content`/`reasoning`), the usage chunk, in-stream errors, and truncation.
 */
export function createOpenAIStreamDecoder(provider: string): StreamDecoder {
  const sse = createSseDecoder();
  const choices = new Map<number, ChoiceState>();
  let started = false;
  let done = false;
  let sawFinish = false;
  let usage: Usage | undefined;

  const finishStream = (out: StreamEvent[]): void => {
    done = true;
    if (usage) out.push({ type: 'usage', usage });
  };
  const fail = (out: StreamEvent[], error: GatewayError): void => {
    done = true;
    out.push({ type: 'error', error });
  };

  const handle = (event: SseEvent, out: StreamEvent[]): void => {
    if (done) return;
    const data = event.data.trim();
    if (data === '') return; // an empty `data:` line is a keep-alive
    if (data === '[DONE]') return finishStream(out);
    let chunk: OpenAIChatCompletion;
    try {
      chunk = JSON.parse(data) as OpenAIChatCompletion;
    } catch {
      return fail(out, new GatewayError('upstream_invalid_response', `${provider}: stream event is not JSON: ${data.slice(0, 200)}`, { provider }));
    }
    if (chunk === null || typeof chunk !== 'object') return;
    if (chunk.error || event.event === 'error') return fail(out, streamError(provider, chunk));
    const chunkChoices = Array.isArray(chunk.choices) ? chunk.choices : [];
    // Azure opens with a choices-less chunk of prompt filter results and an empty id: not the start yet.
    if (!started && (chunk.id || chunkChoices.length > 0)) {
      started = true;
      out.push({ type: 'start', ...(chunk.id ? { id: chunk.id } : {}), ...(chunk.model ? { model: chunk.model } : {}) });
    }
    for (const [position, choice] of chunkChoices.entries()) decodeChoice(choice, position, out);
    const chunkUsage = chunk.usage ?? (chunk as { x_groq?: { usage?: OpenAIChatCompletion['usage'] } }).x_groq?.usage;
    if (chunkUsage) usage = mapUsage(chunkUsage);
  };

  const decodeChoice = (choice: OpenAIChoice, position: number, out: StreamEvent[]): void => {
    const index = typeof choice.index === 'number' ? choice.index : position;
    const delta = choice.delta ?? {};
    const reasoning = delta.reasoning_content ?? delta.reasoning;
    if (typeof reasoning === 'string' && reasoning !== '') out.push({ type: 'reasoning', choice: index, text: reasoning });
    if (typeof delta.content === 'string' && delta.content !== '') out.push({ type: 'text', choice: index, text: delta.content });
    if (typeof delta.refusal === 'string' && delta.refusal !== '') out.push({ type: 'text', choice: index, text: delta.refusal });
    if (Array.isArray(delta.tool_calls)) {
      for (const [callPosition, call] of delta.tool_calls.entries()) decodeToolCall(index, call, callPosition, out);
    }
    if (choice.finish_reason) {
      startPendingCalls(index, out);
      sawFinish = true;
      out.push({ type: 'finish', choice: index, reason: mapFinishReason(choice.finish_reason) });
    }
  };

  const decodeToolCall = (choiceIndex: number, call: OpenAIToolCall, position: number, out: StreamEvent[]): void => {
    let choice = choices.get(choiceIndex);
    if (!choice) choices.set(choiceIndex, (choice = { calls: new Map(), nextIndex: 0 }));
    const key = typeof call.index === 'number' ? call.index : position;
    let state = choice.calls.get(key);
    // A new id at a known index is a new call (some servers number every call 0).
    if (!state || (call.id && state.id && call.id !== state.id)) {
      state = { index: choice.nextIndex++, started: false, pending: '' };
      choice.calls.set(key, state);
    }
    if (call.id && !state.id) state.id = call.id;
    if (call.function?.name && !state.name) state.name = call.function.name;
    const args = call.function?.arguments ?? '';
    if (!state.started) {
      state.pending += args;
      if (state.name) startCall(choiceIndex, state, out);
    } else if (args !== '') {
      out.push({ type: 'tool_call_delta', choice: choiceIndex, index: state.index, arguments: args });
    }
  };

  const startCall = (choiceIndex: number, state: ToolCallState, out: StreamEvent[]): void => {
    state.started = true;
    const id = state.id ?? `call_${choiceIndex}_${state.index}`;
    out.push({ type: 'tool_call_start', choice: choiceIndex, index: state.index, id, name: state.name ?? '' });
    if (state.pending !== '') out.push({ type: 'tool_call_delta', choice: choiceIndex, index: state.index, arguments: state.pending });
    state.pending = '';
  };

  const startPendingCalls = (choiceIndex: number, out: StreamEvent[]): void => {
    for (const state of choices.get(choiceIndex)?.calls.values() ?? []) if (!state.started) startCall(choiceIndex, state, out);
  };

  const drain = (events: SseEvent[], out: StreamEvent[] = []): StreamEvent[] => {
    for (const event of events) handle(event, out);
    return out;
  };

  return {
    push: (bytes) => drain(sse.push(bytes)),
    end() {
      const out = drain(sse.end());
      if (done) return out;
      if (sawFinish) finishStream(out);
      else fail(out, new GatewayError('upstream_error', `${provider}: stream ended before the answer was complete`, { provider }));
      return out;
    },
  };
}

/** In-stream errors carry no HTTP status; infer one from the error's type so the code table applies. */
/** The GatewayError for an in-stream `{"error": ...}` chunk. */
export function streamError(provider: string, chunk: OpenAIChatCompletion): GatewayError {
  const detail = (chunk.error ?? chunk) as { type?: unknown; code?: unknown };
  const kind = `${String(detail.type)} ${String(detail.code)}`;
  const status = /context_length|invalid_request/.test(kind) ? 400 : /rate_limit/.test(kind) ? 429 : 500;
  return errorFromBody(provider, status, {}, chunk.error ? chunk : { error: chunk });
}
