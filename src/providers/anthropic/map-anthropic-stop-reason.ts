import type { FinishReason } from '../../ir/chat.js';

/**
 * Anthropic `stop_reason` → IR finish reason. `pause_turn` (a server tool paused a long turn)
 * ends this answer normally; unknown or missing reasons count as `stop`.
 */
export function mapAnthropicStopReason(reason: string | null | undefined): FinishReason {
  switch (reason) {
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'refusal':
      return 'content_filter';
    default:
      return 'stop';
  }
}
