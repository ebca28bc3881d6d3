import type { TargetPlan } from '../config/plan.js';
import type { StreamEncoder } from '../dialects/types.js';
import { toGatewayError, type GatewayError } from '../errors/gateway-error.js';
import type { ChatRequest } from '../ir/chat.js';
import type { StreamDecoder, StreamEvent } from '../ir/stream.js';
import type { Provider } from '../providers/types.js';
import { transportError, type UpstreamBody } from '../upstream/http.js';
import type { AttemptRecord, RequestContext } from './context.js';
import { observeEvent } from './observe.js';
import { closeSegment } from './accounting.js';
import { StreamTranscript } from '../accounting/transcript.js';
import { pumpBody, type FrameSink, type FrameSource } from './pump.js';
import { callProvider } from './upstream-call.js';

/** What the next target is asked after the partial answer; provider-neutral on purpose. */
export const CONTINUE_PROMPT =
  'Your previous answer was cut off. Continue it exactly where it stopped: do not repeat anything already written, do not comment, start with the next character.';

/** What the client has received so far, and whether it can still be continued elsewhere. */
interface Progress {
  text: string;
  /** Not resumable, or a tool call, reasoning or a second choice has started: nothing to continue. */
  blocked: boolean;
}

/**
 * Cross dialect (or resumable) streams: upstream events are decoded and re-encoded in the client's
 * format as they arrive; an error ends the stream with the dialect's error event.
 *
 * With `resumable` (`resume_streams: true`), a stream that breaks after some text reached the client
 * is continued instead: the next targets in the request's route are asked, in turn, to continue
 * the partial answer, and their text is spliced into the same client stream (their `start` is
 * dropped, so the client sees one message). Only plain text answers of one choice can be continued.
 */
export function translatedSource(
  ctx: RequestContext,
  provider: Provider,
  model: string,
  body: UpstreamBody,
  encoder: StreamEncoder,
  resumable: boolean,
): FrameSource {
  return {
    pipe: async (sink) => {
      // Without resume the text is not kept: nothing would read it.
      const progress: Progress = { text: '', blocked: !resumable };
      ctx.transcript ??= new StreamTranscript();
      let interruption = await pumpEvents(ctx, provider, body, provider.createStreamDecoder(model), sink, encoder, progress, false);
      for (const target of ctx.resumeTargets) {
        if (!interruption || progress.blocked || progress.text === '' || ctx.signal.aborted) break;
        interruption = await continueOn(ctx, target, progress, sink, encoder, interruption);
      }
      if (!interruption || sink.destroyed || ctx.signal.aborted) return;
      ctx.error = interruption;
      sink.write(encoder.error(interruption));
    },
  };
}

/** Asks `target` to continue the partial answer (cut by `cut`) and pumps its events into the same stream. */
async function continueOn(
  ctx: RequestContext,
  target: TargetPlan,
  progress: Progress,
  sink: FrameSink,
  encoder: StreamEncoder,
  cut: GatewayError,
): Promise<GatewayError | undefined> {
  const attempt: AttemptRecord = { provider: target.provider.config.name, model: target.model, startedAt: performance.now() };
  ctx.attempts.push(attempt);
  if (ctx.trace !== undefined) ctx.trace.startAttempt(attempt, target, cut);
  // The cut stream was spent on its own target, at its price; the continuation is counted apart.
  closeSegment(ctx);
  ctx.meteredTarget = target;
  try {
    const request: ChatRequest = {
      ...ctx.request,
      stream: true,
      messages: [
        ...ctx.request.messages,
        { role: 'assistant', content: [{ type: 'text', text: progress.text }] },
        { role: 'user', content: [{ type: 'text', text: CONTINUE_PROMPT }] },
      ],
    };
    const built = target.provider.buildChatRequest(request, target.model);
    const response = await callProvider(target.provider, built instanceof Promise ? await built : built, ctx.signal, attempt.traceHeaders);
    const decoder = target.provider.createStreamDecoder(target.model);
    const interruption = await pumpEvents(ctx, target.provider, response.body, decoder, sink, encoder, progress, true);
    if (interruption) attempt.error = interruption;
    else ctx.served = target;
    return interruption;
  } catch (thrown) {
    const error = toGatewayError(thrown);
    attempt.error = error;
    attempt.status = error.upstreamStatus;
    return error;
  } finally {
    attempt.durationMs = performance.now() - attempt.startedAt;
  }
}

/**
 * Decodes one upstream body into client frames, noting the text sent when resumable. A clean end
 * writes the dialect's closing frames with the last events. Resolves with the error that cut the
 * body short (an error event, a truncated or broken body) without writing it: the caller decides
 * between continuing elsewhere and ending the stream with it. A client that left is no error.
 */
function pumpEvents(
  ctx: RequestContext,
  provider: Provider,
  body: UpstreamBody,
  decoder: StreamDecoder,
  sink: FrameSink,
  encoder: StreamEncoder,
  progress: Progress,
  continuation: boolean,
): Promise<GatewayError | undefined> {
  let interruption: GatewayError | undefined;
  // Output guardrails between decoding and encoding: text held back only as much as they need.
  const guard = ctx.outputGuard?.stream();
  const guarded = (events: StreamEvent[]): StreamEvent[] => (guard ? events.flatMap((event) => guard.push(event)) : events);
  const encode = (events: StreamEvent[]): string => {
    let out = '';
    for (const event of events) {
      if (event.type === 'error') {
        interruption = event.error;
        break;
      }
      if (continuation && event.type === 'start') continue;
      if (!progress.blocked) {
        if (event.type === 'text' && event.choice === 0) progress.text += event.text;
        else if (event.type === 'tool_call_start' || event.type === 'reasoning' || ('choice' in event && event.choice > 0)) progress.blocked = true;
      }
      observeEvent(ctx, event);
      out += encoder.encode(event);
    }
    return out;
  };
  return pumpBody(body, sink, {
    onChunk(chunk) {
      ctx.firstByteAt ??= performance.now();
      return encode(guarded(decoder.push(chunk)));
    },
    stopped: () => interruption !== undefined,
    onEnd(error) {
      if (interruption) return '';
      if (error !== undefined) {
        if (!ctx.signal.aborted) interruption = transportError(error, provider.config.name);
        return '';
      }
      const rest = encode([...guarded(decoder.end()), ...(guard?.end() ?? [])]);
      return interruption ? rest : rest + encoder.end();
    },
  }).then(() => interruption);
}
