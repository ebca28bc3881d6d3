import { optionalBoolean, requireMessages, requireModel, type RequestEnvelope } from '../envelope.js';

/** The routing envelope of a Chat Completions body: model, messages present, stream flags. */
export function parseOpenAIEnvelope(body: Record<string, unknown>): RequestEnvelope {
  const model = requireModel(body);
  requireMessages(body);
  const stream = optionalBoolean(body, 'stream');
  const options = body.stream_options;
  const streamUsage =
    stream && options !== null && typeof options === 'object' && (options as Record<string, unknown>).include_usage === true;
  return { model, stream, streamUsage };
}
