import { generatedText } from '../accounting/estimate.js';
import type { StreamEvent } from '../ir/stream.js';
import type { RequestContext } from './context.js';

/** Notes what a stream event tells about the request (usage, errors, generated text) on its context. */
export function observeEvent(ctx: RequestContext, event: StreamEvent): void {
  ctx.cacheCapture?.push([event]);
  if (event.type === 'usage') ctx.usage = event.usage;
  else if (event.type === 'error') ctx.error = event.error;
  else if (ctx.transcript) {
    const text = generatedText(event);
    if (text !== undefined) ctx.transcript.pushText(text);
  }
}
