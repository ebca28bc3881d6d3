import type { AssistantPart, ChatResponse } from '../../ir/chat.js';
import { GatewayError } from '../../errors/gateway-error.js';
import type { AnthropicWireBlock, AnthropicWireMessage } from './anthropic-api-types.js';
import { JSON_RESPONSE_TOOL } from './json-response-tool.js';
import { mapAnthropicStopReason } from './map-anthropic-stop-reason.js';
import { emptyUsageTotals, mergeUsage, toIrUsage } from './map-anthropic-usage.js';

function toPart(block: AnthropicWireBlock): AssistantPart | undefined {
  switch (block.type) {
    case 'text':
      return { type: 'text', text: block.text ?? '' };
    case 'tool_use': {
      const input = JSON.stringify(block.input ?? {});
      if (block.name === JSON_RESPONSE_TOOL) return { type: 'text', text: input };
      return { type: 'tool_call', id: block.id ?? '', name: block.name ?? '', arguments: input };
    }
    case 'thinking': {
      const part: AssistantPart = { type: 'reasoning', text: block.thinking ?? '' };
      if (block.signature) part.signature = block.signature;
      return part;
    }
    case 'redacted_thinking':
      return { type: 'reasoning', text: '', redacted: block.data ?? '' };
    default:
      // Server-tool blocks (web search results ...) have no IR form.
      return undefined;
  }
}

/**
 * A non-streaming Anthropic `message` → IR response. The JSON answer tool's input becomes the
 * answer text, and a turn that only called it finished with `stop`, not `tool_calls`.
 */
export function parseMessagesResponse(body: unknown, upstreamModel: string): ChatResponse {
  const message = body as AnthropicWireMessage | null;
  if (!message || typeof message !== 'object' || !Array.isArray(message.content)) {
    throw new GatewayError('upstream_invalid_response', 'anthropic: response has no content array');
  }
  const content = message.content.flatMap((block) => toPart(block) ?? []);
  let finishReason = mapAnthropicStopReason(message.stop_reason);
  if (finishReason === 'tool_calls' && !content.some((part) => part.type === 'tool_call')) finishReason = 'stop';
  const totals = emptyUsageTotals();
  mergeUsage(totals, message.usage);
  const choice: ChatResponse['choices'][number] = { index: 0, content, finishReason };
  if (typeof message.stop_sequence === 'string') choice.stopSequence = message.stop_sequence;
  return {
    id: message.id ?? '',
    model: message.model ?? upstreamModel,
    created: Math.floor(Date.now() / 1000),
    choices: [choice],
    usage: toIrUsage(totals),
  };
}
