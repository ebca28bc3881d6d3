import type { FinishReason } from '../../ir/chat.js';

/** OpenAI-family finish reason → IR. Legacy `function_call` is a tool call; unknown values end normally. */
export function mapFinishReason(reason: string | null | undefined): FinishReason {
  switch (reason) {
    case 'length':
      return 'length';
    case 'tool_calls':
    case 'function_call':
      return 'tool_calls';
    case 'content_filter':
      return 'content_filter';
    default:
      return 'stop';
  }
}
