import type { Usage } from '../../ir/chat.js';
import type { StreamObserver } from '../../ir/stream.js';
import type { GatewayError } from '../../errors/gateway-error.js';
import { createSseDecoder } from '../../protocol/sse.js';
import type { OpenAIChatCompletion } from './api-types.js';
import { mapUsage } from './map-usage.js';
import { streamError } from './stream-decoder.js';

/**
 * Watches a passed-through chat.completion.chunk stream for its usage chunk and in-stream errors.
 * Frames every event but parses JSON only for events that carry a non-null `usage` or an
 * `error`: a content delta costs a substring search, not a parse.
 */
export function createOpenAIStreamObserver(provider: string): StreamObserver {
  const sse = createSseDecoder();
  let usage: Usage | undefined;
  let error: GatewayError | undefined;
  const scan = (data: string): void => {
    if (!mayCarryUsage(data) && !data.includes('"error"')) return;
    let chunk: OpenAIChatCompletion;
    try {
      chunk = JSON.parse(data) as OpenAIChatCompletion;
    } catch {
      return; // [DONE], keep-alives and anything unparseable reach the client as they are.
    }
    if (chunk?.usage) usage = mapUsage(chunk.usage);
    if (chunk?.error) error = streamError(provider, chunk);
  };
  return {
    push(chunk) {
      for (const event of sse.push(chunk)) scan(event.data);
    },
    end() {
      for (const event of sse.end()) scan(event.data);
      return { ...(usage && { usage }), ...(error && { error }) };
    },
  };
}

/** True when `"usage"` appears with a value other than null (OpenAI sends `"usage":null` on every content chunk). */
function mayCarryUsage(data: string): boolean {
  const at = data.lastIndexOf('"usage"');
  if (at === -1) return false;
  let i = at + 7;
  while (data[i] === ' ' || data[i] === ':') i++;
  return data[i] !== 'n';
}
