import type { StreamEvent } from '../ir/stream.js';
import type { RequestContext } from './context.js';

/** Notes what a stream event tells about the request (usage, first token) on its context. */
export function observeEvent(ctx: RequestContext, event: StreamEvent): void {
  if (event.type === 'usage') ctx.usage = event.usage;
  else if (event.type === 'error') ctx.error = event.error;
}
