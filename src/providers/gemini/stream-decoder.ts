import type { Usage } from '../../ir/chat.js';
import type { StreamDecoder, StreamEvent } from '../../ir/stream.js';
import { GatewayError } from '../../errors/gateway-error.js';
import { createSseDecoder } from '../../protocol/sse.js';
import type { GeminiCandidate, GeminiGenerateContentResponse } from './api-types.js';
import { geminiErrorFromJson } from './errors.js';
import { toFinishReason } from './finish-reason.js';
import { blockedPrompt } from './parse-response.js';
import { readPart } from './parts.js';
import { wrapSignature } from './thought-signature.js';
import { synthesizeToolCallId } from './tool-call-ids.js';
import { toUsage } from './usage.js';

/**
 * Decodes a `streamGenerateContent?alt=sse` body: each `data:` event is a whole
 * GenerateContentResponse. Text and thoughts stream as deltas; a function call arrives whole, so
 * it becomes tool_call_start plus one delta with all its arguments. Usage (repeated, cumulative,
 * on every chunk) is reported once when the body ends; an `error` payload ends the stream.
 */
export function createGeminiStreamDecoder(upstreamModel: string, provider: string): StreamDecoder {
  const sse = createSseDecoder();
  let started = false;
  let stopped = false;
  let usage: Usage | undefined;
  let promptTokens = 0;
  const callsByChoice = new Map<number, number>();
  const finished = new Set<number>();

  const fail = (out: StreamEvent[], error: GatewayError): void => {
    out.push({ type: 'error', error });
    stopped = true;
  };

  const onData = (data: string, out: StreamEvent[]): void => {
    if (stopped || data.trim() === '') return;
    let json: unknown;
    try {
      json = JSON.parse(data);
    } catch {
      return fail(out, new GatewayError('upstream_invalid_response', `${provider}: stream event is not JSON`, { provider }));
    }
    // Without alt=sse Google streams a JSON array; an error may still come that way.
    for (const item of Array.isArray(json) ? json : [json]) {
      if (stopped) return;
      if (typeof item !== 'object' || item === null) continue;
      if ('error' in item) return fail(out, geminiErrorFromJson(provider, 200, {}, item));
      onResponse(item as GeminiGenerateContentResponse, out);
    }
  };

  const onResponse = (response: GeminiGenerateContentResponse, out: StreamEvent[]): void => {
    if (!started) {
      started = true;
      const start: StreamEvent = { type: 'start', model: response.modelVersion ?? upstreamModel };
      if (response.responseId) start.id = response.responseId;
      out.push(start);
    }
    if (response.usageMetadata) {
      usage = toUsage(response.usageMetadata);
      promptTokens = response.usageMetadata.promptTokenCount ?? promptTokens;
    }
    const candidates = response.candidates ?? [];
    if (candidates.length === 0 && response.promptFeedback?.blockReason) return fail(out, blockedPrompt(provider, response));
    candidates.forEach((candidate, position) => onCandidate(candidate, candidate.index ?? position, out));
  };

  const onCandidate = (candidate: GeminiCandidate, choice: number, out: StreamEvent[]): void => {
    if (finished.has(choice)) return;
    for (const raw of candidate.content?.parts ?? []) {
      const part = readPart(raw);
      if (!part) continue;
      if (part.kind === 'text') {
        if (part.text !== '') out.push({ type: 'text', choice, text: part.text });
      } else if (part.kind === 'reasoning') {
        if (part.text === '' && part.signature === undefined) continue;
        const event: StreamEvent = { type: 'reasoning', choice, text: part.text };
        if (part.signature) event.signature = wrapSignature(part.signature);
        out.push(event);
      } else {
        const index = callsByChoice.get(choice) ?? 0;
        callsByChoice.set(choice, index + 1);
        if (part.signature) out.push({ type: 'reasoning', choice, text: '', signature: wrapSignature(part.signature) });
        const id = part.id ?? synthesizeToolCallId({ promptTokens, choice, index, name: part.name, arguments: part.arguments });
        out.push({ type: 'tool_call_start', choice, index, id, name: part.name });
        out.push({ type: 'tool_call_delta', choice, index, arguments: part.arguments });
      }
    }
    if (candidate.finishReason) {
      finished.add(choice);
      out.push({ type: 'finish', choice, reason: toFinishReason(candidate.finishReason, callsByChoice.has(choice)) });
    }
  };

  return {
    push(chunk) {
      const out: StreamEvent[] = [];
      for (const event of sse.push(chunk)) onData(event.data, out);
      return out;
    },
    end() {
      const out: StreamEvent[] = [];
      for (const event of sse.end()) onData(event.data, out);
      if (stopped) return out;
      stopped = true;
      if (finished.size === 0) {
        out.push({
          type: 'error',
          error: new GatewayError('upstream_error', `${provider}: stream ended before a finish reason`, { provider }),
        });
        return out;
      }
      if (usage) out.push({ type: 'usage', usage });
      return out;
    },
  };
}
