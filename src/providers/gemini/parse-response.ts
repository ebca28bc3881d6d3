import { randomUUID } from 'node:crypto';
import type { AssistantPart, ChatChoice, ChatResponse } from '../../ir/chat.js';
import { GatewayError } from '../../errors/gateway-error.js';
import type { GeminiCandidate, GeminiGenerateContentResponse } from './api-types.js';
import { geminiErrorFromJson } from './errors.js';
import { toFinishReason } from './finish-reason.js';
import { readPart } from './parts.js';
import { wrapSignature } from './thought-signature.js';
import { synthesizeToolCallId } from './tool-call-ids.js';
import { toUsage } from './usage.js';

/**
 * A non-streaming GenerateContentResponse as an IR response: one choice per candidate, tool-call
 * ids kept or synthesised, a functionCall's thoughtSignature carried as a signature-only
 * reasoning part just before the call. Throws `content_filtered` when the prompt was blocked.
 */
export function toChatResponse(body: unknown, upstreamModel: string, provider: string): ChatResponse {
  if (typeof body !== 'object' || body === null) {
    throw new GatewayError('upstream_invalid_response', `${provider}: answer is not a JSON object`, { provider });
  }
  if ('error' in body) throw geminiErrorFromJson(provider, 200, {}, body);
  const response = body as GeminiGenerateContentResponse;
  const candidates = response.candidates ?? [];
  if (candidates.length === 0) throw blockedPrompt(provider, response);
  const promptTokens = response.usageMetadata?.promptTokenCount ?? 0;
  const result: ChatResponse = {
    id: response.responseId ?? `gemini-${randomUUID()}`,
    model: response.modelVersion ?? upstreamModel,
    created: Math.floor(Date.now() / 1000),
    choices: candidates.map((candidate, position) => toChoice(candidate, candidate.index ?? position, promptTokens)),
  };
  if (response.usageMetadata) result.usage = toUsage(response.usageMetadata);
  return result;
}

/** The error for an answer without candidates: a prompt filter when Gemini names one. */
export function blockedPrompt(provider: string, response: GeminiGenerateContentResponse): GatewayError {
  const reason = response.promptFeedback?.blockReason;
  if (reason) {
    const detail = response.promptFeedback?.blockReasonMessage;
    return new GatewayError('content_filtered', `${provider}: prompt blocked (${reason})${detail ? `: ${detail}` : ''}`, {
      provider,
      upstreamStatus: 200,
    });
  }
  return new GatewayError('upstream_invalid_response', `${provider}: answer has no candidates`, { provider, upstreamStatus: 200 });
}

function toChoice(candidate: GeminiCandidate, index: number, promptTokens: number): ChatChoice {
  const content: AssistantPart[] = [];
  let calls = 0;
  for (const raw of candidate.content?.parts ?? []) {
    const part = readPart(raw);
    const last = content.at(-1);
    if (!part) continue;
    if (part.kind === 'text') {
      if (part.text === '') continue;
      if (last?.type === 'text') last.text += part.text;
      else content.push({ type: 'text', text: part.text });
    } else if (part.kind === 'reasoning') {
      if (part.text === '' && part.signature === undefined) continue;
      // Consecutive thought parts are one block, unless the earlier one was sealed by a signature.
      if (last?.type === 'reasoning' && last.signature === undefined) last.text += part.text;
      else content.push({ type: 'reasoning', text: part.text });
      if (part.signature) (content.at(-1) as { signature?: string }).signature = wrapSignature(part.signature);
    } else {
      if (part.signature) content.push({ type: 'reasoning', text: '', signature: wrapSignature(part.signature) });
      const id = part.id ?? synthesizeToolCallId({ promptTokens, choice: index, index: calls, name: part.name, arguments: part.arguments });
      content.push({ type: 'tool_call', id, name: part.name, arguments: part.arguments });
      calls += 1;
    }
  }
  return { index, content, finishReason: toFinishReason(candidate.finishReason ?? 'STOP', calls > 0) };
}
