import type { RequestSignal } from '../../upstream/abort.js';
import { countTextTokens as countTokens } from '../../accounting/tokenizer.js';
import type { ChatRequest, ChatResponse, EmbeddingsRequest, EmbeddingsResponse, Usage } from '../../ir/chat.js';
import type { StreamEvent } from '../../ir/stream.js';
import { GatewayError } from '../../errors/gateway-error.js';
import type { LocalChat, Provider, ProviderConfig, ProviderType } from '../types.js';
import { mockAnswer } from './respond.js';

const MODELS: readonly string[] = ['echo', 'lorem'];

/**
 * The `mock` provider answers in-process, deterministically: `echo` repeats the last user
 * message, `lorem` writes lorem ipsum. For the quick start and for users' own tests.
 */
function createMockProvider(config: ProviderConfig): Provider {
  const local: LocalChat = {
    async complete(request, upstreamModel) {
      checkModel(upstreamModel);
      return buildResponse(request, upstreamModel);
    },
    stream(request, upstreamModel, signal) {
      checkModel(upstreamModel);
      return streamResponse(request, upstreamModel, signal);
    },
    async embed(request, upstreamModel) {
      return embed(request, upstreamModel);
    },
  };
  const notHttp = (): never => {
    throw new GatewayError('internal_error', 'the mock provider answers in-process');
  };
  return {
    config,
    local,
    knownModels: MODELS,
    buildChatRequest: notHttp,
    parseChatResponse: notHttp,
    createStreamDecoder: notHttp,
    parseError: () => new GatewayError('internal_error', 'the mock provider answers in-process'),
  };
}

function checkModel(model: string): void {
  if (!MODELS.includes(model)) {
    throw new GatewayError('upstream_not_found', `mock: unknown model "${model}" (the mock serves "echo" and "lorem")`, {
      provider: 'mock',
      upstreamStatus: 404,
    });
  }
}

function buildResponse(request: ChatRequest, model: string): ChatResponse {
  const answer = mockAnswer(request, model);
  const choices = Array.from({ length: request.n ?? 1 }, (_, index) => ({
    index,
    content:
      answer.kind === 'tool'
        ? [{ type: 'tool_call' as const, id: toolCallId(index), name: answer.name, arguments: answer.arguments }]
        : [{ type: 'text' as const, text: answer.text }],
    finishReason: answer.kind === 'tool' ? ('tool_calls' as const) : answer.truncated ? ('length' as const) : ('stop' as const),
  }));
  return { id: 'mock-' + Date.now().toString(36), model, created: Math.floor(Date.now() / 1000), choices, usage: usageFor(request, answer) };
}

async function* streamResponse(request: ChatRequest, model: string, signal: RequestSignal): AsyncIterable<StreamEvent> {
  const response = buildResponse(request, model);
  yield { type: 'start', id: response.id, model };
  for (const choice of response.choices) {
    for (const part of choice.content) {
      if (part.type === 'text') {
        for (const word of part.text.split(/(?<=\s)/)) {
          if (signal.aborted) return;
          yield { type: 'text', choice: choice.index, text: word };
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
      } else if (part.type === 'tool_call') {
        yield { type: 'tool_call_start', choice: choice.index, index: 0, id: part.id, name: part.name };
        yield { type: 'tool_call_delta', choice: choice.index, index: 0, arguments: part.arguments };
      }
    }
    yield { type: 'finish', choice: choice.index, reason: choice.finishReason };
  }
  if (response.usage) yield { type: 'usage', usage: response.usage };
}

function usageFor(request: ChatRequest, answer: ReturnType<typeof mockAnswer>): Usage {
  const promptText = request.messages
    .flatMap((message) => message.content)
    .map((part) => (part.type === 'text' ? part.text : part.type === 'tool_call' ? part.arguments : ''))
    .join('\n');
  const output = answer.kind === 'tool' ? answer.arguments : answer.text;
  return { inputTokens: countTokens(promptText), outputTokens: countTokens(output) * (request.n ?? 1) };
}

function toolCallId(choice: number): string {
  return `call_mock_${choice}`;
}

/** Deterministic unit vectors: the same text always embeds to the same vector. */
function embed(request: EmbeddingsRequest, model: string): EmbeddingsResponse {
  const dimensions = request.dimensions ?? 16;
  const data = request.input.map((text, index) => ({ index, embedding: hashVector(text, dimensions) }));
  return { model, data, usage: { inputTokens: request.input.reduce((sum, text) => sum + countTokens(text), 0) } };
}

function hashVector(text: string, dimensions: number): number[] {
  let seed = 2166136261;
  for (let i = 0; i < text.length; i++) seed = Math.imul(seed ^ text.charCodeAt(i), 16777619);
  const vector: number[] = [];
  for (let i = 0; i < dimensions; i++) {
    seed = Math.imul(seed ^ (seed >>> 13), 1274126177) + i;
    vector.push(((seed >>> 0) % 20001) / 10000 - 1);
  }
  const norm = Math.hypot(...vector) || 1;
  return vector.map((value) => value / norm);
}

export const mockProviderType: ProviderType = {
  type: 'mock',
  create: createMockProvider,
  defaultBaseUrl: 'mock://local',
};
