import { createHash } from 'node:crypto';
import type { ChatRequest, ContentPart } from '../../ir/chat.js';
import { canonicalJson } from '../key.js';

/** What a cached answer must share with a request besides similar wording: each part hashed, so a rejection can be named. */
export interface PromptGuard {
  /** The system prompt(s), exactly. */
  system: string;
  /** Tool definitions and `tool_choice`. */
  tools: string;
  /** Sampling and output parameters (max tokens, temperature, stop, response format, ...). */
  parameters: string;
  /** The conversation's shape: the roles of its turns, in order. */
  conversation: string;
}

export type GuardPart = keyof PromptGuard;
export const GUARD_PARTS: readonly GuardPart[] = ['system', 'tools', 'parameters', 'conversation'];

/** The text a request is embedded by, and its guard; or why it is not looked up semantically. */
export type SemanticPrompt = { text: string; guard: PromptGuard } | { skip: 'media' | 'too_long' | 'empty' };

/**
 * Text beyond this is not embedded (nor cached semantically): embedding models take ~8k tokens, and
 * a prompt cut to fit could match another that differs only in what was cut.
 */
export const MAX_EMBEDDED_CHARS = 24_000;

/**
 * The conversation's text (every non-system message, one line per turn as `role: text`, tool calls
 * and results included) and the guard. A request with images or other media is not matched by
 * meaning: its wording says nothing about the picture.
 */
export function semanticPromptOf(request: ChatRequest): SemanticPrompt {
  const system: string[] = [];
  const roles: string[] = [];
  let text = '';
  let anyWords = false;
  for (const message of request.messages) {
    const parts = textOfParts(message.content);
    if (parts === undefined) return { skip: 'media' };
    if (message.role === 'system') {
      system.push(parts);
      continue;
    }
    if (parts.trim() !== '') anyWords = true;
    roles.push(message.name === undefined ? message.role : `${message.role}:${message.name}`);
    text += `${text === '' ? '' : '\n'}${message.role}: ${parts}`;
    if (text.length > MAX_EMBEDDED_CHARS) return { skip: 'too_long' };
  }
  if (!anyWords) return { skip: 'empty' };
  return {
    text,
    guard: {
      system: digest(system.join('\n\n')),
      tools: digest(canonicalJson({ tools: request.tools ?? null, choice: request.toolChoice ?? null, parallel: request.parallelToolCalls ?? null })),
      parameters: digest(
        canonicalJson({
          maxTokens: request.maxTokens,
          temperature: request.temperature,
          topP: request.topP,
          topK: request.topK,
          stop: request.stop,
          seed: request.seed,
          n: request.n,
          frequencyPenalty: request.frequencyPenalty,
          presencePenalty: request.presencePenalty,
          responseFormat: request.responseFormat,
          reasoning: request.reasoning,
        }),
      ),
      conversation: digest(roles.join(',')),
    },
  };
}

/** The guard parts two prompts differ in: none when they may share an answer. */
export function guardMismatches(a: PromptGuard, b: PromptGuard): GuardPart[] {
  return GUARD_PARTS.filter((part) => a[part] !== b[part]);
}

/** Text of a message's parts; undefined when one is media. */
function textOfParts(parts: readonly ContentPart[]): string | undefined {
  let out = '';
  for (const part of parts) {
    let piece: string;
    switch (part.type) {
      case 'text':
      case 'reasoning':
        piece = part.text;
        break;
      case 'tool_call':
        piece = `[call ${part.name} ${part.arguments}]`;
        break;
      case 'tool_result': {
        const result = textOfParts(part.content);
        if (result === undefined) return undefined;
        piece = `[result ${result}]`;
        break;
      }
      case 'image':
        return undefined;
    }
    out += out === '' ? piece : `\n${piece}`;
  }
  return out;
}

function digest(text: string): string {
  return createHash('sha256').update(text).digest('base64url').slice(0, 22);
}
