import { randomUUID } from 'node:crypto';
import type { AssistantPart, ChatResponse } from '../../ir/chat.js';
import { GatewayError } from '../../errors/gateway-error.js';
import type { BedrockConverseResponse, BedrockOutputBlock } from './api-types.js';
import { JSON_RESPONSE_TOOL } from './convert-tools.js';
import { mapStopReason, stopSequenceFrom } from './map-stop-reason.js';
import { mapUsage } from './map-usage.js';

/**
 * Converts a Converse answer to the IR. Converse has no response id, so one is generated. A call
 * of the JSON-response tool is the answer itself: it becomes text, and the turn a normal stop.
 */
export function parseConverseResponse(body: unknown, upstreamModel: string): ChatResponse {
  if (!body || typeof body !== 'object') {
    throw new GatewayError('upstream_invalid_response', 'Bedrock answered with a body that is not a JSON object');
  }
  const response = body as BedrockConverseResponse;
  const content: AssistantPart[] = [];
  let jsonAnswer = false;
  for (const block of response.output?.message?.content ?? []) {
    const part = convertBlock(block);
    if (!part) continue;
    if (part.type === 'tool_call' && part.name === JSON_RESPONSE_TOOL) {
      jsonAnswer = true;
      content.push({ type: 'text', text: part.arguments });
    } else {
      content.push(part);
    }
  }
  const onlyJsonCalled = jsonAnswer && !content.some((part) => part.type === 'tool_call');
  let finishReason = mapStopReason(response.stopReason);
  if (onlyJsonCalled && finishReason === 'tool_calls') finishReason = 'stop';

  const result: ChatResponse = {
    id: `bedrock-${randomUUID()}`,
    model: upstreamModel,
    created: Math.floor(Date.now() / 1000),
    choices: [{ index: 0, content, finishReason }],
  };
  const stopSequence = stopSequenceFrom(response.additionalModelResponseFields);
  if (stopSequence !== undefined) result.choices[0]!.stopSequence = stopSequence;
  const usage = mapUsage(response.usage);
  if (usage) result.usage = usage;
  return result;
}

function convertBlock(block: BedrockOutputBlock): AssistantPart | undefined {
  if (typeof block.text === 'string') return { type: 'text', text: block.text };
  if (block.toolUse) {
    const { toolUseId = '', name = '', input } = block.toolUse;
    return { type: 'tool_call', id: toolUseId, name, arguments: JSON.stringify(input ?? {}) };
  }
  const reasoning = block.reasoningContent;
  if (reasoning?.reasoningText) {
    const part: AssistantPart = { type: 'reasoning', text: reasoning.reasoningText.text ?? '' };
    if (reasoning.reasoningText.signature !== undefined) part.signature = reasoning.reasoningText.signature;
    return part;
  }
  if (typeof reasoning?.redactedContent === 'string') return { type: 'reasoning', text: '', redacted: reasoning.redactedContent };
  return undefined; // citations, guard content and future block types carry nothing the IR has
}
