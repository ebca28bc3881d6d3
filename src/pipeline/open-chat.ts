import type { RequestSignal } from '../upstream/abort.js';
import type { StreamEvent } from '../ir/stream.js';
import type { TargetPlan } from '../config/plan.js';
import type { Provider } from '../providers/types.js';
import type { StreamEncoder } from '../dialects/types.js';
import { GatewayError, toGatewayError } from '../errors/gateway-error.js';
import { readBody, sendUpstream, transportError, type UpstreamResponse } from '../upstream/http.js';
import type { RequestContext } from './context.js';
import { observeEvent } from './observe.js';

/** What the client gets from one successful upstream call. */
export type ChatOutcome =
  | { kind: 'complete'; payload: string | Buffer }
  | { kind: 'stream'; frames: AsyncIterable<string | Uint8Array> };

/**
 * Makes one upstream call for `target` and returns the answer in the client's wire format.
 * Throws a GatewayError when the call fails before anything reached the client, so routing may
 * try another target. Same-dialect pairs pass bytes through and only observe them.
 */
export async function openChat(ctx: RequestContext, target: TargetPlan): Promise<ChatOutcome> {
  const { provider, model } = target;
  const { stream } = ctx.envelope;
  if (provider.local) return openLocal(ctx, provider, model);

  const passthrough =
    !ctx.rewritten && provider.nativeDialect === ctx.dialect.name && provider.buildPassthroughRequest !== undefined;
  const upstreamRequest = passthrough
    ? await provider.buildPassthroughRequest!(bodyForModel(ctx, model), stream, model, ctx.clientHeaders)
    : await provider.buildChatRequest(ctx.request, model);
  const response = await sendUpstream(upstreamRequest, {
    signal: ctx.signal,
    headersTimeoutMs: provider.config.timeoutMs,
    bodyTimeoutMs: provider.config.timeoutMs,
    provider: provider.config.name,
  });
  ctx.status = response.status;
  if (response.status >= 400) throw await upstreamFailure(provider, response, ctx.signal);

  if (!stream) {
    const body = await readBody(response.body, provider.config.name, ctx.signal);
    ctx.firstByteAt ??= performance.now();
    const parsed = parseJson(body, provider);
    if (passthrough) {
      const usage = provider.parseUsage ? provider.parseUsage(parsed) : provider.parseChatResponse(parsed, model).usage;
      if (usage) ctx.usage = usage;
      return { kind: 'complete', payload: body };
    }
    const ir = provider.parseChatResponse(parsed, model);
    if (ir.usage) ctx.usage = ir.usage;
    return { kind: 'complete', payload: JSON.stringify(ctx.dialect.encodeChatResponse(ir)) };
  }
  const decoder = provider.createStreamDecoder(model);
  if (passthrough) return { kind: 'stream', frames: passthroughFrames(ctx, response, decoder) };
  return { kind: 'stream', frames: translatedFrames(ctx, response, decoder, encoderFor(ctx, model)) };
}

/** The client's body with `model` rewritten; the original bytes when nothing changes. */
function bodyForModel(ctx: RequestContext, model: string): string {
  if (ctx.body.model === model) return ctx.rawBody.toString('utf8');
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

async function upstreamFailure(provider: Provider, response: UpstreamResponse, signal: RequestSignal): Promise<GatewayError> {
  let text = '';
  try {
    text = (await readBody(response.body, provider.config.name, signal, 1024 * 1024)).toString('utf8');
  } catch {
    // The status alone still classifies the failure.
  }
  return provider.parseError(response.status, response.headers, text);
}

function parseJson(body: Buffer, provider: Provider): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new GatewayError('upstream_invalid_response', `${provider.config.name}: answered with a body that is not JSON`, {
      provider: provider.config.name,
    });
  }
}

/** Same dialect: the upstream bytes go to the client untouched; the decoder only watches. */
async function* passthroughFrames(
  ctx: RequestContext,
  response: UpstreamResponse,
  decoder: ReturnType<Provider['createStreamDecoder']>,
): AsyncGenerator<Uint8Array> {
  try {
    for await (const chunk of response.body) {
      ctx.firstByteAt ??= performance.now();
      yield chunk as Uint8Array;
      for (const event of decoder.push(chunk as Uint8Array)) observeEvent(ctx, event);
    }
    for (const event of decoder.end()) observeEvent(ctx, event);
  } catch (error) {
    if (ctx.signal.aborted) return;
    // The upstream broke mid-stream: the client already has native bytes, so end there and record.
    ctx.error = transportError(error, ctx.served?.provider.config.name ?? 'upstream');
  }
}

/** Cross dialect: upstream events are re-encoded in the client's format as they arrive. */
async function* translatedFrames(
  ctx: RequestContext,
  response: UpstreamResponse,
  decoder: ReturnType<Provider['createStreamDecoder']>,
  encoder: StreamEncoder,
): AsyncGenerator<string> {
  try {
    for await (const chunk of response.body) {
      ctx.firstByteAt ??= performance.now();
      const text = encodeEvents(ctx, decoder.push(chunk as Uint8Array), encoder);
      if (text) yield text;
      if (ctx.error) return;
    }
    const rest = encodeEvents(ctx, decoder.end(), encoder);
    yield ctx.error ? rest : rest + encoder.end();
  } catch (error) {
    if (ctx.signal.aborted) return;
    ctx.error = transportError(error, ctx.served?.provider.config.name ?? 'upstream');
    yield encoder.error(ctx.error);
  }
}

/** Encodes a batch of events; an error event ends the stream with the dialect's error frame. */
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
    const response = await local.complete(ctx.request, model, ctx.signal);
    ctx.firstByteAt ??= performance.now();
    if (response.usage) ctx.usage = response.usage;
    return { kind: 'complete', payload: JSON.stringify(ctx.dialect.encodeChatResponse(response)) };
  }
  const events = local.stream(ctx.request, model, ctx.signal);
  const encoder = encoderFor(ctx, model);
  async function* frames(): AsyncGenerator<string> {
    try {
      for await (const event of events) {
        ctx.firstByteAt ??= performance.now();
        const text = encodeEvents(ctx, [event], encoder);
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
  return { kind: 'stream', frames: frames() };
}
