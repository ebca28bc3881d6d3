import type { FinishReason } from '../../ir/chat.js';

/**
 * Maps a Converse `stopReason` to the IR finish reason. Guardrail and content-filter stops both
 * mean the output was withheld; a full context window truncated the answer like `max_tokens`.
 * Unknown future values read as a normal stop rather than failing a finished answer.
 */
export function mapStopReason(stopReason: string | undefined): FinishReason {
  switch (stopReason) {
    case 'tool_use':
      return 'tool_calls';
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'guardrail_intervened':
    case 'content_filtered':
      return 'content_filter';
    case 'malformed_model_output':
    case 'malformed_tool_use':
      return 'error';
    default:
      return 'stop';
  }
}

/**
 * The stop sequence that fired, when the model reports it in its additional response fields
 * (Anthropic models on Bedrock put `stop_sequence` there, sometimes under `delta`).
 */
export function stopSequenceFrom(fields: Record<string, unknown> | undefined): string | undefined {
  if (!fields) return undefined;
  const direct = fields.stop_sequence;
  if (typeof direct === 'string') return direct;
  const delta = fields.delta;
  if (delta && typeof delta === 'object') {
    const nested = (delta as Record<string, unknown>).stop_sequence;
    if (typeof nested === 'string') return nested;
  }
  return undefined;
}
