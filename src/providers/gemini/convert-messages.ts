import { parseToolArguments } from '../../ir/tool-arguments.js';
import type { ContentPart, Message, ToolResultPart } from '../../ir/chat.js';
import { GatewayError } from '../../errors/gateway-error.js';
import type { GeminiContent, GeminiPart } from './api-types.js';
import { toMediaPart } from './media.js';
import { isGemma } from './models.js';
import { toolNamesById } from './tool-call-ids.js';
import { SKIP_SIGNATURE_VALIDATOR, requiresFunctionCallSignature, unwrapSignature } from './thought-signature.js';

export interface GeminiConversation {
  contents: GeminiContent[];
  systemInstruction?: { parts: Array<{ text: string }> };
}

/**
 * Turns the IR conversation into Gemini `contents` (roles user/model, consecutive turns of one
 * role merged) plus a `systemInstruction` gathered from every system message. Tool results
 * become functionResponse parts named after the assistant call they answer.
 * Throws `invalid_request` for a tool result whose call id appears nowhere earlier.
 */
export function toGeminiConversation(messages: readonly Message[], model: string): GeminiConversation {
  const names = toolNamesById(messages);
  const signFunctionCalls = requiresFunctionCallSignature(model);
  const systemParts: Array<{ text: string }> = [];
  const contents: GeminiContent[] = [];

  messages.forEach((message, index) => {
    const param = `messages[${index}]`;
    if (message.role === 'system') {
      for (const part of message.content) if (part.type === 'text' && part.text) systemParts.push({ text: part.text });
      return;
    }
    const role = message.role === 'assistant' ? 'model' : 'user';
    const parts =
      message.role === 'assistant'
        ? modelParts(message.content, signFunctionCalls)
        : userParts(message, names, param);
    if (parts.length === 0) return; // Gemini rejects a turn without parts.
    const previous = contents.at(-1);
    if (previous?.role === role) previous.parts!.push(...parts);
    else contents.push({ role, parts });
  });

  if (systemParts.length > 0 && (contents.length === 0 || isGemma(model))) {
    // A system-only conversation (Gemini needs a turn), or a model without system instructions:
    // the system text opens the first user turn.
    if (contents[0]?.role === 'user') contents[0].parts!.unshift(...systemParts);
    else contents.unshift({ role: 'user', parts: systemParts });
    return { contents };
  }
  const conversation: GeminiConversation = { contents };
  if (systemParts.length > 0) conversation.systemInstruction = { parts: systemParts };
  return conversation;
}

function userParts(message: Message, names: Map<string, string>, param: string): GeminiPart[] {
  const parts: GeminiPart[] = [];
  message.content.forEach((part: ContentPart, index) => {
    const partParam = `${param}.content[${index}]`;
    if (part.type === 'text') {
      if (part.text) parts.push({ text: part.text });
    } else if (part.type === 'image') {
      parts.push(toMediaPart(part, partParam));
    } else if (part.type === 'tool_result') {
      parts.push(...toolResultParts(part, names.get(part.toolCallId) ?? message.name, partParam));
    }
    // Reasoning and tool calls only come from the assistant; elsewhere they have no Gemini form.
  });
  return parts;
}

/**
 * A tool result as a functionResponse ({output} or {error}, as Gemini documents) followed by
 * any images it returned as separate inline parts, which every Gemini model accepts.
 */
function toolResultParts(part: ToolResultPart, name: string | undefined, param: string): GeminiPart[] {
  if (!name) {
    throw new GatewayError('invalid_request', `${param}: tool result answers tool call "${part.toolCallId}", which no earlier assistant message made`, {
      param: `${param}.tool_call_id`,
    });
  }
  const text = part.content
    .filter((item) => item.type === 'text')
    .map((item) => item.text)
    .join('\n');
  const response = part.isError ? { error: text } : { output: text };
  const parts: GeminiPart[] = [{ functionResponse: { id: part.toolCallId, name, response } }];
  part.content.forEach((item, index) => {
    if (item.type === 'image') parts.push(toMediaPart(item, `${param}.content[${index}]`));
  });
  return parts;
}

/**
 * Assistant parts as model parts. A signature-only reasoning part (how a functionCall's
 * thoughtSignature reaches clients) is put back on the part after it; when Gemini 3 would see
 * a turn's first function call unsigned, the documented placeholder signature is used.
 */
function modelParts(content: readonly ContentPart[], signFunctionCalls: boolean): GeminiPart[] {
  const parts: GeminiPart[] = [];
  let pendingSignature: string | undefined;
  let sawFunctionCall = false;
  for (const part of content) {
    if (part.type === 'reasoning') {
      const signature = unwrapSignature(part.signature);
      if (part.text) parts.push(withSignature({ text: part.text, thought: true }, signature));
      else if (signature) pendingSignature = signature;
      continue;
    }
    if (part.type === 'text') {
      if (!part.text) continue;
      parts.push(withSignature({ text: part.text }, pendingSignature));
    } else if (part.type === 'tool_call') {
      const placeholder = signFunctionCalls && !sawFunctionCall ? SKIP_SIGNATURE_VALIDATOR : undefined;
      sawFunctionCall = true;
      const functionCall = { id: part.id, name: part.name, args: parseToolArguments(part.arguments) };
      parts.push(withSignature({ functionCall }, pendingSignature ?? placeholder));
    } else {
      continue; // Images or tool results inside an assistant turn have no Gemini form.
    }
    pendingSignature = undefined;
  }
  return parts;
}

function withSignature(part: GeminiPart, signature: string | undefined): GeminiPart {
  return signature === undefined ? part : { ...part, thoughtSignature: signature };
}

