import type { ChatRequest } from '../../ir/chat.js';
import type { GeminiGenerateContentRequest } from './api-types.js';
import { toGeminiConversation } from './convert-messages.js';
import { toGeminiToolConfig, toGeminiTools } from './convert-tools.js';
import { toGenerationConfig } from './generation-config.js';

/**
 * The whole generateContent / streamGenerateContent body for an IR chat request (the same body
 * serves both; only the URL differs).
 */
export function toGenerateContentRequest(request: ChatRequest, upstreamModel: string): GeminiGenerateContentRequest {
  const { contents, systemInstruction } = toGeminiConversation(request.messages, upstreamModel);
  const body: GeminiGenerateContentRequest = { contents };
  if (systemInstruction) body.systemInstruction = systemInstruction;
  if (request.tools && request.tools.length > 0) {
    body.tools = toGeminiTools(request.tools);
    if (request.toolChoice) body.toolConfig = toGeminiToolConfig(request.toolChoice);
  }
  const generationConfig = toGenerationConfig(request, upstreamModel);
  if (generationConfig) body.generationConfig = generationConfig;
  return body;
}
