import type { ChatResponse, Usage } from '../ir/chat.js';
import { StreamTranscript } from '../accounting/transcript.js';
import type { StreamDecoder, StreamEvent, StreamObserver } from '../ir/stream.js';
import { pumpBody, pumpIterable, type FrameSource } from './pump.js';
import type { TargetPlan } from '../config/plan.js';
import type { Provider, UpstreamRequest } from '../providers/types.js';
import { childLink, type AbortLink } from '../upstream/abort.js';
import type { StreamEncoder } from '../dialects/types.js';
import { GatewayError, toGatewayError } from '../errors/gateway-error.js';
import { readBody, transportError, type UpstreamResponse } from '../upstream/http.js';
import { callProvider, parseProviderJson } from './upstream-call.js';
import type { AttemptRecord, RequestContext } from './context.js';
import { observeEvent } from './observe.js';
import { translatedSource } from './translated-stream.js';

/** What the client gets from one successful upstream call. */
export type ChatOutcome =
  | { kind: 'complete'; payload: string | Buffer }
  | { kind: 'stream'; source: FrameSource };

/**
 * Makes one upstream call for `target` and returns the answer in the client's wire format.
 * Throws a GatewayError when the call fails before anything reached the client, so routing may
 * try another target. Same-dialect pairs pass bytes through and only observe them.
 */
export async function openChat(ctx: RequestContext, target: TargetPlan, signal: AbortLink = ctx.signal, attempt?: AttemptRecord): Promise<ChatOutcome> {
  const { provider, model } = target;
  const { stream } = ctx.envelope;
  if (provider.local) return openLocal(ctx, provider, model);

  // A resumable stream must be decoded to know what text the client already has.
  const resumable = stream && target.modelPlan.resumeStreams;
  // Guarded answers (output guardrails, masks to restore) are decoded: their text must be read.
  const passthrough =
    !ctx.rewritten &&
    !resumable &&
    ctx.outputGuard === undefined &&
    provider.nativeDialect === ctx.dialect.name &&
    provider.buildPassthroughRequest !== undefined;
  // The gateway meters every stream: ask for usage on the client's behalf, and hide it from them again.
  let hideUsage = false;
  let payload: string | Buffer | undefined;
  if (passthrough) {
    payload = bodyForModel(ctx, model);
    const metered = stream && !ctx.envelope.streamUsage ? provider.withStreamUsage?.(payload, ctx.body) : undefined;
    if (metered !== undefined) {
      payload = metered;
      hideUsage = true;
    }
  }
  const built = passthrough
    ? provider.buildPassthroughRequest!(payload!, stream, model, ctx.clientHeaders)
    : provider.buildChatRequest(ctx.request, model);
  // Only signing providers (Bedrock) build asynchronously; don't spend a microtask on the rest.
  const upstreamRequest = built instanceof Promise ? await built : built;
  // A stream "answers" at its first byte: until then nothing reached the client, so a stall (with a
  // first-token deadline), a lost hedge race or a connection dropped before any byte can still fall over.
  const { firstTokenTimeoutMs, hedgeAfterMs } = target.modelPlan;
  const traceHeaders = attempt?.traceHeaders;
  let response: UpstreamResponse;
  if (stream && (firstTokenTimeoutMs !== undefined || hedgeAfterMs !== undefined)) {
    response = await callUntilFirstByte(signal, provider, upstreamRequest, firstTokenTimeoutMs, traceHeaders);
  } else {
    response = await callProvider(provider, upstreamRequest, signal, traceHeaders);
    if (stream) await response.body.ready();
  }
  const droppedEarly = stream ? response.body.failedEmpty() : undefined;
  if (droppedEarly !== undefined) throw transportError(droppedEarly, provider.config.name, signal);
  ctx.status = response.status;

  if (!stream) {
    const body = await readBody(response.body, provider.config.name, signal);
    ctx.firstByteAt ??= performance.now();
    if (passthrough) {
      // The client gets the bytes as they came; only the usage is read, from the raw body if the provider
      // can. The whole answer is parsed only when the response cache is to keep it.
      if (ctx.cacheDecision) {
        usageOrText(ctx, (ctx.cacheResponse = provider.parseChatResponse(parseProviderJson(provider, body), model)));
      } else {
        const usage = provider.parseUsage?.(body) ?? usageOrText(ctx, provider.parseChatResponse(parseProviderJson(provider, body), model));
        if (usage) ctx.usage = usage;
      }
      return { kind: 'complete', payload: body };
    }
    const ir = guardAnswer(ctx, provider.parseChatResponse(parseProviderJson(provider, body), model));
    if (ctx.cacheDecision) ctx.cacheResponse = ir;
    usageOrText(ctx, ir);
    return { kind: 'complete', payload: JSON.stringify(ctx.dialect.encodeChatResponse(ir)) };
  }
  if (passthrough) return { kind: 'stream', source: passthroughSource(ctx, provider, model, response, hideUsage) };
  return { kind: 'stream', source: translatedSource(ctx, provider, model, response.body, encoderFor(ctx, model), resumable) };
}

/**
 * A JSON answer through the output guardrails. A refusal is kept on the context, not thrown: the
 * provider did answer, so routing must not try another target; the handler fails the request.
 */
function guardAnswer(ctx: RequestContext, response: ChatResponse): ChatResponse {
  if (!ctx.outputGuard) return response;
  try {
    return ctx.outputGuard.response(response);
  } catch (error) {
    ctx.outputBlocked = toGatewayError(error);
    return response;
  }
}

/** Notes a JSON answer's usage, or keeps its text for an estimate when the provider gave none. */
function usageOrText(ctx: RequestContext, response: ChatResponse): Usage | undefined {
  if (response.usage) return (ctx.usage = response.usage);
  const transcript = (ctx.transcript = new StreamTranscript());
  for (const choice of response.choices) {
    for (const part of choice.content) {
      if (part.type === 'text' || part.type === 'reasoning') transcript.pushText(part.text);
      else if (part.type === 'tool_call') transcript.pushText(part.name + part.arguments);
    }
  }
  return undefined;
}

/**
 * A stream call that returns only once its first body byte is in: until then nothing reached the
 * client, so a stall past `first_token_timeout_ms` is an error routing can fall over on, and a
 * hedge race is won by the first byte, not by headers. The call gets its own link (fired by the
 * caller's or by the timer) so only this attempt is torn down.
 */
async function callUntilFirstByte(
  signal: AbortLink,
  provider: Provider,
  upstream: UpstreamRequest,
  timeoutMs: number | undefined,
  traceHeaders: Readonly<Record<string, string>> | undefined,
): Promise<UpstreamResponse> {
  const link = childLink(signal);
  const timer =
    timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          const message = `${provider.config.name}: no first byte within first_token_timeout_ms (${timeoutMs} ms)`;
          link.abort(new GatewayError('upstream_timeout', message, { provider: provider.config.name, retryable: false, firstTokenTimeout: true }));
        }, timeoutMs);
  try {
    const response = await callProvider(provider, upstream, link, traceHeaders);
    await response.body.ready();
    if (link.aborted && !signal.aborted) throw link.reason;
    return response;
  } finally {
    clearTimeout(timer);
  }
}

/** The client's body with `model` rewritten; the original bytes when nothing changes. */
function bodyForModel(ctx: RequestContext, model: string): string | Buffer {
  if (ctx.body.model === model) return ctx.rawBody;
  return JSON.stringify({ ...ctx.body, model });
}

function encoderFor(ctx: RequestContext, model: string): StreamEncoder {
  return ctx.dialect.createStreamEncoder({
    id: ctx.id,
    model,
    includeUsage: ctx.envelope.streamUsage,
    created: Math.floor(Date.now() / 1000),
  });
}

/** Same dialect: the upstream bytes go to the client untouched; an observer only watches them. */
function passthroughSource(
  ctx: RequestContext,
  provider: Provider,
  model: string,
  response: UpstreamResponse,
  hideUsage: boolean,
): FrameSource {
  const observer = provider.createStreamObserver?.({ hideUsage }) ?? observerFromDecoder(provider.createStreamDecoder(model));
  const transcript = (ctx.transcript = new StreamTranscript());
  return {
    pipe: (sink) =>
      pumpBody(response.body, sink, {
        onChunk(chunk) {
          ctx.firstByteAt ??= performance.now();
          transcript.pushRaw(chunk);
          return observer.push(chunk);
        },
        stopped: () => false,
        onEnd(error) {
          const seen = observer.end();
          if (seen.usage) ctx.usage = seen.usage;
          if (seen.error) ctx.error = seen.error;
          // A broken upstream: the client already has native bytes, so the stream just ends there.
          if (error !== undefined && !ctx.signal.aborted) ctx.error ??= transportError(error, provider.config.name);
          return seen.tail ?? '';
        },
      }),
  };
}

/** A full decoder used as an observer, for providers without a cheaper one. */
function observerFromDecoder(decoder: StreamDecoder): StreamObserver {
  const seen: { usage?: Usage; error?: GatewayError } = {};
  const note = (events: StreamEvent[]): void => {
    for (const event of events) {
      if (event.type === 'usage') seen.usage = event.usage;
      else if (event.type === 'error') seen.error = event.error;
    }
  };
  return {
    push: (chunk) => {
      note(decoder.push(chunk));
      return chunk;
    },
    end: () => {
      note(decoder.end());
      return seen;
    },
  };
}

/** Encodes a batch of events (in-process providers); an error event ends the stream with the dialect's error frame. */
function encodeEvents(ctx: RequestContext, events: StreamEvent[], encoder: StreamEncoder): string {
  let out = '';
  for (const event of events) {
    observeEvent(ctx, event);
    if (event.type === 'error') return out + encoder.error(event.error);
    out += encoder.encode(event);
  }
  return out;
}

/** In-process providers (mock): same encoding path, no HTTP. */
async function openLocal(ctx: RequestContext, provider: Provider, model: string): Promise<ChatOutcome> {
  const local = provider.local!;
  if (!ctx.envelope.stream) {
    const response = guardAnswer(ctx, await local.complete(ctx.request, model, ctx.signal));
    ctx.firstByteAt ??= performance.now();
    if (ctx.cacheDecision) ctx.cacheResponse = response;
    if (response.usage) ctx.usage = response.usage;
    return { kind: 'complete', payload: JSON.stringify(ctx.dialect.encodeChatResponse(response)) };
  }
  const events = local.stream(ctx.request, model, ctx.signal);
  const encoder = encoderFor(ctx, model);
  const guard = ctx.outputGuard?.stream();
  async function* frames(): AsyncGenerator<string> {
    try {
      for await (const event of events) {
        ctx.firstByteAt ??= performance.now();
        const text = encodeEvents(ctx, guard ? guard.push(event) : [event], encoder);
        if (text) yield text;
        if (ctx.error) return;
      }
      if (guard) {
        const text = encodeEvents(ctx, guard.end(), encoder);
        if (text) yield text;
        if (ctx.error) return;
      }
      yield encoder.end();
    } catch (error) {
      if (ctx.signal.aborted) return;
      ctx.error = toGatewayError(error);
      yield encoder.error(ctx.error);
    }
  }
  return { kind: 'stream', source: { pipe: (sink) => pumpIterable(frames(), sink) } };
}
