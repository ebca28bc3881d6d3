import type http from 'node:http';
import { encodeEventStreamMessage } from '../../src/protocol/aws-eventstream.js';
import type { FakeScript } from './types.js';
import { pieces, sleep } from './server.js';

/** Renders a FakeScript as Bedrock Converse answers: a JSON body, or ConverseStream binary frames. */

interface Answer {
  text: string;
  reasoning: string;
  toolCalls: NonNullable<FakeScript['toolCalls']>;
  stopReason: string;
  usage: Record<string, number>;
}

const STOP_REASONS = { stop: 'end_turn', length: 'max_tokens', tool_calls: 'tool_use', content_filter: 'content_filtered', error: 'malformed_model_output' } as const;
export const FAKE_REASONING_SIGNATURE = 'ErcBCkgIAhABGAIiQFakeSignature==';

function render(script: FakeScript): Answer {
  const toolCalls = script.toolCalls ?? [];
  const text = script.text ?? (toolCalls.length > 0 ? '' : 'Hello from bedrock');
  const reasoning = script.reasoning ?? '';
  const size = script.chunkChars ?? 4;
  const output = script.usage?.output ?? pieces(reasoning + text, size).length + toolCalls.length;
  const input = script.usage?.input ?? 10;
  const cached = script.usage?.cached;
  // Bedrock's inputTokens leaves out the tokens read from the prompt cache.
  const usage: Record<string, number> = { inputTokens: input - (cached ?? 0), outputTokens: output, totalTokens: input + output };
  if (cached !== undefined) {
    usage.cacheReadInputTokens = cached;
    usage.cacheWriteInputTokens = 0;
  }
  return { text, reasoning, toolCalls, stopReason: STOP_REASONS[script.finishReason ?? (toolCalls.length > 0 ? 'tool_calls' : 'stop')], usage };
}

/** Sends the non-streaming Converse answer. */
export function sendConverse(response: http.ServerResponse, script: FakeScript, requestId: string): void {
  const answer = render(script);
  const content: unknown[] = [];
  if (answer.reasoning) content.push({ reasoningContent: { reasoningText: { text: answer.reasoning, signature: FAKE_REASONING_SIGNATURE } } });
  if (answer.text) content.push({ text: answer.text });
  for (const call of answer.toolCalls) content.push({ toolUse: { toolUseId: call.id, name: call.name, input: JSON.parse(call.arguments || '{}') } });
  const body = { output: { message: { role: 'assistant', content } }, stopReason: answer.stopReason, usage: answer.usage, metrics: { latencyMs: 42 } };
  response.writeHead(200, { 'content-type': 'application/json', 'x-amzn-requestid': requestId });
  response.end(JSON.stringify(body));
}

interface Frame {
  bytes: Uint8Array;
  /** A content piece (text, reasoning or tool-input delta), counted by failAfterChunks. */
  piece: boolean;
}

/** Real Bedrock pads every event with a random `p` field to hide payload sizes. */
function eventFrame(type: string, payload: Record<string, unknown>, piece = false): Frame {
  const body = JSON.stringify({ ...payload, p: 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJ'.slice(0, 5 + (type.length % 20)) });
  return { bytes: encodeEventStreamMessage({ ':event-type': type, ':content-type': 'application/json', ':message-type': 'event' }, body), piece };
}

/** An in-stream exception frame, as ConverseStream sends `modelStreamErrorException` and friends. */
export function exceptionFrame(exceptionType: string, body: Record<string, unknown>): Uint8Array {
  return encodeEventStreamMessage({ ':exception-type': exceptionType, ':content-type': 'application/json', ':message-type': 'exception' }, JSON.stringify(body));
}

function streamFrames(script: FakeScript): Frame[] {
  const answer = render(script);
  const size = script.chunkChars ?? 4;
  const frames: Frame[] = [eventFrame('messageStart', { role: 'assistant' })];
  let block = 0;
  if (answer.reasoning) {
    for (const text of pieces(answer.reasoning, size)) frames.push(eventFrame('contentBlockDelta', { contentBlockIndex: block, delta: { reasoningContent: { text } } }, true));
    frames.push(eventFrame('contentBlockDelta', { contentBlockIndex: block, delta: { reasoningContent: { signature: FAKE_REASONING_SIGNATURE } } }));
    frames.push(eventFrame('contentBlockStop', { contentBlockIndex: block++ }));
  }
  if (answer.text) {
    for (const text of pieces(answer.text, size)) frames.push(eventFrame('contentBlockDelta', { contentBlockIndex: block, delta: { text } }, true));
    frames.push(eventFrame('contentBlockStop', { contentBlockIndex: block++ }));
  }
  for (const call of answer.toolCalls) {
    frames.push(eventFrame('contentBlockStart', { contentBlockIndex: block, start: { toolUse: { toolUseId: call.id, name: call.name } } }));
    for (const input of pieces(call.arguments, size)) frames.push(eventFrame('contentBlockDelta', { contentBlockIndex: block, delta: { toolUse: { input } } }, true));
    frames.push(eventFrame('contentBlockStop', { contentBlockIndex: block++ }));
  }
  frames.push(eventFrame('messageStop', { stopReason: answer.stopReason }));
  frames.push(eventFrame('metadata', { usage: answer.usage, metrics: { latencyMs: 42 } }));
  return frames;
}

/**
 * Streams the ConverseStream answer. Bytes go out in slices cut at random offsets, across frame
 * boundaries too; pending bytes are flushed before any delay so timing tests still see each frame.
 */
export async function streamConverse(response: http.ServerResponse, script: FakeScript, state: { closed: boolean }, requestId: string, seed: number): Promise<void> {
  const random = mulberry32(seed);
  response.writeHead(200, { 'content-type': 'application/vnd.amazon.eventstream', 'x-amzn-requestid': requestId });
  let carry: Uint8Array = new Uint8Array(0);
  const send = (bytes: Uint8Array, flush: boolean): void => {
    const joined = Buffer.concat([carry, bytes]);
    const cut = flush ? joined.length : Math.floor(random() * (joined.length + 1));
    if (cut > 0) response.write(joined.subarray(0, cut));
    carry = joined.subarray(cut);
  };
  let sent = 0;
  for (const frame of streamFrames(script)) {
    if (state.closed) return;
    if (frame.piece && script.failAfterChunks !== undefined && sent >= script.failAfterChunks) {
      send(new Uint8Array(0), true);
      if (script.failMode === 'disconnect') {
        response.socket?.destroy();
        return;
      }
      // With failAfterChunks, `error` shapes the in-stream exception (e.g. type throttlingException).
      const type = script.error?.type ?? 'modelStreamErrorException';
      const message = script.error?.message ?? 'The model stream failed.';
      response.end(exceptionFrame(type, { message, originalStatusCode: 500, originalMessage: message }));
      return;
    }
    send(frame.bytes, Boolean(script.chunkDelayMs));
    if (frame.piece) {
      sent++;
      if (script.chunkDelayMs) await sleep(script.chunkDelayMs);
    }
  }
  if (state.closed) return;
  response.end(carry);
}

/** A small seeded PRNG so a failing split can be reproduced. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
